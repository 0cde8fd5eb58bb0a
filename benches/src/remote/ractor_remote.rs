//! `ractor_cluster` 0.16 (feature `ractor-cluster`): a counter in the peer's
//! node, reached from the driver's node through the process group it joins.
//!
//! Both nodes' `NodeServer`s listen on 127.0.0.1 (`with_listen_addr`; the
//! default is `[::]`) in `Isolated` mode (no transitive connections); the
//! driver's node connects to the peer's with `client_connect`. The driver
//! learns of the counter from a `pg::monitor` on its group (no polling), and
//! casts and calls it through the `RemoteActor` the session made. Both
//! processes run a multi-thread tokio runtime with 2 workers.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use ractor::rpc::CallResult;
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent, pg};
use ractor_cluster::node::NodeConnectionMode;
use ractor_cluster::{NodeServer, RactorClusterMessage};
use tokio::sync::oneshot;

use super::{Driver, Measured, Peer, RemoteSizes, Row};

/// The rows of this module.
pub(crate) const ROWS: [&'static dyn Row; 2] = [&RactorTell, &RactorAsk];

/// The process group the counter joins.
const GROUP: &str = "tractor-bench-counter";
/// The nodes' shared secret.
const COOKIE: &str = "tractor-bench";
/// How long the driver waits for the connection, the group, a reply.
const LIMIT: Duration = Duration::from_secs(30);

/// The counter's messages, serializable for the cluster.
#[derive(RactorClusterMessage, Debug)]
pub(crate) enum RemoteCounterMsg {
    /// Increments the counter.
    Inc,
    /// Replies with the count.
    #[rpc]
    Get(RpcReplyPort<u64>),
}

/// The counter actor.
#[derive(Debug)]
pub(crate) struct RemoteCounter;

impl Actor for RemoteCounter {
    type Msg = RemoteCounterMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _myself: ActorRef<Self::Msg>, _args: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        count: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            RemoteCounterMsg::Inc => *count += 1,
            RemoteCounterMsg::Get(reply) => reply.send(*count)?,
        }
        Ok(())
    }
}

/// Hands the first member that joins the group to a oneshot.
#[derive(Debug)]
struct Watcher;

impl Actor for Watcher {
    type Msg = ();
    type State = Option<oneshot::Sender<ActorCell>>;
    type Arguments = oneshot::Sender<ActorCell>;

    async fn pre_start(
        &self,
        _myself: ActorRef<()>,
        found: oneshot::Sender<ActorCell>,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(Some(found))
    }

    async fn handle_supervisor_evt(
        &self,
        _myself: ActorRef<()>,
        event: SupervisionEvent,
        found: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let SupervisionEvent::ProcessGroupChanged(pg::GroupChangeMessage::Join(_, group, members)) = event {
            if let (true, Some(member)) = (group == GROUP, members.into_iter().next()) {
                if let Some(found) = found.take() {
                    let _ = found.send(member);
                }
            }
        }
        Ok(())
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(err)
}

/// A node server on 127.0.0.1:`port` (0: any free port).
async fn node(port: u16, name: &str) -> Result<ActorRef<ractor_cluster::NodeServerMessage>, String> {
    let server = NodeServer::new(
        port,
        COOKIE.to_owned(),
        name.to_owned(),
        "127.0.0.1".to_owned(),
        None,
        Some(NodeConnectionMode::Isolated),
    )
    .with_listen_addr(IpAddr::V4(Ipv4Addr::LOCALHOST));
    // The listener is bound once the spawn returns (its `pre_start`).
    let (server, _) = Actor::spawn(None, server, ()).await.map_err(err)?;
    Ok(server)
}

/// The peer of both rows: a node serving the counter in [`GROUP`].
fn serve(peer: &mut Peer) -> Result<(), String> {
    let rt = runtime()?;
    let port = peer.port();
    let (server, counter) = rt.block_on(async {
        let server = node(port, "peer").await?;
        let (counter, _) = Actor::spawn(None, RemoteCounter, ()).await.map_err(err)?;
        pg::join(GROUP.to_owned(), vec![counter.get_cell()]);
        Ok::<_, String>((server, counter))
    })?;
    peer.ready();
    peer.until_stop();
    counter.stop(None);
    server.stop(None);
    rt.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

/// Starts the driver's node, connects it to the peer's, and waits for the
/// counter to show up in [`GROUP`].
fn connect(driver: &Driver, rt: &tokio::runtime::Runtime) -> Result<ActorRef<RemoteCounterMsg>, String> {
    let port = driver.port();
    rt.block_on(async {
        let (found, on_found) = oneshot::channel();
        let (watcher, _) = Actor::spawn(None, Watcher, found).await.map_err(err)?;
        pg::monitor(GROUP.to_owned(), watcher.get_cell());
        let server = node(0, "driver").await?;
        ractor_cluster::client_connect(&server, (Ipv4Addr::LOCALHOST, port)).await.map_err(err)?;
        let cell = tokio::time::timeout(LIMIT, on_found)
            .await
            .map_err(|_| format!("the counter did not join `{GROUP}` here within {LIMIT:?}"))?
            .map_err(err)?;
        pg::demonitor(GROUP.to_owned(), watcher.get_id());
        watcher.stop(None);
        Ok(ActorRef::from(cell))
    })
}

async fn ask(counter: &ActorRef<RemoteCounterMsg>) -> Result<u64, String> {
    match counter.call(RemoteCounterMsg::Get, Some(LIMIT)).await.map_err(err)? {
        CallResult::Success(n) => Ok(n),
        CallResult::Timeout => Err("call timed out".to_owned()),
        CallResult::SenderError => Err("the reply port was dropped".to_owned()),
    }
}

/// Casts, then one call to confirm (the session keeps a sender's order).
#[derive(Debug)]
pub(crate) struct RactorTell;

impl RactorTell {
    async fn run(counter: &ActorRef<RemoteCounterMsg>, n: u64, expected: u64) -> Result<Duration, String> {
        let start = Instant::now();
        for _ in 0..n {
            counter.cast(RemoteCounterMsg::Inc).map_err(err)?;
        }
        let count = ask(counter).await?;
        let elapsed = start.elapsed();
        if count != expected {
            return Err(format!("counted {count} of {expected}"));
        }
        Ok(elapsed)
    }
}

impl Row for RactorTell {
    fn key(&self) -> &'static str {
        "ractor-tell"
    }

    fn label(&self) -> &'static str {
        "ractor_cluster 0.16 remote tell throughput"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} `cast(Inc)` to the `RemoteActor` of a counter in the other node, then one `call(Get)`; op = one tell",
            sizes.messages
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        serve(peer)
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        let rt = runtime()?;
        let counter = connect(driver, &rt)?;
        let sizes = *driver.sizes();
        rt.block_on(async {
            let mut expected = sizes.warm_up_messages();
            Self::run(&counter, expected, expected).await?;
            let mut runs = Vec::with_capacity(sizes.runs);
            for _ in 0..sizes.runs {
                expected += sizes.messages;
                runs.push((sizes.messages, Self::run(&counter, sizes.messages, expected).await?));
            }
            Ok(Measured::Throughput(runs))
        })
    }
}

/// Sequential calls.
#[derive(Debug)]
pub(crate) struct RactorAsk;

impl Row for RactorAsk {
    fn key(&self) -> &'static str {
        "ractor-ask"
    }

    fn label(&self) -> &'static str {
        "ractor_cluster 0.16 remote ask"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!("{} sequential `call(Get)` to the counter in the other node; op = one call", sizes.round_trips)
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        serve(peer)
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        let rt = runtime()?;
        let counter = connect(driver, &rt)?;
        let sizes = *driver.sizes();
        rt.block_on(async {
            for _ in 0..sizes.warm_up_round_trips() {
                ask(&counter).await?;
            }
            let mut samples = Vec::with_capacity(sizes.round_trips as usize);
            for _ in 0..sizes.round_trips {
                let start = Instant::now();
                std::hint::black_box(ask(&counter).await?);
                samples.push(start.elapsed());
            }
            Ok(Measured::Latency(samples))
        })
    }
}
