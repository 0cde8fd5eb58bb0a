//! Faults in user code — a panicking `on_stop`, a panicking `on_panic`, a
//! panicking `CrashPolicy`, an `on_start` that never returns (then `kill`),
//! a handler that blocks its worker thread — each affect only their own
//! actor: a bystander keeps answering, asks resolve, `on_stop` runs once per
//! actor, and shutdown completes.

mod harness;
mod support;

use std::future::IntoFuture;
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
            StopReason::NodeLost(_) => "node lost",
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

// ---------------------------------------------------------------------------
// Nothing hangs when a `Drop` panics, when the tokio runtime goes away, or
// when a kill comes while a stop waits for a stuck child (issue 16).

/// Panics when dropped.
struct Bomb(&'static str);

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("{} {EXPECTED}", self.0);
    }
}

/// Records every crash it is told of.
#[derive(Clone, Default)]
struct Crashes(Arc<Mutex<Vec<Crash>>>);

impl CrashPolicy for Crashes {
    fn on_crash(&self, crash: &Crash) {
        self.0.lock().unwrap().push(crash.clone());
    }
}

impl Crashes {
    fn sites(&self) -> Vec<PanicSite> {
        self.0.lock().unwrap().iter().map(Crash::site).collect()
    }
}

/// An actor whose state holds a bomb, and whose handlers can hold one.
struct Mined {
    log: Log,
    _bomb: Option<Bomb>,
}

impl Actor for Mined {
    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        self.log.push(format!("on_stop {reason}"));
    }
}

/// Parks forever holding a bomb, after saying it started.
struct HoldBomb(Option<oneshot::Sender<()>>);

impl Message<Mined> for HoldBomb {
    type Reply = ();
    async fn handle(mut self, _: &mut Mined, _: &mut Context<Mined>) {
        let _bomb = Bomb("a killed handler's local");
        let _ = self.0.take().unwrap().send(());
        std::future::pending::<()>().await
    }
}

/// Panics with a payload whose own `Drop` panics.
struct LoudPanic;

impl Message<Mined> for LoudPanic {
    type Reply = ();
    async fn handle(self, _: &mut Mined, _: &mut Context<Mined>) {
        std::panic::panic_any(Bomb("a panic payload"))
    }
}

struct Ping;

impl Message<Mined> for Ping {
    type Reply = u8;
    async fn handle(self, _: &mut Mined, _: &mut Context<Mined>) -> u8 {
        1
    }
}

async fn an_actor_whose_drop_panics_still_ends() {
    quiet_expected_panics();
    let crashes = Crashes::default();
    let runtime = Runtime::builder().crash_policy(crashes.clone()).build();
    let log = Log::default();
    let mined = runtime.spawn(Mined { log: log.clone(), _bomb: Some(Bomb("the actor")) });
    assert_eq!(within(mined.ask(Ping)).await.unwrap(), 1);
    within(mined.stop()).await.unwrap();
    assert!(within(mined.wait()).await.is_normal());
    assert_eq!(log.events(), ["on_stop normal"]);
    assert_eq!(crashes.sites(), [PanicSite::Drop], "the crash policy is told");
    assert_eq!(runtime.actor_count(), 0);
    within(runtime.shutdown()).await;
}

async fn a_kill_that_drops_a_panicking_handler_still_ends() {
    quiet_expected_panics();
    let crashes = Crashes::default();
    let runtime = Runtime::builder().crash_policy(crashes.clone()).build();
    let log = Log::default();
    let mined = runtime.spawn(Mined { log: log.clone(), _bomb: None });
    let (started_tx, started) = oneshot::channel();
    let in_flight_done = tokio::spawn({
        let mined = mined.clone();
        async move { mined.ask(HoldBomb(Some(started_tx))).await.map_err(|e| e.is_stopped() || e.is_panicked()) }
    });
    within(started).await.unwrap();
    let queued = tokio::spawn({
        let mined = mined.clone();
        async move { mined.ask(Ping).await }
    });
    tokio::task::yield_now().await;
    mined.kill();
    assert!(matches!(within(mined.wait()).await, StopReason::Killed));
    assert_eq!(within(in_flight_done).await.unwrap(), Err(true), "the killed ask resolves");
    assert!(within(queued).await.unwrap().unwrap_err().is_stopped(), "the queued ask resolves is_stopped");
    assert_eq!(log.events(), ["on_stop killed"], "on_stop runs exactly once");
    assert_eq!(crashes.sites().len(), 1, "the crash policy is told of the panicking drop");
    within(runtime.shutdown()).await;
}

async fn a_panic_payload_whose_drop_panics_is_contained() {
    quiet_expected_panics();
    let crashes = Crashes::default();
    let runtime = Runtime::builder().crash_policy(crashes.clone()).build();
    let log = Log::default();
    let mined = runtime.spawn(Mined { log: log.clone(), _bomb: None });
    assert!(within(mined.ask(LoudPanic)).await.unwrap_err().is_panicked());
    assert!(matches!(within(mined.wait()).await, StopReason::Panicked(_)));
    assert!(within(mined.ask(Ping)).await.unwrap_err().is_stopped());
    within(mined.stop()).await.unwrap();
    assert_eq!(log.events().len(), 1, "on_stop runs exactly once: {:?}", log.events());
    assert_eq!(crashes.sites().len(), 1);
    within(runtime.shutdown()).await;
}

/// Spawns one child that parks forever in a handler, and stops it first
/// when it stops itself.
struct StuckParent {
    log: Log,
    child: Option<oneshot::Sender<ActorRef<Mined>>>,
}

impl Actor for StuckParent {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let child = ctx.spawn(Mined { log: self.log.clone(), _bomb: None });
        let _ = self.child.take().unwrap().send(child);
        Ok(())
    }

    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        self.log.push(format!("parent on_stop {reason}"));
    }
}

async fn a_kill_reaches_a_parent_waiting_for_a_stuck_child() {
    let runtime = Runtime::new();
    let log = Log::default();
    let (tx, rx) = oneshot::channel();
    let parent = runtime.spawn(StuckParent { log: log.clone(), child: Some(tx) });
    let child = within(rx).await.unwrap();
    let (started_tx, started) = oneshot::channel();
    let parked = tokio::spawn({
        let child = child.clone();
        async move { child.ask(Forever(started_tx)).await }
    });
    within(started).await.unwrap();
    // The graceful stop waits for the child, whose handler never returns...
    let mut stop = Box::pin(parent.stop());
    assert!(poll_once(&mut stop).await.is_pending());
    // The parent has asked its child to stop (the child refuses sends) and
    // waits for it.
    let mut ticks = 0;
    while child.try_tell(Ping).is_ok() {
        ticks += 1;
        assert!(ticks < 100_000, "the parent never began stopping its child");
        tokio::task::yield_now().await;
    }
    assert!(poll_once(&mut stop).await.is_pending(), "the stop waits for the stuck child");
    // ...until a kill: it reaches the wait, kills the child, ends the parent.
    parent.kill();
    within(stop).await.unwrap();
    assert!(matches!(within(parent.wait()).await, StopReason::Killed));
    assert!(matches!(within(child.wait()).await, StopReason::Killed));
    assert!(within(parked).await.unwrap().unwrap_err().is_stopped(), "the child's handler was dropped");
    assert_eq!(log.events(), ["on_stop killed", "parent on_stop killed"]);
    within(runtime.shutdown()).await;
}

/// Parks forever, after saying it started.
struct Forever(oneshot::Sender<()>);

impl Message<Mined> for Forever {
    type Reply = ();
    async fn handle(self, _: &mut Mined, _: &mut Context<Mined>) {
        let _ = self.0.send(());
        std::future::pending::<()>().await
    }
}

async fn poll_once<F: std::future::Future + Unpin>(fut: &mut F) -> std::task::Poll<F::Output> {
    std::future::poll_fn(|cx| std::task::Poll::Ready(std::pin::Pin::new(&mut *fut).poll(cx))).await
}

/// Spawns a child from `on_stop`, and hands out a ref to it.
struct LateParent {
    child: Option<oneshot::Sender<ActorRef<Bystander>>>,
}

impl Actor for LateParent {
    async fn on_stop(&mut self, ctx: &mut Context<Self>, _: &StopReason) {
        let child = ctx.spawn(Bystander::default());
        let _ = self.child.take().unwrap().send(child);
    }
}

async fn a_child_spawned_in_on_stop_does_not_outlive_its_parent() {
    let runtime = Runtime::new();
    let (tx, rx) = oneshot::channel();
    let parent = runtime.spawn(LateParent { child: Some(tx) });
    within(parent.stop()).await.unwrap();
    // Even with a ref held, the child stopped before its parent did.
    let child = within(rx).await.unwrap();
    assert!(!child.is_alive(), "the child outlived its parent");
    assert!(within(child.wait()).await.is_normal());
    assert_eq!(runtime.actor_count(), 0);
}

/// A message that carries a bomb: it panics when dropped unhandled.
struct Carrying(#[allow(dead_code, reason = "dropped, never read")] Bomb);

impl Message<Mined> for Carrying {
    type Reply = ();
    async fn handle(self, _: &mut Mined, _: &mut Context<Mined>) {
        std::mem::forget(self);
    }
}

async fn discarding_a_queued_message_whose_drop_panics_resolves_the_rest() {
    quiet_expected_panics();
    let runtime = Runtime::new();
    let log = Log::default();
    let mined = runtime.spawn(Mined { log: log.clone(), _bomb: None });
    let (started_tx, started) = oneshot::channel();
    let parked = tokio::spawn({
        let mined = mined.clone();
        async move { mined.ask(Forever(started_tx)).await }
    });
    within(started).await.unwrap();
    // Queued behind the parked handler: a message whose Drop panics, then asks.
    within(mined.tell(Carrying(Bomb("a queued message")))).await.unwrap();
    // Each ask is in the mailbox after its first poll.
    let mut asks: Vec<_> = (0..3).map(|_| Box::pin(mined.ask(Ping).into_future())).collect();
    for ask in &mut asks {
        assert!(poll_once(ask).await.is_pending());
    }
    mined.kill();
    assert!(matches!(within(mined.wait()).await, StopReason::Killed));
    assert!(within(parked).await.unwrap().unwrap_err().is_stopped());
    for ask in asks {
        assert!(within(ask).await.unwrap_err().is_stopped(), "an ask queued behind it resolves");
    }
    assert_eq!(log.events(), ["on_stop killed"]);
    within(runtime.shutdown()).await;
}

on_both_runtimes!(
    discarding_a_queued_message_whose_drop_panics_resolves_the_rest,
    an_actor_whose_drop_panics_still_ends,
    a_kill_that_drops_a_panicking_handler_still_ends,
    a_panic_payload_whose_drop_panics_is_contained,
    a_kill_reaches_a_parent_waiting_for_a_stuck_child,
    a_child_spawned_in_on_stop_does_not_outlive_its_parent,
);

// A tokio runtime that goes away takes its actors' tasks with it: their refs
// must say so, not hang.

#[test]
fn refs_fail_at_once_when_the_tokio_runtime_that_ran_the_actor_is_gone() {
    let log = Log::default();
    let first = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (runtime, mined) = first.block_on(async {
        let runtime = Runtime::new();
        let mined = runtime.spawn(Mined { log: log.clone(), _bomb: None });
        assert_eq!(within(mined.ask(Ping)).await.unwrap(), 1);
        (runtime, mined)
    });
    drop(first);
    let second = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    second.block_on(async {
        assert!(!mined.is_alive());
        assert!(within(mined.ask(Ping)).await.unwrap_err().is_stopped());
        assert!(within(mined.tell(Ping)).await.unwrap_err().is_stopped());
        assert!(matches!(within(mined.wait()).await, StopReason::Killed));
        within(mined.stop()).await.unwrap();
        assert_eq!(runtime.actor_count(), 0);
        // The runtime was built inside the first tokio runtime: what it
        // spawns now cannot run there, and says so at once.
        let late = runtime.spawn(Mined { log: log.clone(), _bomb: None });
        assert!(within(late.ask(Ping)).await.unwrap_err().is_stopped());
        within(late.wait()).await;
        within(runtime.shutdown()).await;
    });
}

// A crashed actor takes no more messages: a child stuck sending to it (its
// mailbox full) must not keep it from ending.

struct Nagging {
    parent: ActorRef<Nagged>,
}

impl Actor for Nagging {}

struct Nag;
impl Message<Nagging> for Nag {
    type Reply = ();
    async fn handle(self, n: &mut Nagging, ctx: &mut Context<Nagging>) {
        // Until the parent refuses: it is full (bounded(1)) and busy.
        while ctx.tell(&n.parent, Report).await.is_ok() {}
    }
}

struct Nagged {
    log: Log,
}

impl Actor for Nagged {
    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        self.log.push(format!("parent on_stop {reason}"));
    }
}

struct Report;
impl Message<Nagged> for Report {
    type Reply = ();
    async fn handle(self, _: &mut Nagged, _: &mut Context<Nagged>) {}
}

/// Spawns the nagging child, sets it going, then panics.
struct SpawnNagThenPanic(oneshot::Sender<()>);
impl Message<Nagged> for SpawnNagThenPanic {
    type Reply = ();
    async fn handle(self, _: &mut Nagged, ctx: &mut Context<Nagged>) {
        let child = ctx.spawn(Nagging { parent: ctx.actor_ref() });
        child.tell(Nag).await.unwrap();
        let _ = self.0.send(());
        // Let the child fill this mailbox and wait for room.
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        panic!("parent boom {EXPECTED}");
    }
}

async fn a_crashed_parent_ends_though_a_child_waits_to_send_to_it() {
    quiet_expected_panics();
    let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
    let log = Log::default();
    let parent = runtime.spawn_with(Nagged { log: log.clone() }, Mailbox::bounded(1));
    let (going_tx, going) = oneshot::channel();
    within(parent.tell(SpawnNagThenPanic(going_tx))).await.unwrap();
    within(going).await.unwrap();
    assert!(matches!(within(parent.wait()).await, StopReason::Panicked(_)));
    assert_eq!(log.events().len(), 1, "{:?}", log.events());
    within(runtime.shutdown()).await;
}

on_both_runtimes!(a_crashed_parent_ends_though_a_child_waits_to_send_to_it);
