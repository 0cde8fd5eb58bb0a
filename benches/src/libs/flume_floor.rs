//! The floor: a plain tokio task fed by a flume unbounded channel,
//! answering asks on a tokio oneshot: the floor for a flume mailbox, which is what tractor uses.

use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::harness::Lib;

/// The library marker.
#[derive(Debug)]
pub(crate) struct FlumeFloor;

/// What the counter task receives.
#[derive(Debug)]
pub(crate) enum Msg {
    /// Increments the counter.
    Inc,
    /// Replies with the count.
    Get(oneshot::Sender<u64>),
}

async fn counter(rx: flume::Receiver<Msg>) {
    let mut count = 0;
    while let Ok(msg) = rx.recv_async().await {
        match msg {
            Msg::Inc => count += 1,
            Msg::Get(reply) => {
                let _ = reply.send(count);
            }
        }
    }
}

/// Play this many rounds, then reply.
type Rally = (u64, oneshot::Sender<u64>);

impl Lib for FlumeFloor {
    type Ctx = Vec<JoinHandle<()>>;
    type Counter = flume::Sender<Msg>;

    fn new_ctx() -> Vec<JoinHandle<()>> {
        Vec::new()
    }

    async fn spawn_counter(tasks: &mut Vec<JoinHandle<()>>) -> flume::Sender<Msg> {
        let (tx, rx) = flume::unbounded();
        tasks.push(tokio::spawn(counter(rx)));
        tx
    }

    async fn tell(counter: &flume::Sender<Msg>) {
        counter.send(Msg::Inc).expect("counter alive");
    }

    async fn ask(counter: &flume::Sender<Msg>) -> u64 {
        let (tx, rx) = oneshot::channel();
        counter.send(Msg::Get(tx)).expect("counter alive");
        rx.await.expect("counter answers")
    }

    async fn stop_all(tasks: &mut Vec<JoinHandle<()>>, counters: Vec<flume::Sender<Msg>>) {
        // The task ends when its channel closes.
        drop(counters);
        for task in tasks.drain(..) {
            task.await.expect("counter task");
        }
    }

    async fn ping_pong(_tasks: &mut Vec<JoinHandle<()>>, n: u64) -> Duration {
        let (ping_tx, ping_rx) = flume::unbounded::<oneshot::Sender<()>>();
        let ponger = tokio::spawn(async move {
            while let Ok(reply) = ping_rx.recv_async().await {
                let _ = reply.send(());
            }
        });
        let (rally_tx, rally_rx) = flume::unbounded::<Rally>();
        let pinger = tokio::spawn(async move {
            while let Ok((rounds, reply)) = rally_rx.recv_async().await {
                for _ in 0..rounds {
                    let (tx, rx) = oneshot::channel();
                    ping_tx.send(tx).expect("ponger alive");
                    rx.await.expect("ponger answers");
                }
                let _ = reply.send(rounds);
            }
        });
        let rally = |rounds| {
            let (tx, rx) = oneshot::channel();
            rally_tx.send((rounds, tx)).expect("pinger alive");
            rx
        };
        assert_eq!(rally(1).await.expect("pinger answers"), 1);
        let start = Instant::now();
        assert_eq!(rally(n).await.expect("pinger answers"), n);
        let elapsed = start.elapsed();
        drop(rally_tx);
        pinger.await.expect("pinger task");
        ponger.await.expect("ponger task");
        elapsed
    }

    async fn finish(_tasks: Vec<JoinHandle<()>>) {}
}
