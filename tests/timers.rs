//! Timers: `ctx.tell_after`, `ctx.tell_every`, keyed timers (`ctx.timer(key)`)
//! and `Timer::cancel`. A tick is handled like a tell from the actor itself;
//! after `cancel()` no tick is handled, even one already queued; a
//! `tell_every` keeps a fixed delay and never queues a backlog; timers end
//! (their messages and closures dropped) when the actor stops, and never keep
//! it alive.
//!
//! Each test runs on the current-thread runtime with tokio's paused clock
//! (times are then exact: the clock moves only when every task waits) and on
//! the multi-thread runtime in real time (times are then lower bounds).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use support::{Clock, within};
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;
use tractor::prelude::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Counts drops of its [`Witness`]es and says when a count is reached.
#[derive(Clone, Default)]
struct Drops(Arc<(AtomicUsize, Notify)>);

impl Drops {
    fn witness(&self) -> Witness {
        Witness(self.clone())
    }

    fn count(&self) -> usize {
        self.0.0.load(Ordering::SeqCst)
    }

    async fn reach(&self, n: usize) {
        loop {
            let notified = self.0.1.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count() >= n {
                return;
            }
            notified.await;
        }
    }
}

/// Counted in its [`Drops`] when dropped.
struct Witness(Drops);

impl Drop for Witness {
    fn drop(&mut self) {
        (self.0).0.0.fetch_add(1, Ordering::SeqCst);
        (self.0).0.1.notify_waiters();
    }
}

/// What the clock actor reports: a name, and when since it started.
type Event = (String, Duration);

/// The actor under test: reports every tick it handles.
struct Ticker {
    events: mpsc::UnboundedSender<Event>,
    start: Instant,
    timer: Option<Timer>,
    drops: Drops,
    /// Armed by `on_start`, to test an actor whose only activity is timers.
    arm_on_start: bool,
    on_panic: ControlFlow,
}

impl Ticker {
    fn new() -> (Self, mpsc::UnboundedReceiver<Event>) {
        let (events, rx) = mpsc::unbounded_channel();
        let ticker = Ticker {
            events,
            start: Instant::now(),
            timer: None,
            drops: Drops::default(),
            arm_on_start: false,
            on_panic: ControlFlow::Continue,
        };
        (ticker, rx)
    }

    fn report(&self, name: impl Into<String>) {
        let _ = self.events.send((name.into(), self.start.elapsed()));
    }
}

impl Actor for Ticker {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if self.arm_on_start {
            let witness = self.drops.witness();
            ctx.tell_every(Duration::from_secs(3600), move || {
                let _keep = &witness;
                Tick::new("hourly")
            });
            ctx.tell_after(Duration::from_secs(3600), Tick::new("later").with(self.drops.witness()));
        }
        Ok(())
    }

    async fn on_panic(&mut self, _: &mut Context<Self>, panic: &Panic) -> ControlFlow {
        self.report(format!("panic {}", panic.message()));
        self.on_panic
    }

    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        self.report(format!("on_stop ({reason}): {} dropped", self.drops.count()));
    }
}

/// A tick: reported with its name; it must come from the actor itself.
struct Tick {
    name: String,
    _witness: Option<Witness>,
}

impl Tick {
    fn new(name: impl Into<String>) -> Self {
        Tick { name: name.into(), _witness: None }
    }

    fn with(mut self, witness: Witness) -> Self {
        self._witness = Some(witness);
        self
    }
}

impl Message<Ticker> for Tick {
    type Reply = ();
    async fn handle(self, t: &mut Ticker, ctx: &mut Context<Ticker>) {
        assert_eq!(ctx.sender(), Some(ctx.id()), "a tick comes from the actor itself");
        t.report(self.name.clone());
    }
}

type Job = Box<dyn FnOnce(&mut Ticker, &mut Context<Ticker>) + Send>;

/// Runs a closure on the actor, in a handler.
struct Run(Job);

fn run(f: impl FnOnce(&mut Ticker, &mut Context<Ticker>) + Send + 'static) -> Run {
    Run(Box::new(f))
}

impl Message<Ticker> for Run {
    type Reply = ();
    async fn handle(self, t: &mut Ticker, ctx: &mut Context<Ticker>) {
        (self.0)(t, ctx);
    }
}

/// Keeps the actor busy: waits for `gate` (if any), runs `first`, stays
/// busy for `busy` (its ticks queue up meanwhile), then runs `then`.
struct Hold {
    gate: Option<Arc<Notify>>,
    first: Job,
    busy: Duration,
    then: Job,
}

fn hold(busy: Duration, then: impl FnOnce(&mut Ticker, &mut Context<Ticker>) + Send + 'static) -> Hold {
    Hold { gate: None, first: Box::new(|_, _| {}), busy, then: Box::new(then) }
}

impl Message<Ticker> for Hold {
    type Reply = ();
    async fn handle(self, t: &mut Ticker, ctx: &mut Context<Ticker>) {
        if let Some(gate) = self.gate {
            gate.notified().await;
        }
        (self.first)(t, ctx);
        tokio::time::sleep(self.busy).await;
        (self.then)(t, ctx);
    }
}

/// Reports "probe": everything queued before it has been handled.
fn probe() -> Run {
    run(|t, _| t.report("probe"))
}

/// The next event, bounded.
async fn next(events: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    within(events.recv()).await.expect("the actor is gone")
}

/// Every event until "probe" (excluded).
async fn until_probe(events: &mut mpsc::UnboundedReceiver<Event>) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let event = next(events).await;
        if event.0 == "probe" {
            return seen;
        }
        seen.push(event);
    }
}

fn names(events: &[Event]) -> Vec<&str> {
    events.iter().map(|(n, _)| n.as_str()).collect()
}

async fn a_tell_after_tick_comes_once_from_the_actor_itself(clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let ticker = runtime.spawn(ticker);
    within(ticker.ask(run(|t, ctx| t.timer = Some(ctx.tell_after(ms(20), Tick::new("once")))))).await.unwrap();
    let (name, at) = next(&mut events).await;
    assert_eq!(name, "once");
    match clock {
        Clock::Paused => assert_eq!(at, ms(20)),
        Clock::Real => assert!(at >= ms(20), "{at:?}"),
    }
    // Once: nothing more, however long we wait.
    tokio::time::sleep(ms(100)).await;
    within(ticker.ask(probe())).await.unwrap();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new());
    let active = within(ticker.ask(run(|t, _| assert!(!t.timer.as_ref().unwrap().is_active())))).await;
    active.unwrap();
    within(runtime.shutdown()).await;
}

async fn cancel_drops_a_tick_already_queued(clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let drops = ticker.drops.clone();
    let ticker = runtime.spawn(ticker);
    // Due at 10 ms while the actor is busy until 60 ms: by then the tick is
    // in the mailbox (exactly so on the paused clock), and `then` cancels it.
    let witness = drops.witness();
    let arm = run(move |t, ctx| t.timer = Some(ctx.tell_after(ms(10), Tick::new("once").with(witness))));
    within(ticker.tell(arm)).await.unwrap();
    within(ticker.tell(hold(ms(60), |t, _| {
        let timer = t.timer.take().unwrap();
        let before = timer.is_active();
        timer.cancel();
        t.report(format!("active {before} -> {}, {} dropped", timer.is_active(), t.drops.count()));
    })))
    .await
    .unwrap();
    let cancelled = next(&mut events).await.0;
    within(ticker.tell(probe())).await.unwrap();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new(), "a cancelled tick was handled");
    // And `cancel` dropped the timer's message, at once.
    assert_eq!(cancelled, "active true -> false, 1 dropped");

    // The same for a `tell_every`, whose first tick is queued at 10 ms.
    let arm = run(|t, ctx| t.timer = Some(ctx.tell_every(ms(10), || Tick::new("every"))));
    within(ticker.tell(arm)).await.unwrap();
    within(ticker.tell(hold(ms(60), |t, _| t.timer.take().unwrap().cancel()))).await.unwrap();
    within(ticker.tell(probe())).await.unwrap();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new(), "a cancelled tick was handled");
    // Nor later.
    tokio::time::sleep(ms(50)).await;
    within(ticker.tell(probe())).await.unwrap();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new());
    let _ = clock;
    within(runtime.shutdown()).await;
}

async fn tell_every_keeps_a_fixed_delay(clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let ticker = runtime.spawn(ticker);
    let mut n = 0;
    let arm = run(move |t, ctx| {
        t.timer = Some(ctx.tell_every(ms(25), move || {
            n += 1;
            Tick::new(format!("beat {n}"))
        }))
    });
    within(ticker.tell(arm)).await.unwrap();
    let mut beats = Vec::new();
    for _ in 0..5 {
        beats.push(next(&mut events).await);
    }
    within(ticker.tell(run(|t, _| t.timer.take().unwrap().cancel()))).await.unwrap();
    // In order, made by the closure one at a time.
    assert_eq!(names(&beats), ["beat 1", "beat 2", "beat 3", "beat 4", "beat 5"]);
    match clock {
        Clock::Paused => {
            let at: Vec<_> = beats.iter().map(|(_, at)| *at).collect();
            assert_eq!(at, [ms(25), ms(50), ms(75), ms(100), ms(125)]);
        }
        Clock::Real => {
            assert!(beats[0].1 >= ms(25));
            for pair in beats.windows(2) {
                assert!(pair[1].1 - pair[0].1 >= ms(25), "ticks closer than the period: {beats:?}");
            }
        }
    }
    tokio::time::sleep(ms(100)).await;
    within(ticker.tell(probe())).await.unwrap();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new(), "a tick after cancel");
    within(runtime.shutdown()).await;
}

async fn a_busy_actor_gets_one_late_tick_then_a_full_period(clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let ticker = runtime.spawn(ticker);
    within(ticker.tell(run(|t, ctx| t.timer = Some(ctx.tell_every(ms(10), || Tick::new("tick")))))).await.unwrap();
    // Busy for five and a half periods: no backlog builds up meanwhile.
    within(ticker.tell(hold(ms(55), |t, _| t.report("free")))).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(next(&mut events).await);
    }
    within(ticker.tell(run(|t, _| t.timer.take().unwrap().cancel()))).await.unwrap();
    assert_eq!(names(&seen), ["free", "tick", "tick", "tick"]);
    match clock {
        Clock::Paused => {
            let at: Vec<_> = seen.iter().map(|(_, at)| *at).collect();
            // The late tick as soon as the actor is free, then the period
            // again from there.
            assert_eq!(at, [ms(55), ms(55), ms(65), ms(75)]);
        }
        Clock::Real => {
            for pair in seen[1..].windows(2) {
                assert!(pair[1].1 - pair[0].1 >= ms(10), "ticks closer than the period: {seen:?}");
            }
        }
    }
    within(runtime.shutdown()).await;
}

async fn timers_are_handled_in_order(clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let ticker = runtime.spawn(ticker);
    // Deadlines 30, 10, 20 ms: handled as they fall due.
    within(ticker.tell(run(|_, ctx| {
        ctx.tell_after(ms(30), Tick::new("c"));
        ctx.tell_after(ms(10), Tick::new("a"));
        ctx.tell_after(ms(20), Tick::new("b"));
    })))
    .await
    .unwrap();
    let seen = [next(&mut events).await, next(&mut events).await, next(&mut events).await];
    match clock {
        Clock::Paused => {
            assert_eq!(names(&seen), ["a", "b", "c"]);
            assert_eq!(seen.map(|(_, at)| at), [ms(10), ms(20), ms(30)]);
        }
        // Across timers the order is that of their tasks' wakeups, which
        // threads may reorder; each came no earlier than its deadline.
        Clock::Real => {
            for (name, at) in &seen {
                let due = match name.as_str() {
                    "a" => ms(10),
                    "b" => ms(20),
                    _ => ms(30),
                };
                assert!(*at >= due, "{seen:?}");
            }
        }
    }
    within(runtime.shutdown()).await;
}

async fn a_tick_waits_for_room_in_a_full_mailbox(clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let ticker = runtime.spawn_with(ticker, Mailbox::bounded(1));
    // The actor is busy; the probe takes its one slot; only then is the
    // timer started, due 10 ms later, while the actor stays busy for 40 ms:
    // the tick waits for room and is handled after the probe.
    let gate = Arc::new(Notify::new());
    let busy = Hold {
        gate: Some(gate.clone()),
        first: Box::new(|_, ctx| drop(ctx.tell_after(ms(10), Tick::new("tick")))),
        busy: ms(40),
        then: Box::new(|_, _| {}),
    };
    within(ticker.tell(busy)).await.unwrap();
    within(ticker.tell(probe())).await.unwrap();
    gate.notify_one();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new());
    let (name, at) = next(&mut events).await;
    assert_eq!(name, "tick");
    match clock {
        Clock::Paused => assert_eq!(at, ms(40)),
        Clock::Real => assert!(at >= ms(40)),
    }
    within(runtime.shutdown()).await;
}

/// How an actor with two timers is made to end.
#[derive(Clone, Copy, Debug)]
enum End {
    Stop,
    Kill,
    Panic,
}

async fn timers_end_with_their_actor(_clock: Clock) {
    for end in [End::Stop, End::Kill, End::Panic] {
        let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
        let (mut ticker, mut events) = Ticker::new();
        ticker.on_panic = ControlFlow::Stop;
        let drops = ticker.drops.clone();
        let ticker = runtime.spawn(ticker);
        within(ticker.ask(run(|t, ctx| {
            let witness = t.drops.witness();
            ctx.tell_every(ms(10), move || {
                let _keep = &witness;
                Tick::new("every")
            });
            ctx.tell_after(Duration::from_secs(3600), Tick::new("later").with(t.drops.witness()));
        })))
        .await
        .unwrap();
        match end {
            End::Stop => within(ticker.stop()).await.unwrap(),
            End::Kill => ticker.kill(),
            End::Panic => within(ticker.tell(run(|_, _| panic!("boom")))).await.unwrap(),
        }
        within(ticker.wait()).await;
        drop(ticker);
        // Every event, until the actor (which holds the sender) is gone.
        let mut stopped = None;
        while let Some((name, _)) = within(events.recv()).await {
            if name.starts_with("on_stop") {
                stopped = Some(name);
            }
        }
        // The closure and the message were dropped before `on_stop` ran.
        let stopped = stopped.expect("on_stop ran");
        assert!(stopped.ends_with(": 2 dropped"), "{end:?}: {stopped}");
        assert_eq!(drops.count(), 2);
        within(runtime.shutdown()).await;
    }
}

async fn a_timer_started_in_on_stop_is_dropped_with_the_actor(_clock: Clock) {
    struct Late(Drops);
    impl Actor for Late {
        async fn on_stop(&mut self, ctx: &mut Context<Self>, _: &StopReason) {
            ctx.tell_after(Duration::from_secs(3600), Never(self.0.witness()));
        }
    }
    struct Never(#[allow(dead_code, reason = "dropped, never read")] Witness);
    impl Message<Late> for Never {
        type Reply = ();
        async fn handle(self, _: &mut Late, _: &mut Context<Late>) {
            unreachable!("the actor stopped")
        }
    }
    let runtime = Runtime::new();
    let drops = Drops::default();
    let late = runtime.spawn(Late(drops.clone()));
    within(late.stop()).await.unwrap();
    within(drops.reach(1)).await;
    within(runtime.shutdown()).await;
}

async fn timers_do_not_keep_their_actor_alive(_clock: Clock) {
    let runtime = Runtime::new();
    let (mut ticker, mut events) = Ticker::new();
    ticker.arm_on_start = true;
    let drops = ticker.drops.clone();
    let ticker = runtime.spawn(ticker);
    let weak = ticker.downgrade();
    within(ticker.ask(probe())).await.unwrap();
    assert_eq!(next(&mut events).await.0, "probe");
    // Its only ref is gone: its timers, an hour off, do not keep it.
    drop(ticker);
    let (stopped, _) = next(&mut events).await;
    assert_eq!(stopped, "on_stop (normal): 2 dropped");
    assert!(weak.upgrade().is_none());
    assert_eq!(drops.count(), 2);
    within(runtime.shutdown()).await;
}

async fn a_keyed_timer_replaces_the_one_under_its_key(clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let drops = ticker.drops.clone();
    let ticker = runtime.spawn(ticker);
    // Replaced before it is due: only the second comes.
    within(ticker.tell(run(|t, ctx| {
        ctx.timer("k").tell_after(ms(10), Tick::new("first").with(t.drops.witness()));
        assert_eq!(t.drops.count(), 0);
        ctx.timer("k").tell_after(ms(30), Tick::new("second"));
        assert_eq!(t.drops.count(), 1, "the replaced timer's message is dropped at once");
        assert!(ctx.timer("k").is_active());
    })))
    .await
    .unwrap();
    let (name, at) = next(&mut events).await;
    assert_eq!(name, "second");
    match clock {
        Clock::Paused => assert_eq!(at, ms(30)),
        Clock::Real => assert!(at >= ms(30)),
    }
    within(ticker.tell(run(|_, ctx| assert!(!ctx.timer("k").is_active(), "a fired timer is over")))).await.unwrap();

    // Replaced while its tick is already queued: that tick is not handled.
    within(ticker.tell(run(|_, ctx| drop(ctx.timer("q").tell_after(ms(10), Tick::new("old")))))).await.unwrap();
    within(ticker.tell(hold(ms(40), |_, ctx| drop(ctx.timer("q").tell_after(ms(10), Tick::new("new"))))))
        .await
        .unwrap();
    let (name, at) = next(&mut events).await;
    assert_eq!(name, "new");
    if clock == Clock::Paused {
        assert_eq!(at, ms(80));
    }

    // Cancelled by key, with a tick queued; keys of other types are others.
    within(ticker.tell(run(|_, ctx| {
        ctx.timer(1u32).tell_every(ms(10), || Tick::new("u32"));
        ctx.timer(1u64).tell_after(ms(10), Tick::new("u64"));
    })))
    .await
    .unwrap();
    within(ticker.tell(hold(ms(30), |t, ctx| {
        ctx.timer(1u32).cancel();
        assert!(!ctx.timer(1u32).is_active());
        ctx.timer("never started").cancel();
        t.report("cancelled");
    })))
    .await
    .unwrap();
    assert_eq!(next(&mut events).await.0, "cancelled");
    assert_eq!(next(&mut events).await.0, "u64");
    tokio::time::sleep(ms(50)).await;
    within(ticker.tell(probe())).await.unwrap();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new(), "a cancelled keyed timer ticked");
    assert_eq!(drops.count(), 1);
    within(runtime.shutdown()).await;
}

async fn a_debounce_fires_once_after_the_last_call(clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let ticker = runtime.spawn(ticker);
    // In real time, a debounce far above the 10 ms between calls: a stalled
    // machine must not make two saves of it.
    let debounce = if clock == Clock::Paused { ms(50) } else { ms(250) };
    for _ in 0..5 {
        within(ticker.tell(run(move |_, ctx| drop(ctx.timer("save").tell_after(debounce, Tick::new("save"))))))
            .await
            .unwrap();
        tokio::time::sleep(ms(10)).await;
    }
    let (name, at) = next(&mut events).await;
    assert_eq!(name, "save");
    // The last call was at 40 ms.
    match clock {
        Clock::Paused => assert_eq!(at, ms(90)),
        Clock::Real => assert!(at >= ms(40) + debounce, "{at:?}"),
    }
    tokio::time::sleep(ms(100)).await;
    within(ticker.tell(probe())).await.unwrap();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new());
    within(runtime.shutdown()).await;
}

async fn a_panic_in_a_tell_every_closure_is_the_actors(_clock: Clock) {
    let crashes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = crashes.clone();
    let runtime = Runtime::builder()
        .crash_policy(move |crash: &Crash| {
            seen.lock().unwrap().push(crash.message_type().unwrap_or("-").to_string());
        })
        .build();
    let (ticker, mut events) = Ticker::new();
    let ticker = runtime.spawn(ticker);
    let mut n = 0;
    let arm = run(move |t, ctx| {
        t.timer = Some(ctx.tell_every(ms(10), move || {
            n += 1;
            if n == 2 {
                panic!("tick {n} failed");
            }
            Tick::new(format!("tick {n}"))
        }))
    });
    within(ticker.tell(arm)).await.unwrap();
    let seen: Vec<_> = [next(&mut events).await, next(&mut events).await, next(&mut events).await]
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    // `on_panic` said Continue: the timer goes on with its closure.
    assert_eq!(seen, ["tick 1", "panic tick 2 failed", "tick 3"]);
    let crashes = crashes.lock().unwrap().clone();
    assert_eq!(crashes.len(), 1);
    assert!(crashes[0].contains("TimerTick"), "{crashes:?}");
    within(runtime.shutdown()).await;
}

async fn a_tell_every_closure_may_cancel_its_own_timer(_clock: Clock) {
    let runtime = Runtime::new();
    let (ticker, mut events) = Ticker::new();
    let drops = ticker.drops.clone();
    let ticker = runtime.spawn(ticker);
    let own: Arc<std::sync::Mutex<Option<Timer>>> = Arc::default();
    let slot = own.clone();
    let arm = run(move |t, ctx| {
        let (mut n, witness) = (0, t.drops.witness());
        let timer = ctx.tell_every(ms(10), move || {
            let _keep = &witness;
            n += 1;
            if n == 3 {
                slot.lock().unwrap().take().unwrap().cancel();
            }
            Tick::new(format!("tick {n}"))
        });
        *own.lock().unwrap() = Some(timer);
    });
    within(ticker.tell(arm)).await.unwrap();
    let seen = [next(&mut events).await.0, next(&mut events).await.0, next(&mut events).await.0];
    // The third was being handled when it cancelled: it runs to its end.
    assert_eq!(seen, ["tick 1", "tick 2", "tick 3"]);
    assert_eq!(drops.count(), 1, "the closure is dropped once it returns");
    tokio::time::sleep(ms(50)).await;
    within(ticker.tell(probe())).await.unwrap();
    assert_eq!(names(&until_probe(&mut events).await), Vec::<&str>::new());
    within(runtime.shutdown()).await;
}

on_both_clocks!(
    a_tell_after_tick_comes_once_from_the_actor_itself,
    a_tell_every_closure_may_cancel_its_own_timer,
    cancel_drops_a_tick_already_queued,
    tell_every_keeps_a_fixed_delay,
    a_busy_actor_gets_one_late_tick_then_a_full_period,
    timers_are_handled_in_order,
    a_tick_waits_for_room_in_a_full_mailbox,
    timers_end_with_their_actor,
    a_timer_started_in_on_stop_is_dropped_with_the_actor,
    timers_do_not_keep_their_actor_alive,
    a_keyed_timer_replaces_the_one_under_its_key,
    a_debounce_fires_once_after_the_last_call,
    a_panic_in_a_tell_every_closure_is_the_actors,
);

async fn a_zero_period_is_refused(_clock: Clock) {
    let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
    let (ticker, mut events) = Ticker::new();
    let ticker = runtime.spawn(ticker);
    let refused = within(ticker.ask(run(|_, ctx| drop(ctx.tell_every(Duration::ZERO, || Tick::new("never")))))).await;
    assert!(refused.unwrap_err().is_panicked());
    assert_eq!(next(&mut events).await.0, "panic `tell_every` needs a period above zero");
    within(runtime.shutdown()).await;
}

on_both_clocks!(a_zero_period_is_refused);
