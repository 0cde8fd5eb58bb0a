//! Runtime shutdown: reverse spawn order, waits for all, refuses later
//! spawns, and leaves no task behind.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use support::{Log, within};
use tokio::sync::Notify;
use tractor::prelude::*;

struct Named {
    name: String,
    log: Log,
    children: usize,
    kids: Vec<ActorRef<Named>>,
}

impl Actor for Named {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        for i in 0..self.children {
            let name = format!("{}.{i}", self.name);
            let kid = ctx.spawn(named(&name, &self.log, 0));
            self.kids.push(kid);
        }
        Ok(())
    }

    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        assert!(reason.is_normal() || matches!(reason, StopReason::StartFailed(_)), "{reason:?}");
        self.log.push(format!("stop {}", self.name));
    }
}

struct Work(u32);

impl Message<Named> for Work {
    type Reply = ();
    async fn handle(self, n: &mut Named, _: &mut Context<Named>) {
        tokio::time::sleep(Duration::from_millis(1)).await;
        n.log.push(format!("{} work {}", n.name, self.0));
    }
}

fn named(name: &str, log: &Log, children: usize) -> Named {
    Named { name: name.to_owned(), log: log.clone(), children, kids: Vec::new() }
}

async fn shutdown_stops_in_reverse_spawn_order_and_waits() {
    let runtime = Runtime::new();
    let log = Log::default();
    let a = runtime.spawn(named("a", &log, 2));
    // `a` spawns its children from `on_start`: once it has answered, the
    // spawn order is a, a.0, a.1, and then b.
    within(a.ask(Work(0))).await.unwrap();
    let b = runtime.spawn(named("b", &log, 0));
    // Queued work is handled before the actor stops (graceful).
    for i in 0..3 {
        within(b.tell(Work(i))).await.unwrap();
    }
    assert_eq!(runtime.actor_count(), 4);
    within(runtime.shutdown()).await;
    assert_eq!(runtime.actor_count(), 0);
    assert!(!a.is_alive() && !b.is_alive());
    let stops: Vec<_> = log.events().into_iter().filter(|e| e.starts_with("stop")).collect();
    assert_eq!(stops, ["stop b", "stop a.1", "stop a.0", "stop a"]);
    let b_work: Vec<_> = log.events().into_iter().filter(|e| e.starts_with("b work")).collect();
    assert_eq!(b_work, ["b work 0", "b work 1", "b work 2"]);
}

async fn spawn_after_shutdown_returns_a_stopped_ref() {
    let runtime = Runtime::new();
    within(runtime.shutdown()).await;
    let log = Log::default();
    let late = runtime.spawn(named("late", &log, 0));
    assert!(!late.is_alive());
    assert!(within(late.ask(Work(1))).await.unwrap_err().is_stopped());
    assert!(within(late.tell(Work(1))).await.unwrap_err().is_stopped());
    assert!(late.try_tell(Work(1)).unwrap_err().is_stopped());
    assert!(matches!(within(late.wait()).await, StopReason::StartFailed(e) if e.to_string().contains("shut down")));
    assert_eq!(log.events(), ["stop late"], "a refused actor never starts, and its on_stop runs once");
    assert_eq!(runtime.actor_count(), 0);
    // Shutting down twice is fine.
    within(runtime.shutdown()).await;
}

/// Parks `on_stop` until released, saying when it got there: holds a
/// shutdown in progress for as long as a test needs.
struct SlowStop {
    entered: Option<tokio::sync::oneshot::Sender<()>>,
    release: Arc<Notify>,
    log: Log,
}

impl Actor for SlowStop {
    async fn on_stop(&mut self, _: &mut Context<Self>, _: &StopReason) {
        let _ = self.entered.take().unwrap().send(());
        self.release.notified().await;
        self.log.push("stop slow");
    }
}

/// Polls `fut` once.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

async fn concurrent_shutdowns_both_wait_for_the_end() {
    let runtime = Runtime::new();
    let log = Log::default();
    let actors: Vec<_> = (0..20).map(|i| runtime.spawn(named(&format!("n{i}"), &log, 1))).collect();
    // Let every parent start (and spawn its child) before shutting down:
    // spawns made after the shutdown began are refused.
    for a in &actors {
        within(a.ask(Work(0))).await.unwrap();
    }
    // Spawned last, so stopped first: it holds the first shutdown in
    // progress until released.
    let release = Arc::new(Notify::new());
    let (entered_tx, entered) = tokio::sync::oneshot::channel();
    let slow = runtime.spawn(SlowStop { entered: Some(entered_tx), release: release.clone(), log: log.clone() });
    let one = tokio::spawn({
        let runtime = runtime.clone();
        async move { runtime.shutdown().await }
    });
    within(entered).await.unwrap();
    // A second shutdown while the first is in progress: it must not return
    // before everything has stopped.
    let mut two = Box::pin(runtime.shutdown());
    assert!(poll_once(&mut two).await.is_pending(), "a second shutdown returned while the first was in progress");
    assert!(slow.is_alive() && actors.iter().all(|a| a.is_alive()));
    release.notify_one();
    // Awaited alone first: when it returns, everything has stopped, whether
    // or not the first one has returned yet.
    within(two).await;
    assert_eq!(runtime.actor_count(), 0, "the second shutdown returned before the end");
    assert!(!slow.is_alive() && actors.iter().all(|a| !a.is_alive()));
    assert_eq!(log.events().iter().filter(|e| e.starts_with("stop")).count(), 41);
    within(one).await.unwrap();
    // And two shutdowns started together both return.
    let (one, two) = tokio::join!(within(runtime.shutdown()), within(runtime.shutdown()));
    let ((), ()) = (one, two);
}

/// No task spawned by tractor outlives `shutdown`.
async fn no_task_survives_shutdown() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    let runtime = Runtime::new();
    let log = Log::default();
    let actors: Vec<_> = (0..100).map(|i| runtime.spawn(named(&format!("n{i}"), &log, 2))).collect();
    for a in &actors {
        within(a.ask(Work(0))).await.unwrap();
    }
    // Some stop on their own before the shutdown.
    for a in actors.iter().take(10) {
        within(a.stop()).await.unwrap();
    }
    assert!(metrics.num_alive_tasks() >= 270);
    within(runtime.shutdown()).await;
    // `shutdown` has awaited every actor task's JoinHandle. tokio wakes a
    // JoinHandle a few instructions before it drops the finished task from
    // its alive count, so give that bookkeeping a bounded moment.
    within(async {
        while metrics.num_alive_tasks() != before {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(runtime.actor_count(), 0);
}

on_both_runtimes!(
    shutdown_stops_in_reverse_spawn_order_and_waits,
    spawn_after_shutdown_returns_a_stopped_ref,
    concurrent_shutdowns_both_wait_for_the_end,
    no_task_survives_shutdown,
);
