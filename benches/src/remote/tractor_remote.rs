//! tractor-remote's rows: remote tells (throughput) and remote asks
//! (latency) to a counter served by the peer process, through the same
//! generated methods a local ref has. The peer's and the driver's nodes are
//! what `Node::builder` makes by default (multicast scouting off) on explicit
//! `tcp/127.0.0.1` endpoints.

use std::time::{Duration, Instant};

use tractor::prelude::*;
use tractor_remote::{Node, RemoteRef};

use super::{Driver, Measured, Peer, RemoteSizes, Row};

/// What the peer serves.
#[derive(Actor, Default)]
pub(crate) struct Counter {
    count: u64,
}

#[actor(remote)]
impl Counter {
    #[message]
    pub(crate) fn add(&mut self, by: u64) {
        self.count += by;
    }

    #[message]
    pub(crate) fn get(&self) -> u64 {
        self.count
    }
}

/// N tells to the remote counter, then one ask that returns once all are
/// handled.
#[derive(Debug)]
pub(crate) struct Tells;

/// Sequential asks.
#[derive(Debug)]
pub(crate) struct Asks;

pub(crate) const ROWS: &[&dyn Row] = &[&Tells, &Asks];

fn tokio() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())
}

fn serve(peer: &mut Peer) -> Result<(), String> {
    let tokio = tokio()?;
    let port = peer.port();
    let node = tokio.block_on(async {
        let runtime = Runtime::new();
        let node =
            Node::builder(&runtime).listen(format!("tcp/127.0.0.1:{port}")).build().await.map_err(|e| e.to_string())?;
        node.serve("counter", &runtime.spawn(Counter::default())).await.map_err(|e| e.to_string())?;
        Ok::<_, String>(node)
    })?;
    peer.ready();
    peer.until_stop();
    tokio.block_on(node.close());
    Ok(())
}

/// The driver's node, connected to the peer, and the counter it serves.
async fn connect(port: u16) -> Result<(Node, RemoteRef<Counter>), String> {
    let runtime = Runtime::new();
    let node = Node::builder(&runtime)
        .listen("tcp/127.0.0.1:0")
        .connect(format!("tcp/127.0.0.1:{port}"))
        .build()
        .await
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match node.lookup::<Counter>("counter").await {
            Ok(counter) => return Ok((node, counter)),
            Err(e) if e.is_not_found() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(10)).await
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

impl Row for Tells {
    fn key(&self) -> &'static str {
        "tractor-tell"
    }

    fn label(&self) -> &'static str {
        "tractor-remote tell"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} `counter.add(1).tell()` to a `RemoteRef<Counter>` in the other process, then one `counter.get()` \
             that returns once all are handled; op = one tell",
            sizes.messages
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        serve(peer)
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        let sizes = *driver.sizes();
        let port = driver.port();
        tokio()?.block_on(async move {
            let (node, counter) = connect(port).await?;
            let mut expected = 0;
            let mut burst = |n: u64| {
                let counter = counter.clone();
                expected += n;
                let expected = expected;
                async move {
                    let start = Instant::now();
                    for _ in 0..n {
                        counter.add(1).tell().await.map_err(|e| e.to_string())?;
                    }
                    let got = counter.get().timeout(Duration::from_secs(60)).await.map_err(|e| e.to_string())?;
                    if got != expected {
                        return Err(format!("the counter has {got}, not {expected}"));
                    }
                    Ok::<_, String>(start.elapsed())
                }
            };
            burst(sizes.warm_up_messages()).await?;
            let mut runs = Vec::new();
            for _ in 0..sizes.runs {
                runs.push((sizes.messages, burst(sizes.messages).await?));
            }
            node.close().await;
            Ok(Measured::Throughput(runs))
        })
    }
}

impl Row for Asks {
    fn key(&self) -> &'static str {
        "tractor-ask"
    }

    fn label(&self) -> &'static str {
        "tractor-remote ask"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} sequential `counter.get().await` on a `RemoteRef<Counter>` in the other process; op = one ask",
            sizes.round_trips
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        serve(peer)
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        let sizes = *driver.sizes();
        let port = driver.port();
        tokio()?.block_on(async move {
            let (node, counter) = connect(port).await?;
            for _ in 0..sizes.warm_up_round_trips() {
                counter.get().await.map_err(|e| e.to_string())?;
            }
            let mut samples = Vec::with_capacity(sizes.round_trips as usize);
            for _ in 0..sizes.round_trips {
                let start = Instant::now();
                counter.get().await.map_err(|e| e.to_string())?;
                samples.push(start.elapsed());
            }
            node.close().await;
            Ok(Measured::Latency(samples))
        })
    }
}
