//! Supervision: `runtime.supervise`, `ctx.supervise` and groups. A failed
//! actor is rebuilt from its factory behind the same mailbox (same ref, id,
//! clones, weak refs, queued messages in order); the old instance's
//! `on_stop` and children end before the new `on_start`; only the final stop
//! reaches `wait()` and watchers; stops and kills from outside always win;
//! the limit stops an actor for good, and a group over its limit fails so
//! that its own group applies its strategy.

mod harness;
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::{EXPECTED, quiet_expected_panics};
use support::{Log, within};
use tokio::sync::Notify;
use tractor::prelude::*;

/// What the instances of one supervised actor share: a log of their
/// lifecycle and the number built so far.
#[derive(Clone, Default)]
struct Probe {
    log: Log,
    built: Arc<AtomicUsize>,
}

impl Probe {
    /// A factory of workers named `name`, each knowing its incarnation.
    fn worker(&self, name: &'static str) -> impl Fn() -> Worker + Send + Sync + 'static {
        let probe = self.clone();
        move || Worker::new(name, &probe)
    }

    /// Resolves once `event` is in the log: a restart that a test cannot
    /// await any other way (it happens on the group's task).
    async fn logged(&self, event: &str) {
        while self.log.count(event) == 0 {
            tokio::task::yield_now().await;
        }
    }

    fn built(&self) -> usize {
        self.built.load(Ordering::SeqCst)
    }
}

struct Worker {
    name: &'static str,
    incarnation: usize,
    log: Log,
    handled: u64,
    /// `on_start` fails while the incarnation is at most this.
    fail_start_until: usize,
    continue_after_panic: bool,
}

impl Worker {
    fn new(name: &'static str, probe: &Probe) -> Self {
        let incarnation = probe.built.fetch_add(1, Ordering::SeqCst) + 1;
        Worker {
            name,
            incarnation,
            log: probe.log.clone(),
            handled: 0,
            fail_start_until: 0,
            continue_after_panic: false,
        }
    }
}

impl Actor for Worker {
    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        self.log.push(format!("start {}{}", self.name, self.incarnation));
        if self.incarnation <= self.fail_start_until {
            return Err("start refused (expected)".into());
        }
        Ok(())
    }

    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        // Takes a while, so that an on_start running early would show.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        self.log.push(format!("stop {}{} {}", self.name, self.incarnation, kind(reason)));
    }

    async fn on_panic(&mut self, _: &mut Context<Self>, _: &Panic) -> ControlFlow {
        if self.continue_after_panic { ControlFlow::Continue } else { ControlFlow::Stop }
    }
}

#[actor]
impl Worker {
    /// Replies with the incarnation and how many it handled.
    #[message]
    fn work(&mut self, seq: u64) -> (usize, u64, u64) {
        self.handled += 1;
        (self.incarnation, self.handled, seq)
    }

    /// Logs `note {name}{incarnation} {seq}`.
    #[message]
    fn note(&mut self, seq: u64) {
        self.log.push(format!("note {}{} {seq}", self.name, self.incarnation));
    }

    #[message]
    fn fail(&mut self) {
        panic!("crash {EXPECTED}");
    }

    #[message]
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    /// Blocks until `gate` is notified, then panics.
    #[message]
    async fn crash_when(&mut self, gate: Arc<Notify>) {
        self.log.push(format!("waiting {}{}", self.name, self.incarnation));
        gate.notified().await;
        panic!("crash when told {EXPECTED}");
    }

    /// Spawns a child, logged as `{name}{incarnation}'s child`.
    #[message]
    fn adopt(&mut self, ctx: &mut Context<Self>) -> ActorRef<Child> {
        ctx.spawn(Child { log: self.log.clone(), name: format!("child of {}{}", self.name, self.incarnation) })
    }
}

fn kind(reason: &StopReason) -> &'static str {
    match reason {
        StopReason::Normal => "normal",
        StopReason::Killed => "killed",
        StopReason::Panicked(_) => "panicked",
        StopReason::StartFailed(_) => "start-failed",
        StopReason::NodeLost(_) => "node-lost",
    }
}

struct Child {
    log: Log,
    name: String,
}

impl Actor for Child {
    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        self.log.push(format!("stop {} {}", self.name, kind(reason)));
    }
}

/// A runtime whose crash policy collects `will_restart` of every crash.
fn runtime_with_crashes() -> (Runtime, Arc<Mutex<Vec<bool>>>) {
    quiet_expected_panics();
    let crashes: Arc<Mutex<Vec<bool>>> = Arc::default();
    let seen = crashes.clone();
    let runtime = Runtime::builder().crash_policy(move |c: &Crash| seen.lock().unwrap().push(c.will_restart())).build();
    (runtime, crashes)
}

// ---- one supervised actor ----

async fn a_failed_actor_comes_back_behind_the_same_ref() {
    let (runtime, crashes) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).spawn();
    let clone = worker.clone();
    let weak = worker.downgrade();
    let sender: Sender<Work, (usize, u64, u64)> = Sender::from(worker.clone());
    let id = worker.id();

    assert_eq!(within(worker.work(1)).await.unwrap(), (1, 1, 1));
    let err = within(worker.fail()).await.unwrap_err();
    assert!(err.is_panicked(), "the failing asker is told: {err}");
    // The new instance answers through every handle made before.
    assert_eq!(within(clone.work(2)).await.unwrap(), (2, 1, 2), "a new instance, its state fresh");
    assert_eq!(within(sender.ask(Work { seq: 3 })).await.unwrap(), (2, 2, 3));
    let upgraded = weak.upgrade().expect("a weak ref upgrades after a restart");
    assert_eq!(within(upgraded.work(4)).await.unwrap(), (2, 3, 4));
    assert_eq!(worker.id(), id);
    assert!(worker.is_alive());
    assert_eq!(runtime.actor_count(), 1, "a restart is not a new actor");
    assert_eq!(*crashes.lock().unwrap(), [true]);
    within(runtime.shutdown()).await;
    assert_eq!(probe.built(), 2);
}

async fn queued_messages_survive_a_restart_in_order() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).spawn();
    let gate = Arc::new(Notify::new());
    let crash = tokio::spawn({
        let (worker, gate) = (worker.clone(), gate.clone());
        async move { worker.crash_when(gate).await }
    });
    // Wait until the instance is inside the crashing handler, then queue.
    within(probe.logged("waiting w1")).await;
    // Told in order from here while the instance is stuck in the crash.
    for seq in 0..20 {
        within(worker.note(seq).tell()).await.unwrap();
    }
    gate.notify_one();
    assert!(within(crash).await.unwrap().unwrap_err().is_panicked());
    assert_eq!(within(worker.work(100)).await.unwrap(), (2, 1, 100));
    let notes: Vec<String> = probe.log.events().into_iter().filter(|e| e.starts_with("note")).collect();
    let expected: Vec<String> = (0..20).map(|seq| format!("note w2 {seq}")).collect();
    assert_eq!(notes, expected, "every queued message, in order, by the new instance");
    within(runtime.shutdown()).await;
}

async fn the_old_on_stop_ends_before_the_new_on_start() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).spawn();
    let _ = within(worker.fail()).await;
    let _ = within(worker.fail()).await;
    within(worker.work(0)).await.unwrap();
    assert_eq!(
        probe.log.events(),
        ["start w1", "stop w1 panicked", "start w2", "stop w2 panicked", "start w3"],
        "each on_stop ends before the next on_start"
    );
    within(runtime.shutdown()).await;
    assert_eq!(probe.log.events().last().unwrap(), "stop w3 normal");
}

async fn wait_and_watchers_see_only_the_final_stop() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).spawn();
    let watcher = runtime.spawn(Watcher::default());
    within(watcher.ask(WatchIt(worker.clone()))).await.unwrap();
    let waiting = tokio::spawn({
        let worker = worker.clone();
        async move { worker.wait().await }
    });
    for _ in 0..3 {
        let _ = within(worker.fail()).await;
        within(worker.work(0)).await.unwrap();
    }
    assert!(!waiting.is_finished(), "wait() resolved at a restart");
    within(worker.stop()).await.unwrap();
    assert!(within(waiting).await.unwrap().is_normal());
    let downs = within(watcher.ask(Downs)).await.unwrap();
    assert_eq!(downs, ["normal"], "one notice, for the final stop");
    within(runtime.shutdown()).await;
}

#[derive(Default)]
struct Watcher {
    downs: Vec<String>,
    told: Arc<Notify>,
}

impl Actor for Watcher {
    async fn on_down(&mut self, _: &mut Context<Self>, down: Down) -> ControlFlow {
        self.downs.push(kind(down.reason()).to_owned());
        self.told.notify_one();
        ControlFlow::Continue
    }
}

struct WatchIt(ActorRef<Worker>);
impl Message<Watcher> for WatchIt {
    type Reply = ();
    async fn handle(self, _: &mut Watcher, ctx: &mut Context<Watcher>) {
        ctx.watch(&self.0);
    }
}

/// The notices so far, once at least one came.
struct Downs;
impl Message<Watcher> for Downs {
    type Reply = Vec<String>;
    async fn handle(self, w: &mut Watcher, _: &mut Context<Watcher>) -> Vec<String> {
        w.downs.clone()
    }
}

/// A registered name belongs to the actor, not to an instance: a restart
/// keeps it, the final stop frees it.
async fn a_name_survives_restarts_and_is_freed_at_the_end() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).spawn();
    runtime.register("worker", &worker).unwrap();
    let _ = within(worker.fail()).await;
    let found = runtime.lookup::<Worker>("worker").expect("the name is kept across a restart");
    assert_eq!(within(found.work(0)).await.unwrap().0, 2);
    within(worker.stop()).await.unwrap();
    assert!(runtime.lookup::<Worker>("worker").is_none(), "freed when it stopped for good");
    within(runtime.shutdown()).await;
}

async fn the_limit_stops_it_for_good_with_its_last_failure() {
    let (runtime, crashes) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).max_restarts(2, Duration::from_secs(60)).spawn();
    for _ in 0..3 {
        assert!(within(worker.fail()).await.unwrap_err().is_panicked());
    }
    match within(worker.wait()).await {
        StopReason::Panicked(p) => assert!(p.message().contains("crash"), "{p}"),
        other => panic!("stopped with {other}"),
    }
    assert!(within(worker.work(0)).await.unwrap_err().is_stopped());
    assert_eq!(probe.built(), 3, "two restarts, no more");
    assert_eq!(*crashes.lock().unwrap(), [true, true, false], "Crash says whether a restart follows");
    assert_eq!(runtime.actor_count(), 0);
    within(runtime.shutdown()).await;
}

async fn a_failed_or_panicking_on_start_is_a_failure() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    // The first two instances refuse to start; the third runs.
    let factory = {
        let probe = probe.clone();
        move || Worker { fail_start_until: 2, ..Worker::new("w", &probe) }
    };
    let worker = runtime.supervise(factory).spawn();
    assert_eq!(within(worker.work(7)).await.unwrap(), (3, 1, 7), "queued through two failed starts");
    // A factory that panics is a failed start too; the limit still applies.
    let panicky = runtime
        .supervise(|| -> Worker { panic!("no worker today {EXPECTED}") })
        .max_restarts(3, Duration::from_secs(60))
        .spawn();
    assert!(matches!(within(panicky.wait()).await, StopReason::Panicked(_)));
    within(runtime.shutdown()).await;
}

async fn continue_from_on_panic_keeps_the_state() {
    let (runtime, crashes) = runtime_with_crashes();
    let probe = Probe::default();
    let factory = {
        let probe = probe.clone();
        move || Worker { continue_after_panic: true, ..Worker::new("w", &probe) }
    };
    let worker = runtime.supervise(factory).spawn();
    within(worker.work(0)).await.unwrap();
    let _ = within(worker.fail()).await;
    assert_eq!(within(worker.work(1)).await.unwrap(), (1, 2, 1), "the same instance, its state kept");
    assert_eq!(*crashes.lock().unwrap(), [false]);
    within(runtime.shutdown()).await;
}

async fn a_stop_from_outside_is_never_restarted() {
    for restart in [Restart::OnFailure, Restart::Always] {
        let (runtime, _) = runtime_with_crashes();
        let probe = Probe::default();
        let worker = runtime.supervise(probe.worker("w")).restart(restart).spawn();
        within(worker.work(0)).await.unwrap();
        within(worker.stop()).await.unwrap();
        assert!(within(worker.wait()).await.is_normal());
        assert!(!worker.is_alive());
        assert_eq!(probe.built(), 1, "{restart:?} restarted a graceful stop from outside");
        // A kill neither.
        let killed = runtime.supervise(probe.worker("k")).restart(restart).spawn();
        within(killed.work(0)).await.unwrap();
        killed.kill();
        assert!(matches!(within(killed.wait()).await, StopReason::Killed));
        assert_eq!(probe.built(), 2);
        within(runtime.shutdown()).await;
    }
}

async fn always_restarts_an_actor_that_stopped_itself() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).restart(Restart::Always).spawn();
    within(worker.quit()).await.unwrap();
    assert_eq!(within(worker.work(0)).await.unwrap().0, 2, "a new instance after ctx.stop()");
    // Under OnFailure, stopping itself is the end.
    let once = runtime.supervise(probe.worker("o")).spawn();
    within(once.quit()).await.unwrap();
    assert!(within(once.wait()).await.is_normal());
    assert_eq!(probe.built(), 3);
    within(runtime.shutdown()).await;
}

async fn never_restarts_with_restart_never() {
    let (runtime, crashes) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).restart(Restart::Never).spawn();
    let _ = within(worker.fail()).await;
    assert!(matches!(within(worker.wait()).await, StopReason::Panicked(_)));
    assert_eq!(probe.built(), 1);
    assert_eq!(*crashes.lock().unwrap(), [false]);
    within(runtime.shutdown()).await;
}

/// kameo #377: a kill through a ref made before the restarts kills the
/// running instance (not a dead task), and the actor ends.
async fn a_kill_through_an_old_ref_ends_the_current_instance() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).spawn();
    let old = worker.clone();
    for _ in 0..2 {
        let _ = within(worker.fail()).await;
    }
    let gate = Arc::new(Notify::new());
    let busy = tokio::spawn({
        let (worker, gate) = (worker.clone(), gate.clone());
        async move { worker.crash_when(gate).await }
    });
    within(probe.logged("waiting w3")).await;
    old.kill();
    assert!(matches!(within(worker.wait()).await, StopReason::Killed));
    assert!(within(busy).await.unwrap().unwrap_err().is_stopped());
    assert_eq!(probe.log.events().last().unwrap(), "stop w3 killed");
    assert_eq!(probe.built(), 3);
    assert_eq!(runtime.actor_count(), 0);
}

async fn the_old_instances_children_stop_before_the_new_one_starts() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).spawn();
    let child = within(worker.adopt()).await.unwrap();
    let _ = within(worker.fail()).await;
    within(worker.work(0)).await.unwrap();
    assert!(!child.is_alive());
    assert_eq!(probe.log.events(), ["start w1", "stop child of w1 killed", "stop w1 panicked", "start w2"],);
    within(runtime.shutdown()).await;
}

async fn the_backoff_waits_between_restarts() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime
        .supervise(probe.worker("w"))
        .backoff(Duration::from_millis(100), Duration::from_millis(300))
        .max_restarts(10, Duration::from_secs(60))
        .spawn();
    let mut waited = Vec::new();
    for _ in 0..4 {
        let _ = within(worker.fail()).await;
        let before = tokio::time::Instant::now();
        within(worker.work(0)).await.unwrap();
        waited.push(before.elapsed().as_millis() / 100 * 100);
    }
    assert_eq!(waited, [100, 200, 300, 300], "min, doubling, capped at max");
    within(runtime.shutdown()).await;
}

async fn a_stop_during_the_backoff_ends_it_at_once() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker =
        runtime.supervise(probe.worker("w")).backoff(Duration::from_secs(3600), Duration::from_secs(3600)).spawn();
    let _ = within(worker.fail()).await;
    // The paused clock would skip an hour; a real hour would fail `within`.
    within(worker.stop()).await.unwrap();
    assert!(matches!(within(worker.wait()).await, StopReason::Panicked(_)), "the last instance's reason");
    assert_eq!(probe.built(), 1);
}

async fn a_supervised_child_is_owned_by_its_parent() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let parent = runtime.spawn(Parent { probe: probe.clone(), child: None });
    let child = within(parent.ask(MakeChild)).await.unwrap();
    drop(within(parent.ask(MakeChild)).await.unwrap());
    let _ = within(child.fail()).await;
    assert_eq!(within(child.work(0)).await.unwrap().0, 2, "restarted as a child");
    within(parent.stop()).await.unwrap();
    assert!(!child.is_alive(), "a supervised child stops with its parent");
    assert!(within(child.wait()).await.is_normal());
}

struct Parent {
    probe: Probe,
    child: Option<ActorRef<Worker>>,
}

impl Actor for Parent {}

struct MakeChild;
impl Message<Parent> for MakeChild {
    type Reply = ActorRef<Worker>;
    async fn handle(self, p: &mut Parent, ctx: &mut Context<Parent>) -> ActorRef<Worker> {
        if let Some(child) = &p.child {
            return child.clone();
        }
        let child = ctx.supervise(p.probe.worker("c")).spawn();
        p.child = Some(child.clone());
        child
    }
}

async fn shutdown_never_restarts() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let worker = runtime.supervise(probe.worker("w")).restart(Restart::Always).spawn();
    within(worker.work(0)).await.unwrap();
    within(runtime.shutdown()).await;
    assert!(!worker.is_alive());
    assert_eq!(probe.built(), 1);
    // Supervised after the shutdown: refused like a spawn.
    let late = runtime.supervise(probe.worker("late")).spawn();
    assert!(matches!(within(late.wait()).await, StopReason::StartFailed(_)));
    assert_eq!(probe.built(), 1, "nothing is built for a refused spawn");
}

/// A stop or a kill racing a restart: the actor always ends, never hangs,
/// and is never rebuilt after the stop returned.
async fn stop_and_kill_racing_a_restart_always_win() {
    let (runtime, _) = runtime_with_crashes();
    for round in 0..50 {
        let probe = Probe::default();
        let worker = runtime
            .supervise(probe.worker("w"))
            .restart(Restart::Always)
            .max_restarts(1000, Duration::from_secs(60))
            .spawn();
        within(worker.work(0)).await.unwrap();
        let crash = tokio::spawn({
            let worker = worker.clone();
            async move { worker.fail().await }
        });
        if round % 2 == 0 {
            within(worker.stop()).await.unwrap();
        } else {
            worker.kill();
        }
        let _ = within(crash).await.unwrap();
        within(worker.wait()).await;
        let built = probe.built();
        assert!(within(worker.work(1)).await.unwrap_err().is_stopped());
        tokio::task::yield_now().await;
        assert_eq!(probe.built(), built, "rebuilt after it stopped");
    }
    within(runtime.shutdown()).await;
}

/// Many restarts while many senders tell and ask: every ask resolves (a
/// reply, or `is_panicked` for the failing ones), nothing else is lost, and
/// each sender's messages are handled in its order.
async fn a_restart_storm_loses_nothing_and_keeps_order() {
    let (runtime, _) = runtime_with_crashes();
    let seen: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
    let factory = {
        let seen = seen.clone();
        move || Storm { seen: seen.clone() }
    };
    let storm =
        runtime.supervise(factory).max_restarts(u32::MAX, Duration::from_secs(1)).mailbox(Mailbox::bounded(8)).spawn();
    const SENDERS: u64 = 4;
    const EACH: u64 = 250;
    let tasks: Vec<_> = (0..SENDERS)
        .map(|s| {
            let storm = storm.clone();
            tokio::spawn(async move {
                let mut panicked = 0;
                for n in 0..EACH {
                    let msg = Hit { sender: s, n };
                    if n.is_multiple_of(3) {
                        within(storm.tell(msg)).await.unwrap();
                    } else {
                        match within(storm.ask(msg)).await {
                            Ok(()) => {}
                            Err(e) if e.is_panicked() => panicked += 1,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
                // Handled after all of this sender's others (a stop racing a
                // restart would drop what is still queued).
                within(storm.ask(Hit { sender: s, n: EACH })).await.unwrap();
                panicked
            })
        })
        .collect();
    let mut panicked = 0;
    for t in tasks {
        panicked += within(t).await.unwrap();
    }
    within(storm.stop()).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    for s in 0..SENDERS {
        let mine: Vec<u64> = seen.iter().filter(|(from, _)| *from == s).map(|(_, n)| *n).collect();
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "sender {s} out of order: {mine:?}");
        let expected: Vec<u64> = (0..=EACH).filter(|n| n % 7 != 3).collect();
        assert_eq!(mine, expected, "sender {s}: every message but the failing ones");
    }
    let failing_asks = (0..SENDERS * EACH).filter(|i| (i % EACH) % 7 == 3 && !(i % EACH).is_multiple_of(3)).count();
    assert_eq!(panicked, failing_asks);
    within(runtime.shutdown()).await;
}

struct Storm {
    seen: Arc<Mutex<Vec<(u64, u64)>>>,
}

impl Actor for Storm {}

struct Hit {
    sender: u64,
    n: u64,
}

impl Message<Storm> for Hit {
    type Reply = ();
    async fn handle(self, storm: &mut Storm, _: &mut Context<Storm>) {
        if self.n % 7 == 3 {
            panic!("storm {EXPECTED}");
        }
        storm.seen.lock().unwrap().push((self.sender, self.n));
    }
}

// ---- groups ----

async fn children_start_in_order_and_stop_newest_first() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let group = runtime.supervisor(Strategy::OneForOne);
    let a = group.child(probe.worker("a"));
    let b = group.child(probe.worker("b"));
    // Sent before the group exists: waits in the mailbox.
    let early = tokio::spawn({
        let b = b.clone();
        async move { b.work(1).await }
    });
    tokio::task::yield_now().await;
    assert!(probe.log.events().is_empty(), "a child started before its group");
    let c = group.child(probe.worker("c"));
    let group = group.spawn();
    assert_eq!(within(early).await.unwrap().unwrap(), (2, 1, 1));
    within(c.work(0)).await.unwrap();
    within(a.work(0)).await.unwrap();
    within(group.stop()).await.unwrap();
    assert_eq!(
        probe.log.events(),
        ["start a1", "start b2", "start c3", "stop c3 normal", "stop b2 normal", "stop a1 normal"]
    );
    for child in [&a, &b, &c] {
        assert!(!child.is_alive());
    }
}

async fn one_for_one_restarts_only_the_failed_child() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let group = runtime.supervisor(Strategy::OneForOne);
    let a = group.child(probe.worker("a"));
    let b = group.child(probe.worker("b"));
    let group = group.spawn();
    within(a.work(0)).await.unwrap();
    let _ = within(b.fail()).await;
    assert_eq!(within(b.work(0)).await.unwrap().0, 3, "b came back (the third built)");
    assert_eq!(within(a.work(0)).await.unwrap(), (1, 2, 0), "a untouched");
    assert_eq!(probe.log.events(), ["start a1", "start b2", "stop b2 panicked", "start b3"]);
    within(group.stop()).await.unwrap();
}

/// Three children, the middle one fails under `strategy`: returns the log
/// after the failure, once `last_start` (the last restart) is in it.
async fn middle_child_fails(strategy: Strategy, last_start: &str) -> Vec<String> {
    let (runtime, crashes) = runtime_with_crashes();
    let probe = Probe::default();
    let group = runtime.supervisor(strategy);
    let a = group.child(probe.worker("a"));
    let b = group.child(probe.worker("b"));
    let c = group.child(probe.worker("c"));
    let group = group.spawn();
    within(c.work(0)).await.unwrap();
    let _ = within(b.fail()).await;
    within(probe.logged(last_start)).await;
    let after_the_failure = probe.log.events()[3..].to_vec();
    let first_of_a = within(a.work(0)).await.unwrap();
    if strategy == Strategy::RestForOne {
        assert_eq!(first_of_a, (1, 1, 0), "a, added before b, untouched");
    } else {
        assert_eq!(first_of_a, (4, 1, 0), "a is a new instance, its state fresh");
    }
    assert_eq!(*crashes.lock().unwrap(), [true]);
    within(group.stop()).await.unwrap();
    after_the_failure
}

async fn one_for_all_restarts_every_child_in_order() {
    // b's end, then the others newest first, then all in their order.
    assert_eq!(
        middle_child_fails(Strategy::OneForAll, "start c6").await,
        ["stop b2 panicked", "stop c3 normal", "stop a1 normal", "start a4", "start b5", "start c6"]
    );
}

async fn rest_for_one_restarts_the_failed_child_and_later_ones() {
    assert_eq!(
        middle_child_fails(Strategy::RestForOne, "start c5").await,
        ["stop b2 panicked", "stop c3 normal", "start b4", "start c5"]
    );
}

/// A group over its limit stops its children and fails; its own group then
/// restarts it, and every child is back behind the same ref.
async fn a_group_over_its_limit_fails_and_its_group_restarts_it() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let top = runtime.supervisor(Strategy::OneForOne).max_restarts(1, Duration::from_secs(60));
    let steady = top.child(probe.worker("s"));
    let sub = top.child_group(Strategy::OneForOne).max_restarts(1, Duration::from_secs(60));
    let flaky = sub.child(probe.worker("f"));
    let sibling = sub.child(probe.worker("g"));
    let sub = sub.spawn();
    let top = top.spawn();
    within(sibling.work(0)).await.unwrap();
    // One crash: within the sub-group's limit.
    let _ = within(flaky.fail()).await;
    assert_eq!(within(flaky.work(0)).await.unwrap().0, 4);
    // A second: the sub-group fails, the top group restarts it.
    let _ = within(flaky.fail()).await;
    assert_eq!(within(flaky.work(0)).await.unwrap().0, 5, "the same ref, after the escalation");
    assert_eq!(within(sibling.work(0)).await.unwrap(), (6, 1, 0), "the sibling restarted with its group");
    assert_eq!(within(steady.work(0)).await.unwrap(), (1, 1, 0), "the top group's other child untouched");
    assert!(sub.is_alive());
    // Twice more: the sub-group fails twice, over the top group's limit.
    let _ = within(flaky.fail()).await;
    let _ = within(flaky.fail()).await;
    let _ = within(flaky.fail()).await;
    let _ = within(flaky.fail()).await;
    match within(top.wait()).await {
        StopReason::Panicked(p) => assert!(p.message().contains("Supervisor"), "{p}"),
        other => panic!("the top group ended with {other}"),
    }
    for child in [&flaky, &sibling, &steady] {
        assert!(within(child.work(0)).await.unwrap_err().is_stopped());
    }
    assert!(!sub.is_alive());
    assert_eq!(runtime.actor_count(), 0);
}

/// Per-child policies, under `OneForAll`: a `Never` child's failure ends
/// only it, a child that stops itself under `OnFailure` stays stopped (no
/// sibling restarts for either, as in Erlang), one under `Always` comes
/// back, and the strategy takes its siblings along.
async fn each_child_keeps_its_own_restart_policy() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let group = runtime.supervisor(Strategy::OneForAll);
    let steady = group.child(probe.worker("s"));
    let temporary = group.child_with(probe.worker("t"), Restart::Never, Mailbox::unbounded());
    let transient = group.child(probe.worker("q"));
    let permanent = group.child_with(probe.worker("p"), Restart::Always, Mailbox::bounded(4));
    let group = group.spawn();
    within(permanent.work(0)).await.unwrap();
    let _ = within(temporary.fail()).await;
    assert!(matches!(within(temporary.wait()).await, StopReason::Panicked(_)));
    within(transient.quit()).await.unwrap();
    assert!(within(transient.wait()).await.is_normal());
    assert_eq!(within(steady.work(0)).await.unwrap(), (1, 1, 0), "neither end restarted a sibling");
    // Always: a restart, and under OneForAll the others' with it.
    within(permanent.quit()).await.unwrap();
    within(probe.logged("start p6")).await;
    assert_eq!(within(permanent.work(0)).await.unwrap().0, 6, "back after stopping itself");
    assert_eq!(within(steady.work(0)).await.unwrap(), (5, 1, 0));
    within(group.stop()).await.unwrap();
}

/// A child added to a group that is already running starts at once.
async fn a_child_added_to_a_running_group_starts() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let top = runtime.supervisor(Strategy::OneForOne);
    let sub = top.child_group(Strategy::OneForOne);
    let top = top.spawn();
    let first = sub.child(probe.worker("x"));
    assert_eq!(within(first.work(0)).await.unwrap(), (1, 1, 0));
    let sub = sub.spawn();
    within(top.stop()).await.unwrap();
    assert!(!sub.is_alive() && !first.is_alive());
}

async fn a_builder_dropped_unspawned_stops_its_children() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let group = runtime.supervisor(Strategy::OneForAll);
    let a = group.child(probe.worker("a"));
    let queued = tokio::spawn({
        let a = a.clone();
        async move { a.work(0).await }
    });
    tokio::task::yield_now().await;
    drop(group);
    assert!(within(queued).await.unwrap().unwrap_err().is_stopped());
    assert!(matches!(within(a.wait()).await, StopReason::StartFailed(_)));
    assert_eq!(probe.built(), 0);
    assert_eq!(runtime.actor_count(), 0);
}

async fn killing_a_group_kills_its_children() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let group = runtime.supervisor(Strategy::OneForOne);
    let a = group.child(probe.worker("a"));
    let group = group.spawn();
    let gate = Arc::new(Notify::new());
    let busy = tokio::spawn({
        let (a, gate) = (a.clone(), gate.clone());
        async move { a.crash_when(gate).await }
    });
    within(probe.logged("waiting a1")).await;
    group.kill();
    assert!(matches!(within(group.wait()).await, StopReason::Killed));
    assert!(matches!(within(a.wait()).await, StopReason::Killed));
    assert!(within(busy).await.unwrap().is_err());
    assert_eq!(runtime.actor_count(), 0);
}

/// kameo #221/#340: a group stopping while a child is mid-restart, and a
/// child asking its group's sibling while the group stops: no deadlock.
async fn a_group_stopping_during_a_restart_ends() {
    let (runtime, _) = runtime_with_crashes();
    for _ in 0..20 {
        let probe = Probe::default();
        let group = runtime.supervisor(Strategy::OneForAll).max_restarts(1000, Duration::from_secs(60));
        let a = group.child(probe.worker("a"));
        let b = group.child(probe.worker("b"));
        let group = group.spawn();
        within(b.work(0)).await.unwrap();
        let crash = tokio::spawn({
            let a = a.clone();
            async move { a.fail().await }
        });
        tokio::task::yield_now().await;
        within(group.stop()).await.unwrap();
        let _ = within(crash).await;
        for child in [&a, &b] {
            within(child.wait()).await;
        }
    }
    within(runtime.shutdown()).await;
    assert_eq!(runtime.actor_count(), 0);
}

/// kameo #221/#340: lifecycle hooks that talk to siblings while the group
/// stops them never deadlock: each `on_stop` asks an older sibling, which
/// still answers (children stop newest first).
async fn hooks_that_ask_siblings_while_the_group_stops_do_not_deadlock() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let log = probe.log.clone();
    let group = runtime.supervisor(Strategy::OneForAll);
    let older = group.child(probe.worker("o"));
    let caller = group.child({
        let (older, log) = (older.clone(), log.clone());
        move || Caller { peer: older.clone(), log: log.clone() }
    });
    let newer = group.child({
        let (caller, log) = (caller.clone(), log.clone());
        move || CallerOfCaller { peer: caller.clone(), log: log.clone() }
    });
    let group = group.spawn();
    // Every child has started (a group stopped while it starts its children
    // does not start the rest).
    within(newer.ping()).await.unwrap();
    within(group.stop()).await.unwrap();
    let events = log.events();
    assert!(events.contains(&"newer asked caller: ok".to_owned()), "{events:?}");
    assert!(events.contains(&"caller asked older: ok".to_owned()), "{events:?}");
    assert!(!older.is_alive() && !caller.is_alive() && !newer.is_alive());
    within(runtime.shutdown()).await;
}

/// Asks `peer` from its `on_stop`.
struct Caller {
    peer: ActorRef<Worker>,
    log: Log,
}

impl Actor for Caller {
    async fn on_stop(&mut self, ctx: &mut Context<Self>, _: &StopReason) {
        let answer = ctx.ask(&self.peer, Work { seq: 9 }).await;
        self.log.push(format!("caller asked older: {}", if answer.is_ok() { "ok" } else { "stopped" }));
    }
}

#[actor]
impl Caller {
    #[message]
    fn hello(&mut self) {}
}

/// Asks the `Caller` from its `on_stop`.
struct CallerOfCaller {
    peer: ActorRef<Caller>,
    log: Log,
}

#[actor]
impl CallerOfCaller {
    #[message]
    fn ping(&mut self) {}
}

impl Actor for CallerOfCaller {
    async fn on_stop(&mut self, ctx: &mut Context<Self>, _: &StopReason) {
        let answer = ctx.ask(&self.peer, Hello).await;
        self.log.push(format!("newer asked caller: {}", if answer.is_ok() { "ok" } else { "stopped" }));
    }
}

async fn shutdown_stops_a_group_without_restarts() {
    let (runtime, _) = runtime_with_crashes();
    let probe = Probe::default();
    let group = runtime.supervisor(Strategy::OneForAll);
    let a = group.child(probe.worker("a"));
    let b = group.child(probe.worker("b"));
    let _group = group.spawn();
    within(b.work(0)).await.unwrap();
    within(runtime.shutdown()).await;
    assert!(!a.is_alive() && !b.is_alive());
    assert_eq!(probe.built(), 2);
    assert_eq!(probe.log.events(), ["start a1", "start b2", "stop b2 normal", "stop a1 normal"]);
}

on_both_runtimes!(
    a_failed_actor_comes_back_behind_the_same_ref,
    queued_messages_survive_a_restart_in_order,
    the_old_on_stop_ends_before_the_new_on_start,
    wait_and_watchers_see_only_the_final_stop,
    a_name_survives_restarts_and_is_freed_at_the_end,
    the_limit_stops_it_for_good_with_its_last_failure,
    a_failed_or_panicking_on_start_is_a_failure,
    continue_from_on_panic_keeps_the_state,
    a_stop_from_outside_is_never_restarted,
    always_restarts_an_actor_that_stopped_itself,
    never_restarts_with_restart_never,
    a_kill_through_an_old_ref_ends_the_current_instance,
    the_old_instances_children_stop_before_the_new_one_starts,
    a_stop_during_the_backoff_ends_it_at_once,
    a_supervised_child_is_owned_by_its_parent,
    shutdown_never_restarts,
    stop_and_kill_racing_a_restart_always_win,
    a_restart_storm_loses_nothing_and_keeps_order,
    children_start_in_order_and_stop_newest_first,
    one_for_one_restarts_only_the_failed_child,
    one_for_all_restarts_every_child_in_order,
    rest_for_one_restarts_the_failed_child_and_later_ones,
    a_group_over_its_limit_fails_and_its_group_restarts_it,
    each_child_keeps_its_own_restart_policy,
    a_child_added_to_a_running_group_starts,
    a_builder_dropped_unspawned_stops_its_children,
    killing_a_group_kills_its_children,
    a_group_stopping_during_a_restart_ends,
    hooks_that_ask_siblings_while_the_group_stops_do_not_deadlock,
    shutdown_stops_a_group_without_restarts,
);

/// The backoff under tokio's paused clock: exact, and instant.
#[tokio::test(start_paused = true)]
async fn backoff_on_the_paused_clock() {
    the_backoff_waits_between_restarts().await;
}

/// xactor #29 / Akka's timer notes: a timer started in `on_start` does not
/// survive a restart (the rate does not double), and a tick queued for the
/// old instance is not handled by the new one.
#[tokio::test(start_paused = true)]
async fn timers_belong_to_one_instance() {
    quiet_expected_panics();
    let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
    let log = Log::default();
    let built = Arc::new(AtomicUsize::new(0));
    let factory = {
        let (log, built) = (log.clone(), built.clone());
        move || Ticker { log: log.clone(), instance: built.fetch_add(1, Ordering::SeqCst) + 1 }
    };
    let ticker = runtime.supervise(factory).spawn();
    within(ticker.ask(Stuck(None))).await.unwrap(); // started
    pass(&ticker, 350).await;
    assert_eq!(log.count("tick 1"), 3);
    // The instance gets stuck; a tick is queued behind it; then it fails.
    let gate = Arc::new(Notify::new());
    let stuck = tokio::spawn({
        let (ticker, gate) = (ticker.clone(), gate.clone());
        async move { ticker.ask(Stuck(Some(gate))).await }
    });
    while log.count("stuck 1") == 0 {
        tokio::task::yield_now().await;
    }
    tokio::time::advance(Duration::from_millis(100)).await;
    gate.notify_one();
    assert!(within(stuck).await.unwrap().unwrap_err().is_panicked());
    within(ticker.ask(Stuck(None))).await.unwrap();
    assert_eq!(log.count("tick 2"), 0, "the old instance's queued tick reached the new one");
    pass(&ticker, 350).await;
    assert_eq!(log.count("tick 2"), 3, "one timer, the new instance's: the rate did not double");
    assert_eq!(log.count("tick 1"), 3, "the old timer is gone");
    within(runtime.shutdown()).await;
}

/// Lets `ms` milliseconds of paused time pass, 10 at a time, the ticker
/// handling what comes due at each step.
async fn pass(ticker: &ActorRef<Ticker>, ms: u64) {
    for _ in 0..ms / 10 {
        tokio::time::advance(Duration::from_millis(10)).await;
        within(ticker.ask(Stuck(None))).await.unwrap();
    }
}

struct Ticker {
    log: Log,
    instance: usize,
}

impl Actor for Ticker {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let _ = ctx.tell_every(Duration::from_millis(100), || Tick);
        Ok(())
    }
}

struct Tick;
impl Message<Ticker> for Tick {
    type Reply = ();
    async fn handle(self, t: &mut Ticker, _: &mut Context<Ticker>) {
        t.log.push(format!("tick {}", t.instance));
    }
}

/// `None`: answers at once. `Some(gate)`: gets stuck until the gate opens,
/// then panics.
struct Stuck(Option<Arc<Notify>>);
impl Message<Ticker> for Stuck {
    type Reply = ();
    async fn handle(self, t: &mut Ticker, _: &mut Context<Ticker>) {
        if let Some(gate) = self.0 {
            t.log.push(format!("stuck {}", t.instance));
            gate.notified().await;
            panic!("stuck {EXPECTED}");
        }
    }
}
