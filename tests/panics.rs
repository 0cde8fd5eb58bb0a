//! Panic isolation: a panic in a handler, in `step`, in `on_start`, in
//! `on_stop`, in `on_panic` or in the crash policy affects only its actor,
//! never hangs an asker, and is reported to the crash policy.

mod support;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use support::within;
use tractor::prelude::*;

/// Remembers every crash it is told of.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Crash>>>);

impl Recorder {
    fn crashes(&self) -> Vec<Crash> {
        self.0.lock().unwrap().clone()
    }
}

impl CrashPolicy for Recorder {
    fn on_crash(&self, crash: &Crash) {
        self.0.lock().unwrap().push(crash.clone());
    }
}

/// Keeps a count; survives or not depending on `survive`.
#[derive(Default)]
struct Tally {
    count: i64,
    survive: bool,
    panic_in_start: bool,
    panic_in_stop: bool,
    panic_in_on_panic: bool,
    panics_seen: Vec<String>,
}

impl Actor for Tally {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if self.panic_in_start {
            panic!("cannot start");
        }
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        if self.panic_in_stop {
            panic!("cannot stop");
        }
    }

    async fn on_panic(&mut self, _ctx: &mut Context<Self>, panic: &Panic) -> ControlFlow {
        self.panics_seen.push(panic.message().to_owned());
        if self.panic_in_on_panic {
            panic!("cannot decide");
        }
        if self.survive { ControlFlow::Continue } else { ControlFlow::Stop }
    }
}

struct Add(i64);

impl Message<Tally> for Add {
    type Reply = i64;
    async fn handle(self, t: &mut Tally, _: &mut Context<Tally>) -> i64 {
        t.count += self.0;
        t.count
    }
}

/// Panics after changing the state: the change stays (no rollback).
struct AddThenPanic(i64);

impl Message<Tally> for AddThenPanic {
    type Reply = i64;
    async fn handle(self, t: &mut Tally, _: &mut Context<Tally>) -> i64 {
        t.count += self.0;
        panic!("bad input {}", self.0)
    }
}

/// Panics after an await point, so the panic happens in a later poll.
struct PanicLater;

impl Message<Tally> for PanicLater {
    type Reply = ();
    async fn handle(self, _: &mut Tally, _: &mut Context<Tally>) {
        tokio::task::yield_now().await;
        panic!("late panic")
    }
}

struct Seen;

impl Message<Tally> for Seen {
    type Reply = Vec<String>;
    async fn handle(self, t: &mut Tally, _: &mut Context<Tally>) -> Vec<String> {
        t.panics_seen.clone()
    }
}

fn runtime_with(recorder: &Recorder) -> Runtime {
    Runtime::builder().crash_policy(recorder.clone()).build()
}

async fn panicking_handler_fails_its_asker_and_stops_by_default() {
    let recorder = Recorder::default();
    let runtime = runtime_with(&recorder);
    let tally = runtime.spawn(Tally::default());
    let bystander = runtime.spawn(Tally::default());
    let err = within(tally.ask(AddThenPanic(1))).await.unwrap_err();
    assert!(err.is_panicked(), "{err}");
    assert!(err.to_string().contains("panicked while handling `AddThenPanic`"), "{err}");
    assert!(matches!(within(tally.wait()).await, StopReason::Panicked(p) if p.message() == "bad input 1"));
    assert!(within(tally.ask(Add(1))).await.unwrap_err().is_stopped());
    // Nobody else is affected.
    assert_eq!(within(bystander.ask(Add(2))).await.unwrap(), 2);
    let crashes = recorder.crashes();
    assert_eq!(crashes.len(), 1);
    let crash = &crashes[0];
    assert_eq!(crash.actor_id(), tally.id());
    assert!(crash.actor_type().ends_with("Tally"));
    assert!(crash.message_type().unwrap().ends_with("AddThenPanic"));
    assert_eq!(crash.panic_message(), "bad input 1");
    assert_eq!(crash.decision(), ControlFlow::Stop);
    within(runtime.shutdown()).await;
}

async fn on_panic_continue_keeps_the_state() {
    let recorder = Recorder::default();
    let runtime = runtime_with(&recorder);
    let tally = runtime.spawn(Tally { survive: true, ..Tally::default() });
    assert_eq!(within(tally.ask(Add(10))).await.unwrap(), 10);
    assert!(within(tally.ask(AddThenPanic(5))).await.unwrap_err().is_panicked());
    assert!(within(tally.ask(PanicLater)).await.unwrap_err().is_panicked());
    // The state is what the handlers left, and the actor goes on.
    assert_eq!(within(tally.ask(Add(1))).await.unwrap(), 16);
    assert_eq!(within(tally.ask(Seen)).await.unwrap(), ["bad input 5", "late panic"]);
    let decisions: Vec<_> = recorder.crashes().iter().map(Crash::decision).collect();
    assert_eq!(decisions, [ControlFlow::Continue, ControlFlow::Continue]);
    within(runtime.shutdown()).await;
}

async fn a_told_panic_is_reported_too() {
    let recorder = Recorder::default();
    let runtime = runtime_with(&recorder);
    let tally = runtime.spawn(Tally { survive: true, ..Tally::default() });
    within(tally.tell(AddThenPanic(1))).await.unwrap();
    assert_eq!(within(tally.ask(Add(1))).await.unwrap(), 2);
    assert_eq!(recorder.crashes().len(), 1);
    within(runtime.shutdown()).await;
}

async fn on_start_panic_is_terminal_even_with_continue() {
    let recorder = Recorder::default();
    let runtime = runtime_with(&recorder);
    let tally = runtime.spawn(Tally { survive: true, panic_in_start: true, ..Tally::default() });
    assert!(matches!(within(tally.wait()).await, StopReason::Panicked(p) if p.message() == "cannot start"));
    assert!(within(tally.ask(Add(1))).await.unwrap_err().is_stopped());
    let crashes = recorder.crashes();
    assert_eq!(crashes.len(), 1);
    assert_eq!(crashes[0].message_type(), None);
    assert_eq!(crashes[0].decision(), ControlFlow::Stop, "Continue is ignored for a failed start");
    within(runtime.shutdown()).await;
}

/// Panics in `step` on its second call.
struct Stepper {
    steps: u32,
    survive: bool,
}

impl Actor for Stepper {
    async fn step(&mut self, ctx: &mut Context<Self>) -> Step<Self> {
        self.steps += 1;
        if self.steps == 2 {
            panic!("step {}", self.steps);
        }
        ctx.recv().await
    }

    async fn on_panic(&mut self, _: &mut Context<Self>, _: &Panic) -> ControlFlow {
        if self.survive { ControlFlow::Continue } else { ControlFlow::Stop }
    }
}

struct Steps;

impl Message<Stepper> for Steps {
    type Reply = u32;
    async fn handle(self, s: &mut Stepper, _: &mut Context<Stepper>) -> u32 {
        s.steps
    }
}

async fn panic_in_step_is_isolated() {
    let recorder = Recorder::default();
    let runtime = runtime_with(&recorder);
    let survivor = runtime.spawn(Stepper { steps: 0, survive: true });
    assert_eq!(within(survivor.ask(Steps)).await.unwrap(), 1);
    // Step 2 panics; step 3 receives this ask.
    assert_eq!(within(survivor.ask(Steps)).await.unwrap(), 3);

    let quitter = runtime.spawn(Stepper { steps: 0, survive: false });
    assert_eq!(within(quitter.ask(Steps)).await.unwrap(), 1);
    assert!(matches!(within(quitter.wait()).await, StopReason::Panicked(p) if p.message() == "step 2"));

    let crashes = recorder.crashes();
    assert_eq!(crashes.len(), 2);
    assert!(crashes.iter().all(|c| c.message_type().is_none() && c.panic_message() == "step 2"));
    assert_eq!(crashes[0].decision(), ControlFlow::Continue);
    assert_eq!(crashes[1].decision(), ControlFlow::Stop);
    within(runtime.shutdown()).await;
}

async fn panic_in_on_stop_and_on_panic_is_contained() {
    let recorder = Recorder::default();
    let runtime = runtime_with(&recorder);
    let bad_stop = runtime.spawn(Tally { panic_in_stop: true, ..Tally::default() });
    within(bad_stop.stop()).await.unwrap();
    assert!(within(bad_stop.wait()).await.is_normal());

    let bad_decider = runtime.spawn(Tally { survive: true, panic_in_on_panic: true, ..Tally::default() });
    assert!(within(bad_decider.ask(AddThenPanic(1))).await.unwrap_err().is_panicked());
    // A panicking on_panic counts as Stop.
    assert!(matches!(within(bad_decider.wait()).await, StopReason::Panicked(_)));
    assert_eq!(recorder.crashes().last().unwrap().decision(), ControlFlow::Stop);

    let fine = runtime.spawn(Tally::default());
    assert_eq!(within(fine.ask(Add(3))).await.unwrap(), 3);
    within(runtime.shutdown()).await;
}

async fn a_panicking_crash_policy_changes_nothing() {
    let runtime = Runtime::builder().crash_policy(|_: &Crash| panic!("policy is broken")).build();
    let tally = runtime.spawn(Tally { survive: true, ..Tally::default() });
    assert!(within(tally.ask(AddThenPanic(1))).await.unwrap_err().is_panicked());
    assert_eq!(within(tally.ask(Add(1))).await.unwrap(), 2);
    let other = runtime.spawn(Tally::default());
    assert_eq!(within(other.ask(Add(5))).await.unwrap(), 5);
    within(runtime.shutdown()).await;
    assert_eq!(runtime.actor_count(), 0);
}

/// Parks the actor until the notify fires.
struct Hold(Arc<tokio::sync::Notify>);

impl Message<Tally> for Hold {
    type Reply = ();
    async fn handle(self, _: &mut Tally, _: &mut Context<Tally>) {
        self.0.notified().await;
    }
}

/// Polls `fut` once.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

/// One asker's ask, `i`-th in the queue: every third one panics.
fn ask_number(
    tally: &ActorRef<Tally>,
    i: usize,
) -> Pin<Box<dyn Future<Output = Result<i64, tractor::Error>> + Send + '_>> {
    if i.is_multiple_of(3) {
        Box::pin(tally.ask(AddThenPanic(1)).into_future())
    } else {
        Box::pin(tally.ask(Add(1)).into_future())
    }
}

/// Fifty askers, each on its own task, queued in a known order behind a
/// parked handler. Returns their results in queue order.
async fn fifty_queued_askers(tally: &ActorRef<Tally>) -> Vec<Result<i64, tractor::Error>> {
    let release = Arc::new(tokio::sync::Notify::new());
    within(tally.tell(Hold(release.clone()))).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let tally = tally.clone();
        let (sent_tx, sent) = tokio::sync::oneshot::channel();
        tasks.push(tokio::spawn(async move {
            // The first poll delivers the ask: say so, then wait for the reply.
            let mut ask = ask_number(&tally, i);
            assert!(poll_once(&mut ask).await.is_pending(), "answered behind a parked handler");
            let _ = sent_tx.send(());
            within(ask).await
        }));
        // The next asker sends only once this one's ask is queued.
        within(sent).await.unwrap();
    }
    release.notify_one();
    let mut results = Vec::new();
    for task in tasks {
        results.push(within(task).await.unwrap());
    }
    results
}

async fn many_askers_of_a_panicking_actor_all_resolve() {
    // It survives its panics: each panicking ask fails with is_panicked,
    // every other one is answered, in queue order, and every add counts.
    let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
    let tally = runtime.spawn(Tally { survive: true, ..Tally::default() });
    for (i, result) in fifty_queued_askers(&tally).await.into_iter().enumerate() {
        match result {
            Err(e) if i.is_multiple_of(3) => assert!(e.is_panicked() && !e.is_stopped(), "asker {i}: {e}"),
            Ok(n) if !i.is_multiple_of(3) => assert_eq!(n, i as i64 + 1, "asker {i}"),
            other => panic!("asker {i} got {other:?}"),
        }
    }
    assert_eq!(within(tally.ask(Add(0))).await.unwrap(), 50);

    // It stops at its first panic: the asker of that message gets
    // is_panicked, every one queued behind it is_stopped.
    let tally = runtime.spawn(Tally::default());
    for (i, result) in fifty_queued_askers(&tally).await.into_iter().enumerate() {
        let e = result.expect_err("the first ask panics and stops the actor");
        if i == 0 {
            assert!(e.is_panicked() && !e.is_stopped(), "the asker of the panicking message: {e}");
        } else {
            assert!(e.is_stopped() && !e.is_panicked(), "asker {i}, queued behind the panic: {e}");
        }
    }
    assert!(matches!(within(tally.wait()).await, StopReason::Panicked(_)));
    within(runtime.shutdown()).await;
}

on_both_runtimes!(
    panicking_handler_fails_its_asker_and_stops_by_default,
    on_panic_continue_keeps_the_state,
    a_told_panic_is_reported_too,
    on_start_panic_is_terminal_even_with_continue,
    panic_in_step_is_isolated,
    panic_in_on_stop_and_on_panic_is_contained,
    a_panicking_crash_policy_changes_nothing,
    many_askers_of_a_panicking_actor_all_resolve,
);
