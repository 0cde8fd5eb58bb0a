//! The floor: a plain tokio task fed by a tokio unbounded mpsc channel,
//! answering asks on a tokio oneshot. No actor library can do less work.

use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::harness::Lib;

/// The library marker.
#[derive(Debug)]
pub(crate) struct TokioFloor;

/// What the counter task receives.
#[derive(Debug)]
pub(crate) enum Msg {
    /// Increments the counter.
    Inc,
    /// Replies with the count.
    Get(oneshot::Sender<u64>),
}

async fn counter(mut rx: mpsc::UnboundedReceiver<Msg>) {
    let mut count = 0;
    while let Some(msg) = rx.recv().await {
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

impl Lib for TokioFloor {
    type Ctx = Vec<JoinHandle<()>>;
    type Counter = mpsc::UnboundedSender<Msg>;

    fn new_ctx() -> Vec<JoinHandle<()>> {
        Vec::new()
    }

    async fn spawn_counter(tasks: &mut Vec<JoinHandle<()>>) -> mpsc::UnboundedSender<Msg> {
        let (tx, rx) = mpsc::unbounded_channel();
        tasks.push(tokio::spawn(counter(rx)));
        tx
    }

    async fn tell(counter: &mpsc::UnboundedSender<Msg>) {
        counter.send(Msg::Inc).expect("counter alive");
    }

    async fn ask(counter: &mpsc::UnboundedSender<Msg>) -> u64 {
        let (tx, rx) = oneshot::channel();
        counter.send(Msg::Get(tx)).expect("counter alive");
        rx.await.expect("counter answers")
    }

    async fn stop_all(tasks: &mut Vec<JoinHandle<()>>, counters: Vec<mpsc::UnboundedSender<Msg>>) {
        // The task ends when its channel closes.
        drop(counters);
        for task in tasks.drain(..) {
            task.await.expect("counter task");
        }
    }

    async fn ping_pong(_tasks: &mut Vec<JoinHandle<()>>, n: u64) -> Duration {
        let (ping_tx, mut ping_rx) = mpsc::unbounded_channel::<oneshot::Sender<()>>();
        let ponger = tokio::spawn(async move {
            while let Some(reply) = ping_rx.recv().await {
                let _ = reply.send(());
            }
        });
        let (rally_tx, mut rally_rx) = mpsc::unbounded_channel::<Rally>();
        let pinger = tokio::spawn(async move {
            while let Some((rounds, reply)) = rally_rx.recv().await {
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
