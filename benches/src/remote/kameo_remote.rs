//! kameo 0.22's remote actors (feature `kameo-remote`): a counter served by
//! the peer, told and asked from the driver through a `RemoteActorRef`.
//!
//! The swarm is built by hand, not with `kameo::remote::bootstrap` (which
//! adds mDNS and listens on 0.0.0.0): TCP + noise + yamux, listening on
//! `/ip4/127.0.0.1/tcp/P` in the peer and on `/ip4/127.0.0.1/tcp/0` in the
//! driver, which dials the peer's address with its peer id. Discovery is
//! kameo's own Kademlia registry over that one connection. Both processes run
//! a multi-thread tokio runtime with 2 workers.

use std::error::Error;
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use kameo::actor::{RemoteActorRef, Spawn};
use kameo::message::{Context, Message};
use kameo::{Actor, RemoteActor, remote, remote_message};
use libp2p::futures::StreamExt;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{Multiaddr, PeerId, Swarm, SwarmBuilder, noise, tcp, yamux};
use serde::{Deserialize, Serialize};

use super::{Driver, Measured, Peer, RemoteSizes, Row};

/// The rows of this module.
pub(crate) const ROWS: [&'static dyn Row; 3] = [&KameoTell, &KameoTellAck, &KameoAsk];

/// The name the counter is registered under.
const NAME: &str = "tractor-bench-counter";
/// How long the driver waits for the connection, the registration, a reply.
const LIMIT: Duration = Duration::from_secs(30);
/// How long the count may stand still before the missing tells count as lost.
const STALL_LIMIT: Duration = Duration::from_secs(5);
/// Acknowledged tells in flight at once: under kameo's default
/// `max_concurrent_streams` (100), past which libp2p's request-response
/// drops inbound streams.
const ACK_WINDOW: usize = 64;

/// The counter actor.
#[derive(Actor, RemoteActor, Debug, Default)]
pub(crate) struct RemoteCounter {
    count: u64,
}

/// Increments the counter.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct Inc;

#[remote_message]
impl Message<Inc> for RemoteCounter {
    type Reply = ();

    async fn handle(&mut self, _msg: Inc, _ctx: &mut Context<Self, Self::Reply>) {
        self.count += 1;
    }
}

/// Replies with the count.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct Get;

#[remote_message]
impl Message<Get> for RemoteCounter {
    type Reply = u64;

    async fn handle(&mut self, _msg: Get, _ctx: &mut Context<Self, Self::Reply>) -> u64 {
        self.count
    }
}

/// The swarm's behaviour: kameo's and nothing else (no mDNS).
#[derive(NetworkBehaviour)]
struct Behaviour {
    kameo: remote::Behaviour,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(err)
}

/// A swarm on TCP + noise + yamux, registered as kameo's global swarm,
/// listening on `listen` (a loopback address), with the listener up; and
/// the address it listens on.
async fn swarm(listen: Multiaddr) -> Result<(Swarm<Behaviour>, Multiaddr), String> {
    let build = || -> Result<Swarm<Behaviour>, Box<dyn Error>> {
        Ok(SwarmBuilder::with_new_identity()
            .with_tokio()
            .with_tcp(tcp::Config::default(), noise::Config::new, yamux::Config::default)?
            .with_behaviour(|key| {
                let peer_id = key.public().to_peer_id();
                Behaviour { kameo: remote::Behaviour::new(peer_id, remote::messaging::Config::default()) }
            })?
            .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(300)))
            .build())
    };
    let mut swarm = build().map_err(err)?;
    swarm.behaviour().kameo.try_init_global().map_err(err)?;
    swarm.listen_on(listen).map_err(err)?;
    let addr = tokio::time::timeout(LIMIT, async {
        loop {
            if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
                return address;
            }
        }
    })
    .await
    .map_err(|_| "the swarm did not start listening".to_owned())?;
    Ok((swarm, addr))
}

/// Drives `swarm` until a connection is established (bounded), then in a
/// task for as long as the runtime lives.
async fn connected_then_spawn(mut swarm: Swarm<Behaviour>) -> Result<(), String> {
    tokio::time::timeout(LIMIT, async {
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::ConnectionEstablished { .. } => return Ok(()),
                SwarmEvent::OutgoingConnectionError { error, .. } => return Err(error.to_string()),
                _ => {}
            }
        }
    })
    .await
    .map_err(|_| "no connection in time".to_owned())??;
    tokio::spawn(async move {
        loop {
            swarm.select_next_some().await;
        }
    });
    Ok(())
}

/// The peer of both rows: serves the counter, registered once the driver
/// has connected (so the registration reaches it), then says `registered`.
///
/// Without mDNS nothing tells kameo's Kademlia about the other node: each
/// side hands it the other's address (`Swarm::add_peer_address`, what
/// `kameo::remote::bootstrap` does for an mDNS discovery). The peer learns
/// the driver's from a `driver PEER_ID ADDR` command.
fn serve(peer: &mut Peer) -> Result<(), String> {
    let rt = runtime()?;
    let listen: Multiaddr = format!("/ip4/127.0.0.1/tcp/{}", peer.port()).parse().map_err(err)?;
    let (mut swarm, _) = rt.block_on(swarm(listen))?;
    peer.ready_with(&swarm.local_peer_id().to_string());
    let said = peer.next_command().ok_or("stopped before the driver said who it is")?;
    let mut words = said.strip_prefix("driver ").ok_or_else(|| format!("unknown command `{said}`"))?.split(' ');
    let driver_id: PeerId = words.next().unwrap_or_default().parse().map_err(err)?;
    let driver_addr: Multiaddr = words.next().unwrap_or_default().parse().map_err(err)?;
    swarm.add_peer_address(driver_id, driver_addr);
    let counter = rt.block_on(async {
        connected_then_spawn(swarm).await?;
        let counter = RemoteCounter::spawn(RemoteCounter::default());
        counter.register(NAME).await.map_err(err)?;
        Ok::<_, String>(counter)
    })?;
    peer.say("registered");
    peer.until_stop();
    drop(counter);
    rt.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

/// Connects to the peer, waits for its registration, and looks the counter up.
fn connect(driver: &mut Driver, rt: &tokio::runtime::Runtime) -> Result<RemoteActorRef<RemoteCounter>, String> {
    let peer_id: PeerId = driver.ready_info().parse().map_err(err)?;
    let peer_addr: Multiaddr = format!("/ip4/127.0.0.1/tcp/{}", driver.port()).parse().map_err(err)?;
    let (mut swarm, addr) = rt.block_on(swarm("/ip4/127.0.0.1/tcp/0".parse().map_err(err)?))?;
    driver.send(&format!("driver {} {addr}", swarm.local_peer_id()))?;
    swarm.add_peer_address(peer_id, peer_addr.clone());
    rt.block_on(async {
        swarm.dial(peer_addr.with_p2p(peer_id).map_err(|a| format!("bad address {a}"))?).map_err(err)?;
        connected_then_spawn(swarm).await
    })?;
    driver.expect("registered", LIMIT)?;
    rt.block_on(async {
        tokio::time::timeout(LIMIT, RemoteActorRef::<RemoteCounter>::lookup(NAME))
            .await
            .map_err(|_| "lookup timed out".to_owned())?
            .map_err(err)?
            .ok_or_else(|| format!("`{NAME}` not found"))
    })
}

async fn ask(counter: &RemoteActorRef<RemoteCounter>) -> Result<u64, String> {
    tokio::time::timeout(LIMIT, counter.ask(&Get)).await.map_err(|_| "ask timed out".to_owned())?.map_err(err)
}

/// The tells per run: a tenth of the floors' (each tell is one libp2p
/// request-response exchange on a stream of its own).
fn tells(sizes: &RemoteSizes) -> u64 {
    sizes.messages / 10
}

/// Times `n` tells sent by `send`, then asks until the counter reads
/// `expected`; the count must not stand still for [`STALL_LIMIT`] (a
/// remote tell is at most once: lost tells are reported, not waited for).
async fn timed_tells<F: Future<Output = Result<(), String>>>(
    counter: &RemoteActorRef<RemoteCounter>,
    send: F,
    expected: u64,
) -> Result<Duration, String> {
    let start = Instant::now();
    send.await?;
    let (mut last, mut moved) = (ask(counter).await?, Instant::now());
    while last < expected {
        let now = ask(counter).await?;
        if now > last {
            (last, moved) = (now, Instant::now());
        } else if moved.elapsed() > STALL_LIMIT {
            return Err(format!("{} of {expected} tells arrived ({} lost)", last, expected - last));
        }
    }
    if last > expected {
        return Err(format!("counted {last} of {expected}"));
    }
    Ok(start.elapsed())
}

/// A warm-up of a tenth, then the timed runs, each of `tells(sizes)`.
fn tell_runs<F, Fut>(driver: &mut Driver, send: F) -> Result<Measured, String>
where
    F: Fn(RemoteActorRef<RemoteCounter>, u64) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let rt = runtime()?;
    let counter = connect(driver, &rt)?;
    let sizes = *driver.sizes();
    let n = tells(&sizes);
    rt.block_on(async {
        let mut expected = n / 10;
        timed_tells(&counter, send(counter.clone(), n / 10), expected).await?;
        let mut runs = Vec::with_capacity(sizes.runs);
        for _ in 0..sizes.runs {
            expected += n;
            runs.push((n, timed_tells(&counter, send(counter.clone(), n), expected).await?));
        }
        Ok(Measured::Throughput(runs))
    })
}

/// Fire-and-forget tells (`tell(&Inc).send()`), as fast as they go,
/// confirmed by asks until the count is reached.
#[derive(Debug)]
pub(crate) struct KameoTell;

impl Row for KameoTell {
    fn key(&self) -> &'static str {
        "kameo-tell"
    }

    fn label(&self) -> &'static str {
        "kameo 0.22 remote tell throughput (`send`)"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} fire-and-forget `RemoteActorRef::tell(&Inc).send()` (libp2p TCP + noise + yamux, one \
             request-response stream per tell), then asks until the count is reached; op = one tell",
            tells(sizes)
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        serve(peer)
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        tell_runs(driver, |counter, n| async move {
            for _ in 0..n {
                counter.tell(&Inc).send().map_err(err)?;
            }
            Ok(())
        })
    }
}

/// Acknowledged tells (`tell(&Inc).send_ack()`), [`ACK_WINDOW`] in flight.
#[derive(Debug)]
pub(crate) struct KameoTellAck;

impl Row for KameoTellAck {
    fn key(&self) -> &'static str {
        "kameo-tell-ack"
    }

    fn label(&self) -> &'static str {
        "kameo 0.22 remote tell throughput (`send_ack`, 64 in flight)"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} `RemoteActorRef::tell(&Inc).send_ack()`, {ACK_WINDOW} in flight (kameo's default stream limit is \
             100), then one ask; op = one tell",
            tells(sizes)
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        serve(peer)
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        tell_runs(driver, |counter, n| async move {
            futures::stream::iter(0..n)
                .map(|_| counter.tell(&Inc).send_ack())
                .buffer_unordered(ACK_WINDOW)
                .map_err(err)
                .try_for_each(|()| async { Ok(()) })
                .await
        })
    }
}

/// Sequential asks (`ask(&Get)`).
#[derive(Debug)]
pub(crate) struct KameoAsk;

impl Row for KameoAsk {
    fn key(&self) -> &'static str {
        "kameo-ask"
    }

    fn label(&self) -> &'static str {
        "kameo 0.22 remote ask"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!("{} sequential `RemoteActorRef::ask(&Get)`; op = one ask", sizes.round_trips)
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
