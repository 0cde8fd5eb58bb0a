//! Load: nothing is lost under back-pressure, panics or mass ref drops. Many
//! senders on bounded mailboxes keep per-sender order; a flaky handler under
//! concurrent asks answers every one and counts exactly; a thousand actors
//! whose refs are dropped with work queued handle it all and then stop; an
//! actor whose `step` keeps dropping a parked `recv()` for a timer misses no
//! wakeup.

mod harness;
mod support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use harness::{CountCrashes, EXPECTED, quiet_expected_panics, settle};
use support::within;
use tokio::sync::{mpsc, watch};
use tractor::prelude::*;

// ---------------------------------------------------------------------------
// 1. 200 actors, bounded(16), 4 senders × 250 numbered tells to each.

const ACTORS: usize = 200;
const SENDERS: usize = 4;
const PER_SENDER: u32 = 250;

/// Checks that each sender's numbers arrive as 0, 1, 2, … with no gap,
/// repeat or reordering.
#[derive(Actor, Default)]
struct Sequencer {
    next: [u32; SENDERS],
    received: u32,
    out_of_order: Vec<(usize, u32, u32)>,
}

#[actor]
impl Sequencer {
    #[message]
    async fn number(&mut self, sender: usize, seq: u32) {
        // Now and then take a while, so mailboxes fill and senders wait.
        if seq % 50 == 49 {
            tokio::task::yield_now().await;
        }
        if seq != self.next[sender] {
            self.out_of_order.push((sender, self.next[sender], seq));
        }
        self.next[sender] = seq + 1;
        self.received += 1;
    }

    #[message]
    fn report(&self) -> ([u32; SENDERS], u32, Vec<(usize, u32, u32)>) {
        (self.next, self.received, self.out_of_order.clone())
    }
}

async fn every_message_arrives_in_order_per_sender() {
    let runtime = Runtime::new();
    let actors: Arc<Vec<ActorRef<Sequencer>>> =
        Arc::new((0..ACTORS).map(|_| runtime.spawn_with(Sequencer::default(), Mailbox::bounded(16))).collect());
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let actors = Arc::clone(&actors);
            tokio::spawn(async move {
                for seq in 0..PER_SENDER {
                    for actor in actors.iter() {
                        actor.number(sender, seq).tell().await.expect("a running actor accepts every tell");
                    }
                }
            })
        })
        .collect();
    for sender in senders {
        within(sender).await.unwrap();
    }
    for actor in actors.iter() {
        // The report is asked after every tell returned: it is queued behind them.
        let (next, received, out_of_order) = within(actor.report()).await.unwrap();
        assert_eq!(out_of_order, [], "actor {} saw numbers out of order", actor.id());
        assert_eq!(next, [PER_SENDER; SENDERS], "actor {} missed the tail of a sender", actor.id());
        assert_eq!(received, PER_SENDER * SENDERS as u32, "actor {} lost or duplicated messages", actor.id());
    }
    within(runtime.shutdown()).await;
    assert_eq!(runtime.actor_count(), 0);
}

// ---------------------------------------------------------------------------
// 2. 4 tasks × 500 asks to one actor that panics on 1 input in 7.

const TASKS: u32 = 4;
const ASKS: u32 = 500;

/// One input in seven panics. (`u32::is_multiple_of` is newer than the
/// workspace's rust-version, 1.85.)
#[allow(clippy::manual_is_multiple_of)]
fn panics_on(n: u32) -> bool {
    n % 7 == 0
}

/// Doubles its input; panics on multiples of 7 and keeps going.
#[derive(Default)]
struct Flaky {
    handled: u32,
    panics_seen: u32,
}

impl Actor for Flaky {
    async fn on_panic(&mut self, _: &mut Context<Self>, _: &Panic) -> ControlFlow {
        self.panics_seen += 1;
        ControlFlow::Continue
    }
}

#[actor]
impl Flaky {
    /// Synchronous handler: the runtime replies on the spot.
    #[message]
    fn double(&mut self, n: u32) -> u32 {
        if panics_on(n) {
            panic!("{EXPECTED} refusing {n}");
        }
        self.handled += 1;
        n * 2
    }

    /// Asynchronous handler: the panic happens in a later poll.
    #[message]
    async fn double_later(&mut self, n: u32) -> u32 {
        tokio::task::yield_now().await;
        if panics_on(n) {
            panic!("{EXPECTED} refusing {n} later");
        }
        self.handled += 1;
        n * 2
    }

    #[message]
    fn counts(&self) -> (u32, u32) {
        (self.handled, self.panics_seen)
    }
}

async fn panics_under_load_fail_only_their_own_asks() {
    quiet_expected_panics();
    let crashes = CountCrashes::default();
    let runtime = Runtime::builder().crash_policy(crashes.clone()).build();
    let flaky = runtime.spawn(Flaky::default());
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let flaky = flaky.clone();
            tokio::spawn(async move {
                for i in 0..ASKS {
                    let n = task * ASKS + i;
                    // Half the tasks go through the synchronous handler, half
                    // through the asynchronous one.
                    let answer = if task % 2 == 0 { flaky.double(n).await } else { flaky.double_later(n).await };
                    match answer {
                        Ok(v) => assert!(!panics_on(n) && v == n * 2, "input {n} answered {v}"),
                        Err(e) => assert!(panics_on(n) && e.is_panicked(), "input {n} failed: {e}"),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        within(task).await.unwrap();
    }
    let panicking = (0..TASKS * ASKS).filter(|&n| panics_on(n)).count() as u32;
    let (handled, panics_seen) = within(flaky.counts()).await.unwrap();
    assert_eq!(handled, TASKS * ASKS - panicking, "every non-panicking input is handled exactly once");
    assert_eq!(panics_seen, panicking, "on_panic is told of every panic");
    assert_eq!(crashes.count(), panicking as usize, "the crash policy is told of every panic");
    assert!(flaky.is_alive());
    within(runtime.shutdown()).await;
}

// ---------------------------------------------------------------------------
// Every ref dropped, under load: 1,000 actors with queued work.

const DROPPED: usize = 1000;
const QUEUED: u32 = 20;

/// What each actor reports from `on_stop`.
#[derive(Debug)]
struct StopReport {
    id: ActorId,
    handled: u32,
    reason: StopReason,
    /// Whether `ctx.actor_ref()` handed out a closed ref once the outside
    /// refs were gone.
    self_ref_closed: bool,
}

/// Handles `Tick`s only once the gate opens, so its mailbox is full of them
/// when the last ref goes.
struct Gated {
    gate: watch::Receiver<bool>,
    handled: u32,
    reports: mpsc::UnboundedSender<StopReport>,
}

impl Actor for Gated {
    async fn on_stop(&mut self, ctx: &mut Context<Self>, reason: &StopReason) {
        let self_ref_closed = ctx.actor_ref().try_tell(Tick).is_err_and(|e| e.is_stopped());
        let report = StopReport { id: ctx.id(), handled: self.handled, reason: reason.clone(), self_ref_closed };
        self.reports.send(report).unwrap();
    }
}

struct Tick;

impl Message<Gated> for Tick {
    type Reply = ();
    async fn handle(self, g: &mut Gated, _: &mut Context<Gated>) {
        g.gate.wait_for(|open| *open).await.unwrap();
        g.handled += 1;
    }
}

async fn dropping_every_ref_under_load_handles_the_queue_then_stops() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let tasks_before = metrics.num_alive_tasks();
    let runtime = Runtime::new();
    let (open, gate) = watch::channel(false);
    let (reports_tx, mut reports) = mpsc::unbounded_channel();
    let mut expected = HashMap::new();
    for i in 0..DROPPED {
        let actor = runtime.spawn(Gated { gate: gate.clone(), handled: 0, reports: reports_tx.clone() });
        // Every other actor is reached through a type-erased `Sender` as
        // well; it holds the mailbox open like a ref does.
        let sender: Option<Sender<Tick, ()>> = (i % 2 == 0).then(|| Sender::from(actor.clone()));
        for _ in 0..QUEUED {
            within(actor.tell(Tick)).await.unwrap();
        }
        expected.insert(actor.id(), QUEUED + u32::from(sender.is_some()));
        drop(actor);
        if let Some(sender) = sender {
            within(sender.tell(Tick)).await.unwrap();
        }
    }
    drop((gate, reports_tx));
    assert_eq!(runtime.actor_count(), DROPPED, "nothing stops before its queue is handled");
    open.send(true).unwrap();

    // The channel closes once every actor's state (holding a report sender)
    // is dropped: exactly one report per actor, never a second.
    let mut seen = HashSet::new();
    while let Some(report) = within(reports.recv()).await {
        assert!(seen.insert(report.id), "on_stop ran twice for {}", report.id);
        assert_eq!(report.handled, expected[&report.id], "{report:?}");
        assert!(report.reason.is_normal(), "{report:?}");
        assert!(report.self_ref_closed, "{report:?}");
    }
    assert_eq!(seen.len(), DROPPED);
    assert!(settle(|| runtime.actor_count() == 0).await, "actor_count stuck at {}", runtime.actor_count());
    assert!(
        settle(|| metrics.num_alive_tasks() == tasks_before).await,
        "{} actor tasks still alive",
        metrics.num_alive_tasks() - tasks_before
    );
    // Nothing left for shutdown to do, and it does not mind.
    within(runtime.shutdown()).await;
}

// ---------------------------------------------------------------------------
// 4. A `step` that races `recv()` against a timer: the parked receive is
//    dropped each time the timer fires, while four senders tell and ask.
//    The timer is disarmed after each tick and only a message re-arms it,
//    so between a tick and the next `Arm` nothing but a send can wake the
//    actor: a send that does not wake a parked actor hangs the test.

const TICKING_SENDERS: u64 = 4;
const TICKING_PER_SENDER: u64 = 2_000;
const TICKING_ROUNDS: u64 = 50;

struct Ticking {
    total: u64,
    ticks: u64,
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
    ticked: mpsc::UnboundedSender<()>,
}

/// Far enough that it never fires during the test.
fn disarmed() -> tokio::time::Instant {
    tokio::time::Instant::now() + std::time::Duration::from_secs(3600)
}

impl Actor for Ticking {
    async fn step(&mut self, ctx: &mut Context<Self>) -> Step<Self> {
        tokio::select! {
            biased;
            () = &mut self.timer => {
                self.ticks += 1;
                self.timer.as_mut().reset(disarmed());
                let _ = self.ticked.send(());
                Step::Continue
            }
            step = ctx.recv() => step,
        }
    }
}

#[actor]
impl Ticking {
    #[message]
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    #[message]
    fn total(&self) -> (u64, u64) {
        (self.total, self.ticks)
    }

    /// Fires the timer once, soon.
    #[message]
    fn arm(&mut self) {
        self.timer.as_mut().reset(tokio::time::Instant::now() + std::time::Duration::from_micros(200));
    }
}

async fn recv_dropped_for_a_timer_under_load_misses_no_wakeup() {
    let runtime = Runtime::new();
    let (ticked, mut ticks_seen) = mpsc::unbounded_channel();
    let timer = Box::pin(tokio::time::sleep_until(disarmed()));
    let ticking = runtime.spawn(Ticking { total: 0, ticks: 0, timer, ticked });
    let senders: Vec<_> = (0..TICKING_SENDERS)
        .map(|_| {
            let ticking = ticking.clone();
            tokio::spawn(async move {
                for i in 0..TICKING_PER_SENDER {
                    within(ticking.add(1).tell()).await.unwrap();
                    // Asks make the actor park between messages, so the
                    // timer gets to drop its parked receive.
                    if i % 8 == 0 {
                        within(ticking.total()).await.unwrap();
                    }
                }
            })
        })
        .collect();
    // Each round: the timer fires while the actor waits in `step` (its
    // parked receive is dropped), then it is disarmed until the next `Arm`,
    // which only a working wakeup delivers.
    let mut round = async || {
        within(ticking.arm()).await.unwrap();
        within(ticks_seen.recv()).await.unwrap();
    };
    for _ in 0..TICKING_ROUNDS {
        round().await;
    }
    for sender in senders {
        within(sender).await.unwrap();
    }
    // And some rounds with no other sender: the actor is surely parked when
    // its timer fires and when the next `Arm` arrives.
    for _ in 0..10 {
        round().await;
    }
    let (total, ticks) = within(ticking.total()).await.unwrap();
    assert_eq!(total, TICKING_SENDERS * TICKING_PER_SENDER);
    assert_eq!(ticks, TICKING_ROUNDS + 10, "one tick per arm");
    within(runtime.shutdown()).await;
}

on_both_runtimes!(
    every_message_arrives_in_order_per_sender,
    panics_under_load_fail_only_their_own_asks,
    dropping_every_ref_under_load_handles_the_queue_then_stops,
    recv_dropped_for_a_timer_under_load_misses_no_wakeup,
);
