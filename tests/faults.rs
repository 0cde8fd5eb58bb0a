//! Faults in user code — a panicking `on_stop`, a panicking `on_panic`, a
//! panicking `CrashPolicy`, an `on_start` that never returns (then `kill`),
//! a handler that blocks its worker thread — each affect only their own
//! actor: a bystander keeps answering, asks resolve, `on_stop` runs once per
//! actor, and shutdown completes.

mod harness;
mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::{EXPECTED, quiet_expected_panics};
use support::{Log, within};
use tokio::sync::oneshot;
use tractor::prelude::*;

/// An actor that must not notice its neighbours' faults.
#[derive(Actor, Default)]
struct Bystander {
    count: u64,
}

#[actor]
impl Bystander {
    #[message]
    fn bump(&mut self) -> u64 {
        self.count += 1;
        self.count
    }
}

/// Asks the bystander `n` times and checks it counts on from `from`.
async fn bystander_counts(bystander: &ActorRef<Bystander>, from: u64, n: u64) {
    for i in 1..=n {
        assert_eq!(within(bystander.bump()).await.unwrap(), from + i, "the bystander was disturbed");
    }
}

/// Which hook misbehaves.
#[derive(Clone, Copy, Default, PartialEq)]
enum Fault {
    #[default]
    None,
    PanicInStop,
    PanicInOnPanic,
    HangInStart,
}

/// An actor with one fault; it logs `start <name>` / `stop <name> <reason>`.
#[derive(Default)]
struct Faulty {
    name: &'static str,
    fault: Fault,
    log: Log,
    /// `on_panic`'s decision when it does not panic itself.
    survive: bool,
    started: Option<oneshot::Sender<()>>,
    children: Vec<Faulty>,
}

impl Faulty {
    fn new(name: &'static str, fault: Fault, log: &Log) -> Self {
        Faulty { name, fault, log: log.clone(), ..Faulty::default() }
    }
}

impl Actor for Faulty {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.log.push(format!("start {}", self.name));
        for child in std::mem::take(&mut self.children) {
            let _ = ctx.spawn(child);
        }
        if let Some(started) = self.started.take() {
            let _ = started.send(());
        }
        if self.fault == Fault::HangInStart {
            std::future::pending::<()>().await;
        }
        Ok(())
    }

    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        let kind = match reason {
            StopReason::Normal => "normal",
            StopReason::Killed => "killed",
            StopReason::Panicked(_) => "panicked",
            StopReason::StartFailed(_) => "start failed",
        };
        self.log.push(format!("stop {} {kind}", self.name));
        if self.fault == Fault::PanicInStop {
            panic!("{EXPECTED} on_stop of {}", self.name);
        }
    }

    async fn on_panic(&mut self, _: &mut Context<Self>, _: &Panic) -> ControlFlow {
        if self.fault == Fault::PanicInOnPanic {
            panic!("{EXPECTED} on_panic of {}", self.name);
        }
        if self.survive { ControlFlow::Continue } else { ControlFlow::Stop }
    }
}

/// Replies with the actor's name.
struct Name;

impl Message<Faulty> for Name {
    type Reply = &'static str;
    async fn handle(self, f: &mut Faulty, _: &mut Context<Faulty>) -> &'static str {
        f.name
    }
}

/// Panics in the handler.
struct Explode;

impl Message<Faulty> for Explode {
    type Reply = ();
    async fn handle(self, f: &mut Faulty, _: &mut Context<Faulty>) {
        panic!("{EXPECTED} handler of {}", f.name)
    }
}

/// Remembers every crash it is told of.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Crash>>>);

impl CrashPolicy for Recorder {
    fn on_crash(&self, crash: &Crash) {
        self.0.lock().unwrap().push(crash.clone());
    }
}

// ---------------------------------------------------------------------------

async fn a_panicking_on_stop_affects_only_its_actor() {
    quiet_expected_panics();
    let runtime = Runtime::builder().crash_policy(Recorder::default()).build();
    let log = Log::default();
    let bystander = runtime.spawn(Bystander::default());
    let calm = runtime.spawn(Faulty::new("calm", Fault::None, &log));

    // Stopped, killed, or stopped as the child of a calm parent: each time
    // the panic in `on_stop` is contained and the actor still ends properly.
    let stopped = runtime.spawn(Faulty::new("stopped", Fault::PanicInStop, &log));
    assert_eq!(within(stopped.ask(Name)).await.unwrap(), "stopped");
    within(stopped.stop()).await.expect("stop() resolves although on_stop panicked");
    assert!(within(stopped.wait()).await.is_normal());
    assert!(within(stopped.ask(Name)).await.unwrap_err().is_stopped());

    let killed = runtime.spawn(Faulty::new("killed", Fault::PanicInStop, &log));
    assert_eq!(within(killed.ask(Name)).await.unwrap(), "killed");
    killed.kill();
    assert!(matches!(within(killed.wait()).await, StopReason::Killed));

    let mut parent = Faulty::new("parent", Fault::None, &log);
    parent.children.push(Faulty::new("child", Fault::PanicInStop, &log));
    let parent = runtime.spawn(parent);
    assert_eq!(within(parent.ask(Name)).await.unwrap(), "parent");
    within(parent.stop()).await.unwrap();

    bystander_counts(&bystander, 0, 5).await;
    assert_eq!(within(calm.ask(Name)).await.unwrap(), "calm");
    assert_eq!(runtime.actor_count(), 2, "only the bystander and `calm` are left");

    // One more that panics in `on_stop` during the shutdown: the shutdown
    // still stops everyone and returns.
    let last = runtime.spawn(Faulty::new("last", Fault::PanicInStop, &log));
    assert_eq!(within(last.ask(Name)).await.unwrap(), "last");
    within(runtime.shutdown()).await;
    assert_eq!(runtime.actor_count(), 0);
    assert!(!bystander.is_alive() && !calm.is_alive() && !last.is_alive());
    for stop in
        ["stop stopped normal", "stop killed killed", "stop child normal", "stop parent normal", "stop calm normal"]
    {
        assert_eq!(log.count(stop), 1, "{stop}: {:?}", log.events());
    }
    assert_eq!(log.count("stop last normal"), 1);
    // Children stop before their parent's on_stop, even a child whose
    // on_stop panics.
    let events = log.events();
    let position = |e: &str| events.iter().position(|x| x == e).unwrap();
    assert!(position("stop child normal") < position("stop parent normal"));
}

async fn a_panicking_on_panic_stops_only_its_actor() {
    quiet_expected_panics();
    let recorder = Recorder::default();
    let runtime = Runtime::builder().crash_policy(recorder.clone()).build();
    let log = Log::default();
    let bystander = runtime.spawn(Bystander::default());
    // It would survive, but its on_panic panics: that counts as Stop.
    let faulty = runtime.spawn(Faulty { survive: true, ..Faulty::new("faulty", Fault::PanicInOnPanic, &log) });
    bystander_counts(&bystander, 0, 2).await;
    let err = within(faulty.ask(Explode)).await.unwrap_err();
    assert!(err.is_panicked(), "{err}");
    let reason = within(faulty.wait()).await;
    assert!(
        matches!(&reason, StopReason::Panicked(p) if p.message().contains("handler of faulty")),
        "the stop reason is the handler's panic: {reason:?}"
    );
    assert!(within(faulty.ask(Name)).await.unwrap_err().is_stopped());
    assert_eq!(log.count("stop faulty panicked"), 1);
    let crashes = recorder.0.lock().unwrap().clone();
    assert_eq!(crashes.len(), 1);
    assert_eq!(crashes[0].actor_id(), faulty.id());
    assert_eq!(crashes[0].decision(), ControlFlow::Stop);
    bystander_counts(&bystander, 2, 3).await;
    within(runtime.shutdown()).await;
    assert_eq!(runtime.actor_count(), 0);
}

/// A crash policy that panics every time it is told of a crash.
#[derive(Clone, Default)]
struct PanickingPolicy(Arc<AtomicUsize>);

impl CrashPolicy for PanickingPolicy {
    fn on_crash(&self, crash: &Crash) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("{EXPECTED} crash policy told of {}", crash.actor_id());
    }
}

async fn a_panicking_crash_policy_changes_no_decision() {
    quiet_expected_panics();
    let policy = PanickingPolicy::default();
    let runtime = Runtime::builder().crash_policy(policy.clone()).build();
    let log = Log::default();
    let bystander = runtime.spawn(Bystander::default());
    let survivor = runtime.spawn(Faulty { survive: true, ..Faulty::new("survivor", Fault::None, &log) });
    let quitter = runtime.spawn(Faulty::new("quitter", Fault::None, &log));
    for _ in 0..3 {
        assert!(within(survivor.ask(Explode)).await.unwrap_err().is_panicked());
        assert_eq!(within(survivor.ask(Name)).await.unwrap(), "survivor", "on_panic said Continue");
    }
    assert!(within(quitter.ask(Explode)).await.unwrap_err().is_panicked());
    assert!(matches!(within(quitter.wait()).await, StopReason::Panicked(_)), "on_panic said Stop");
    bystander_counts(&bystander, 0, 3).await;
    assert_eq!(policy.0.load(Ordering::SeqCst), 4, "the policy was told of every crash");
    assert!(survivor.is_alive());
    within(runtime.shutdown()).await;
    assert_eq!(log.count("stop survivor normal"), 1);
    assert_eq!(log.count("stop quitter panicked"), 1);
}

async fn a_hung_on_start_is_killed_and_affects_only_its_actor() {
    let runtime = Runtime::new();
    let log = Log::default();
    let bystander = runtime.spawn(Bystander::default());
    let (started, hung) = oneshot::channel();
    let stuck = runtime.spawn(Faulty { started: Some(started), ..Faulty::new("stuck", Fault::HangInStart, &log) });
    within(hung).await.unwrap();
    // Its mailbox takes messages but nothing is handled while on_start hangs.
    let waiting: Vec<_> = (0..3)
        .map(|_| {
            let stuck = stuck.clone();
            tokio::spawn(async move { stuck.ask(Name).await })
        })
        .collect();
    let err = within(stuck.ask(Name).timeout(Duration::from_millis(20))).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    bystander_counts(&bystander, 0, 5).await;
    assert_eq!(runtime.actor_count(), 2);

    stuck.kill();
    assert!(matches!(within(stuck.wait()).await, StopReason::Killed));
    for ask in waiting {
        let err = within(ask).await.unwrap().unwrap_err();
        assert!(err.is_stopped(), "a queued ask of a killed actor gets is_stopped: {err}");
    }
    assert_eq!(log.events(), ["start stuck", "stop stuck killed"], "on_stop runs even after a hung start");
    bystander_counts(&bystander, 5, 2).await;
    within(runtime.shutdown()).await;
    assert_eq!(runtime.actor_count(), 0);
}

/// Blocks its worker thread (a synchronous call where an await belonged).
#[derive(Actor)]
struct Blocker {
    started: Option<oneshot::Sender<()>>,
    done: Arc<AtomicBool>,
}

#[actor]
impl Blocker {
    #[message]
    fn block(&mut self, millis: u64) -> u64 {
        if let Some(started) = self.started.take() {
            let _ = started.send(());
        }
        std::thread::sleep(Duration::from_millis(millis));
        self.done.store(true, Ordering::SeqCst);
        millis
    }
}

/// Multi-thread runtime only: on a current-thread runtime a blocking handler
/// blocks the one thread every actor shares, which is tokio's nature, not
/// something an actor runtime can contain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_handler_delays_only_its_actor() {
    let runtime = Runtime::new();
    let bystander = runtime.spawn(Bystander::default());
    let (started, blocking) = oneshot::channel();
    let done = Arc::new(AtomicBool::new(false));
    let blocker = runtime.spawn(Blocker { started: Some(started), done: Arc::clone(&done) });
    let blocked = {
        let blocker = blocker.clone();
        tokio::spawn(async move { blocker.block(400).await })
    };
    within(blocking).await.unwrap();
    // While one worker thread sleeps inside the handler, the other serves
    // everyone else.
    bystander_counts(&bystander, 0, 50).await;
    assert!(!done.load(Ordering::SeqCst), "the bystander had to wait for the blocked thread");
    // The blocked actor answers once its handler returns, and goes on.
    assert_eq!(within(blocked).await.unwrap().unwrap(), 400);
    assert_eq!(within(blocker.block(0)).await.unwrap(), 0);
    within(runtime.shutdown()).await;
    assert_eq!(runtime.actor_count(), 0);
}

on_both_runtimes!(
    a_panicking_on_stop_affects_only_its_actor,
    a_panicking_on_panic_stops_only_its_actor,
    a_panicking_crash_policy_changes_no_decision,
    a_hung_on_start_is_killed_and_affects_only_its_actor,
);
