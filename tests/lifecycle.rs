//! Lifecycle: `on_start` before any message, `on_stop` exactly once on every
//! way out, graceful stop, kill, children, and what dropping every ref does.

mod support;

use std::sync::Arc;

use support::{Log, within};
use tokio::sync::Notify;
use tractor::prelude::*;

/// Logs its lifecycle; can be told to fail or hang in `on_start`.
struct Probe {
    name: &'static str,
    log: Log,
    start: Start,
}

#[derive(Clone)]
enum Start {
    Ok,
    Fail,
    Hang,
}

impl Probe {
    fn new(name: &'static str, log: &Log) -> Self {
        Probe { name, log: log.clone(), start: Start::Ok }
    }
}

impl Actor for Probe {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.log.push(format!("{} start", self.name));
        match self.start {
            Start::Ok => Ok(()),
            Start::Fail => Err("no database".into()),
            Start::Hang => std::future::pending().await,
        }
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
        let reason = match reason {
            StopReason::Normal => "normal",
            StopReason::Killed => "killed",
            StopReason::Panicked(_) => "panicked",
            StopReason::StartFailed(_) => "start failed",
            StopReason::NodeLost(_) => "node lost",
        };
        self.log.push(format!("{} stop {reason}", self.name));
    }
}

/// Logs that it was handled.
struct Note(&'static str);

impl Message<Probe> for Note {
    type Reply = ();
    async fn handle(self, probe: &mut Probe, _ctx: &mut Context<Probe>) {
        probe.log.push(format!("{} {}", probe.name, self.0));
    }
}

/// Parks until the notify fires.
struct Gate(Arc<Notify>);

impl Message<Probe> for Gate {
    type Reply = ();
    async fn handle(self, probe: &mut Probe, _ctx: &mut Context<Probe>) {
        probe.log.push(format!("{} gate", probe.name));
        self.0.notified().await;
    }
}

/// Panics.
struct Boom;

impl Message<Probe> for Boom {
    type Reply = ();
    async fn handle(self, _: &mut Probe, _: &mut Context<Probe>) {
        panic!("boom")
    }
}

/// Asks the actor to stop itself.
struct StopYourself;

impl Message<Probe> for StopYourself {
    type Reply = ();
    async fn handle(self, _: &mut Probe, ctx: &mut Context<Probe>) {
        ctx.stop();
    }
}

/// Spawns a child probe.
struct SpawnChild(&'static str);

impl Message<Probe> for SpawnChild {
    type Reply = ActorRef<Probe>;
    async fn handle(self, probe: &mut Probe, ctx: &mut Context<Probe>) -> ActorRef<Probe> {
        let child = Probe::new(self.0, &probe.log);
        ctx.spawn(child)
    }
}

async fn on_start_runs_before_any_message() {
    let runtime = Runtime::new();
    let log = Log::default();
    let probe = runtime.spawn(Probe::new("p", &log));
    // Sent before the actor's task could have run at all.
    probe.try_tell(Note("first")).unwrap();
    within(probe.ask(Note("second"))).await.unwrap();
    assert_eq!(log.events(), ["p start", "p first", "p second"]);
    within(runtime.shutdown()).await;
}

async fn graceful_stop_handles_queued_messages_first() {
    let runtime = Runtime::new();
    let log = Log::default();
    let probe = runtime.spawn(Probe::new("p", &log));
    let gate = Arc::new(Notify::new());
    within(probe.tell(Gate(gate.clone()))).await.unwrap();
    for note in ["a", "b", "c"] {
        within(probe.tell(Note(note))).await.unwrap();
    }
    let stopping = tokio::spawn({
        let probe = probe.clone();
        async move { probe.stop().await }
    });
    // Wait until the stop is in force: later sends fail at once.
    within(async {
        while probe.try_tell(Note("late")).is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    gate.notify_one();
    within(stopping).await.unwrap().unwrap();
    let events = log.events();
    assert_eq!(
        events.iter().filter(|e| !e.ends_with("late")).cloned().collect::<Vec<_>>(),
        ["p start", "p gate", "p a", "p b", "p c", "p stop normal"],
    );
    assert!(within(probe.tell(Note("after"))).await.unwrap_err().is_stopped());
    assert!(within(probe.wait()).await.is_normal());
    assert!(!probe.is_alive());
}

async fn ctx_stop_finishes_the_queue_then_stops() {
    let runtime = Runtime::new();
    let log = Log::default();
    let probe = runtime.spawn(Probe::new("p", &log));
    let gate = Arc::new(Notify::new());
    within(probe.tell(Gate(gate.clone()))).await.unwrap();
    within(probe.tell(StopYourself)).await.unwrap();
    within(probe.tell(Note("queued"))).await.unwrap();
    gate.notify_one();
    assert!(within(probe.wait()).await.is_normal());
    assert_eq!(log.events(), ["p start", "p gate", "p queued", "p stop normal"]);
}

async fn on_stop_runs_exactly_once_on_every_way_out() {
    let runtime = Runtime::new();
    let log = Log::default();

    let stopped = runtime.spawn(Probe::new("stopped", &log));
    within(stopped.stop()).await.unwrap();
    within(stopped.stop()).await.expect("a second stop is no error: the actor is stopped, as asked");

    let crashed = runtime.spawn(Probe::new("crashed", &log));
    assert!(within(crashed.ask(Boom)).await.unwrap_err().is_panicked());
    assert!(matches!(within(crashed.wait()).await, StopReason::Panicked(p) if p.message() == "boom"));

    let failed = runtime.spawn(Probe { start: Start::Fail, ..Probe::new("failed", &log) });
    match within(failed.wait()).await {
        StopReason::StartFailed(e) => assert_eq!(e.to_string(), "no database"),
        other => panic!("expected StartFailed, got {other:?}"),
    }

    let killed = runtime.spawn(Probe::new("killed", &log));
    within(killed.ask(Note("alive"))).await.unwrap();
    killed.kill();
    killed.kill();
    assert!(matches!(within(killed.wait()).await, StopReason::Killed));

    let shut = runtime.spawn(Probe::new("shut", &log));
    within(shut.ask(Note("alive"))).await.unwrap();
    within(runtime.shutdown()).await;

    for (name, reason) in [
        ("stopped", "normal"),
        ("crashed", "panicked"),
        ("failed", "start failed"),
        ("killed", "killed"),
        ("shut", "normal"),
    ] {
        let stops: Vec<_> = log.events().into_iter().filter(|e| e.starts_with(&format!("{name} stop"))).collect();
        assert_eq!(stops, [format!("{name} stop {reason}")], "{name}");
    }
}

/// Says it is being handled, then parks forever.
struct Park(tokio::sync::oneshot::Sender<()>);

impl Message<Probe> for Park {
    type Reply = ();
    async fn handle(self, _: &mut Probe, _: &mut Context<Probe>) {
        let _ = self.0.send(());
        std::future::pending::<()>().await
    }
}

async fn kill_resolves_in_flight_and_queued_asks() {
    let runtime = Runtime::new();
    let log = Log::default();
    let probe = runtime.spawn(Probe::new("p", &log));
    let (entered_tx, entered) = tokio::sync::oneshot::channel();
    let mut in_flight = Box::pin(probe.ask(Park(entered_tx)).into_future());
    assert!(poll_once(&mut in_flight).await.is_pending());
    within(entered).await.unwrap();
    // The first poll of an ask delivers it (the mailbox has room): once
    // polled, each of these is queued behind the parked handler.
    let mut queued: Vec<_> = (0..5).map(|_| Box::pin(probe.ask(Note("queued")).into_future())).collect();
    for ask in &mut queued {
        assert!(poll_once(ask).await.is_pending(), "answered behind a parked handler");
    }
    probe.kill();
    assert!(within(in_flight).await.unwrap_err().is_stopped());
    for ask in queued {
        let err = within(ask).await.expect_err("a kill handled a message queued behind the dropped handler");
        assert!(err.is_stopped(), "{err}");
    }
    assert!(matches!(within(probe.wait()).await, StopReason::Killed));
    assert_eq!(log.events(), ["p start", "p stop killed"], "nothing queued was handled");
    assert!(within(probe.ask(Note("after"))).await.unwrap_err().is_stopped());
}

async fn kill_works_while_on_start_hangs() {
    let runtime = Runtime::new();
    let log = Log::default();
    let probe = runtime.spawn(Probe { start: Start::Hang, ..Probe::new("p", &log) });
    let asks: Vec<_> = (0..3)
        .map(|_| {
            let probe = probe.clone();
            tokio::spawn(async move { probe.ask(Note("never")).await })
        })
        .collect();
    within(async {
        while log.count("p start") == 0 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    probe.kill();
    for ask in asks {
        assert!(within(ask).await.unwrap().unwrap_err().is_stopped());
    }
    assert!(matches!(within(probe.wait()).await, StopReason::Killed));
    assert_eq!(log.events(), ["p start", "p stop killed"]);
}

async fn children_stop_before_their_parents_on_stop() {
    let runtime = Runtime::new();
    let log = Log::default();
    let parent = runtime.spawn(Probe::new("parent", &log));
    let first = within(parent.ask(SpawnChild("first"))).await.unwrap();
    let second = within(parent.ask(SpawnChild("second"))).await.unwrap();
    within(first.ask(Note("hi"))).await.unwrap();
    within(second.ask(Note("hi"))).await.unwrap();
    within(parent.stop()).await.unwrap();
    let stops: Vec<_> = log.events().into_iter().filter(|e| e.contains(" stop ")).collect();
    assert_eq!(stops, ["second stop normal", "first stop normal", "parent stop normal"]);
    assert!(!first.is_alive() && !second.is_alive());
}

async fn dropping_every_ref_stops_the_actor() {
    let runtime = Runtime::new();
    let log = Log::default();
    let probe = runtime.spawn(Probe::new("p", &log));
    within(probe.tell(Note("one"))).await.unwrap();
    within(probe.tell(Note("two"))).await.unwrap();
    drop(probe);
    // Queued messages are still handled, then the actor stops normally.
    within(async {
        while runtime.actor_count() != 0 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(log.events(), ["p start", "p one", "p two", "p stop normal"]);
}

async fn actor_count_counts_actors_not_yet_stopped() {
    let runtime = Runtime::new();
    let log = Log::default();
    assert_eq!(runtime.actor_count(), 0);
    let a = runtime.spawn(Probe::new("a", &log));
    let b = runtime.spawn(Probe::new("b", &log));
    assert_eq!(runtime.actor_count(), 2);
    within(a.stop()).await.unwrap();
    assert_eq!(runtime.actor_count(), 1);
    b.kill();
    within(b.wait()).await;
    assert_eq!(runtime.actor_count(), 0);
}

// ---------------------------------------------------------------------------
// Part 1 clarified: children are owned by their parent, weak refs, and an
// idempotent stop.

/// Spawns children in `on_start` and keeps no ref to them: only weak ones,
/// handed out through `weak`.
struct Parent {
    log: Log,
    weak: Option<tokio::sync::oneshot::Sender<Vec<WeakActorRef<Probe>>>>,
}

impl Actor for Parent {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let a = ctx.spawn(Probe::new("a", &self.log));
        let b = ctx.spawn(Probe::new("b", &self.log));
        let weak = vec![a.downgrade(), b.downgrade()];
        drop((a, b));
        let _ = self.weak.take().unwrap().send(weak);
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        self.log.push("parent stop");
    }
}

struct Ready;

impl Message<Parent> for Ready {
    type Reply = ();
    async fn handle(self, _: &mut Parent, _: &mut Context<Parent>) {}
}

async fn children_live_as_long_as_their_parent_without_refs() {
    let runtime = Runtime::new();
    let log = Log::default();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let parent = runtime.spawn(Parent { log: log.clone(), weak: Some(tx) });
    within(parent.ask(Ready)).await.unwrap();
    let weak = within(rx).await.unwrap();
    assert_eq!(runtime.actor_count(), 3, "both children outlive their dropped refs");
    for (child, name) in weak.iter().zip(["a", "b"]) {
        let child = child.upgrade().expect("the parent keeps its child alive");
        // More than one message: it is not just draining a last one.
        for i in 0..3 {
            within(child.tell(Note(["one", "two", "three"][i]))).await.unwrap();
        }
        within(child.ask(Note("asked"))).await.unwrap();
        assert_eq!(log.count(&format!("{name} asked")), 1);
    }
    assert!(!log.events().iter().any(|e| e.ends_with("stop normal")), "{:?}", log.events());

    within(parent.stop()).await.unwrap();
    let events = log.events();
    let parent_stop = events.iter().position(|e| e == "parent stop").unwrap();
    for name in ["a", "b"] {
        let child_stop = events.iter().position(|e| *e == format!("{name} stop normal")).unwrap();
        assert!(child_stop < parent_stop, "children stop before their parent's on_stop: {events:?}");
    }
    assert!(weak.iter().all(|w| w.upgrade().is_none()), "stopped children do not upgrade");
    assert_eq!(runtime.actor_count(), 0);
}

async fn a_weak_ref_does_not_keep_a_root_actor_alive() {
    let runtime = Runtime::new();
    let log = Log::default();
    let probe = runtime.spawn(Probe::new("p", &log));
    let weak = probe.downgrade();
    assert_eq!(weak.id(), probe.id());
    assert_eq!(weak.clone(), weak);
    let again = weak.upgrade().expect("alive while a strong ref exists");
    assert_eq!(again, probe);
    within(again.ask(Note("via upgrade"))).await.unwrap();
    drop((probe, again));
    // Only the weak ref is left: the actor drains and stops.
    let mut ticks = 0;
    while runtime.actor_count() > 0 {
        ticks += 1;
        assert!(ticks < 100_000, "a weak ref kept the actor alive");
        tokio::task::yield_now().await;
    }
    assert!(weak.upgrade().is_none());
    assert_eq!(log.events(), ["p start", "p via upgrade", "p stop normal"]);
    assert!(format!("{weak:?}").starts_with("WeakActorRef<Probe>"));
}

/// Polls `fut` once.
async fn poll_once<F: std::future::Future + Unpin>(fut: &mut F) -> std::task::Poll<F::Output> {
    std::future::poll_fn(|cx| std::task::Poll::Ready(std::pin::Pin::new(&mut *fut).poll(cx))).await
}

/// Parks `on_stop` until released, saying when it got there.
struct SlowStop {
    entered: Option<tokio::sync::oneshot::Sender<()>>,
    release: Arc<Notify>,
    log: Log,
}

impl Actor for SlowStop {
    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        let _ = self.entered.take().unwrap().send(());
        self.release.notified().await;
        self.log.push("on_stop done");
    }
}

async fn stop_is_idempotent_and_concurrent_stops_wait_for_on_stop() {
    let runtime = Runtime::new();
    let log = Log::default();
    let release = Arc::new(Notify::new());
    let (entered_tx, entered) = tokio::sync::oneshot::channel();
    let actor = runtime.spawn(SlowStop { entered: Some(entered_tx), release: release.clone(), log: log.clone() });
    let mut first = Box::pin(actor.stop());
    assert!(poll_once(&mut first).await.is_pending(), "the first poll asks for the stop");
    within(entered).await.unwrap();
    // A second stop while `on_stop` runs: it waits for the same end.
    let mut second = Box::pin(actor.stop());
    assert!(poll_once(&mut second).await.is_pending(), "a second stop resolved before on_stop finished");
    assert!(poll_once(&mut first).await.is_pending(), "the first stop resolved before on_stop finished");
    release.notify_one();
    within(first).await.unwrap();
    within(second).await.unwrap();
    assert_eq!(log.events(), ["on_stop done"]);
    // Stopped: a stop now is `Ok` at once, after a kill too.
    within(actor.stop()).await.unwrap();
    let killed = runtime.spawn(Probe::new("k", &log));
    killed.kill();
    within(killed.wait()).await;
    within(killed.stop()).await.unwrap();
}

/// Spawns two children in `on_start` (then fails there if told to) and
/// logs, in its `on_stop`, how many of them were still alive.
struct Guardian {
    log: Log,
    children: Vec<WeakActorRef<Probe>>,
    fail_start: bool,
}

impl Actor for Guardian {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        for name in ["a", "b"] {
            let child = ctx.spawn(Probe::new(name, &self.log));
            self.children.push(child.downgrade());
        }
        if self.fail_start { Err("no database".into()) } else { Ok(()) }
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        let alive = self.children.iter().filter(|w| w.upgrade().is_some_and(|c| c.is_alive())).count();
        self.log.push(format!("guardian stop, {alive} children alive"));
    }
}

#[actor]
impl Guardian {
    #[message]
    fn started(&self) {}

    #[message]
    fn explode(&self) {
        panic!("guardian explodes")
    }

    #[message]
    fn quit(&self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

#[derive(Clone, Copy, Debug)]
enum WayOut {
    Stop,
    Kill,
    Panic,
    CtxStop,
    DropRefs,
    FailedStart,
    Shutdown,
}

/// "Children (`ctx.spawn`) are stopped before their parent's `on_stop`
/// runs", on every way out: `on_stop` itself sees them stopped.
async fn children_are_stopped_before_on_stop_on_every_way_out() {
    for way in [
        WayOut::Stop,
        WayOut::Kill,
        WayOut::Panic,
        WayOut::CtxStop,
        WayOut::DropRefs,
        WayOut::FailedStart,
        WayOut::Shutdown,
    ] {
        let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
        let log = Log::default();
        let fail_start = matches!(way, WayOut::FailedStart);
        let guardian = runtime.spawn(Guardian { log: log.clone(), children: Vec::new(), fail_start });
        if !fail_start {
            within(guardian.started()).await.unwrap();
        }
        let waiter = guardian.clone();
        match way {
            WayOut::Stop => within(guardian.stop()).await.unwrap(),
            WayOut::Kill => guardian.kill(),
            WayOut::Panic => assert!(within(guardian.explode()).await.unwrap_err().is_panicked()),
            WayOut::CtxStop => within(guardian.quit()).await.unwrap(),
            WayOut::DropRefs | WayOut::FailedStart => {}
            WayOut::Shutdown => within(runtime.shutdown()).await,
        }
        if matches!(way, WayOut::DropRefs) {
            // Only a weak ref is left: the guardian stops by itself.
            let weak = guardian.downgrade();
            drop((guardian, waiter));
            within(async {
                while runtime.actor_count() != 0 {
                    tokio::task::yield_now().await;
                }
            })
            .await;
            assert!(weak.upgrade().is_none());
        } else {
            within(waiter.wait()).await;
        }
        let events = log.events();
        assert!(events.contains(&"guardian stop, 0 children alive".to_owned()), "{way:?}: {events:?}");
        let guardian_stop = events.iter().position(|e| e.starts_with("guardian stop")).unwrap();
        for child in ["a", "b"] {
            let child_stop = events.iter().position(|e| e.starts_with(&format!("{child} stop "))).unwrap();
            assert!(child_stop < guardian_stop, "{way:?}: {events:?}");
        }
        within(runtime.shutdown()).await;
        assert_eq!(runtime.actor_count(), 0, "{way:?}");
    }
}

on_both_runtimes!(
    children_live_as_long_as_their_parent_without_refs,
    children_are_stopped_before_on_stop_on_every_way_out,
    a_weak_ref_does_not_keep_a_root_actor_alive,
    stop_is_idempotent_and_concurrent_stops_wait_for_on_stop,
);

on_both_runtimes!(
    on_start_runs_before_any_message,
    graceful_stop_handles_queued_messages_first,
    ctx_stop_finishes_the_queue_then_stops,
    on_stop_runs_exactly_once_on_every_way_out,
    kill_resolves_in_flight_and_queued_asks,
    kill_works_while_on_start_hangs,
    children_stop_before_their_parents_on_stop,
    dropping_every_ref_stops_the_actor,
    actor_count_counts_actors_not_yet_stopped,
);
