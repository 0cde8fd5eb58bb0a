//! Model-based: proptest generates random programs of spawn / tell / ask /
//! try_tell / stop / kill / panic-in-handler / shutdown, runs each against
//! the real runtime and a simple model side by side, and checks that every
//! ask resolves to the model's value or the right error, that nothing hangs,
//! and that `on_stop` ran exactly once per started actor, with the reason
//! and final count the model allows.
//!
//! Operations run one after another, so the model is exact except where the
//! contract leaves timing open (a `kill` may land before or after queued
//! messages; a send to an actor that is about to die of a panic may be
//! accepted or refused); there it allows exactly the outcomes the contract
//! allows.

mod harness;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::{EXPECTED, quiet_expected_panics};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::Strategy;
use tractor::prelude::*;

const CAPACITY: usize = 3;

/// How an actor ended, without the details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Normal,
    Killed,
    Panicked,
    StartFailed,
}

impl From<&StopReason> for Kind {
    fn from(reason: &StopReason) -> Self {
        match reason {
            StopReason::Normal => Kind::Normal,
            StopReason::Killed => Kind::Killed,
            StopReason::Panicked(_) => Kind::Panicked,
            StopReason::StartFailed(_) => Kind::StartFailed,
            StopReason::NodeLost(_) => unreachable!("no remote actors in this model"),
        }
    }
}

/// How often `on_start` ran, and each `on_stop` with the final count.
type Record = (u32, Vec<(Kind, i64)>);

/// What the actors report of their lives, by id.
#[derive(Clone, Default)]
struct Journal(Arc<Mutex<HashMap<ActorId, Record>>>);

impl Journal {
    fn get(&self, id: ActorId) -> Record {
        self.0.lock().unwrap().get(&id).cloned().unwrap_or_default()
    }
}

/// The actor under test: a counter that may panic on request.
struct Subject {
    count: i64,
    survive: bool,
    journal: Journal,
}

impl Actor for Subject {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.journal.0.lock().unwrap().entry(ctx.id()).or_default().0 += 1;
        Ok(())
    }

    async fn on_stop(&mut self, ctx: &mut Context<Self>, reason: &StopReason) {
        self.journal.0.lock().unwrap().entry(ctx.id()).or_default().1.push((reason.into(), self.count));
    }

    async fn on_panic(&mut self, _: &mut Context<Self>, _: &Panic) -> ControlFlow {
        if self.survive { ControlFlow::Continue } else { ControlFlow::Stop }
    }
}

struct Add(i64);

impl Message<Subject> for Add {
    type Reply = i64;
    async fn handle(self, s: &mut Subject, _: &mut Context<Subject>) -> i64 {
        s.count += self.0;
        s.count
    }
}

struct Get;

impl Message<Subject> for Get {
    type Reply = i64;
    async fn handle(self, s: &mut Subject, _: &mut Context<Subject>) -> i64 {
        s.count
    }
}

/// Adds, then panics: the addition stays.
struct AddThenPanic(i64);

impl Message<Subject> for AddThenPanic {
    type Reply = i64;
    async fn handle(self, s: &mut Subject, _: &mut Context<Subject>) -> i64 {
        s.count += self.0;
        panic!("{EXPECTED} AddThenPanic({})", self.0)
    }
}

/// One step of a program. `Index` picks one of the actors spawned so far.
#[derive(Clone, Debug)]
enum Op {
    Spawn { survive: bool, bounded: bool },
    Tell(Index, i64),
    TryTell(Index, i64),
    Ask(Index),
    PanicAsk(Index, i64),
    PanicTell(Index, i64),
    Stop(Index),
    Kill(Index),
    Shutdown,
}

fn op() -> impl Strategy<Value = Op> {
    let by = -50i64..50;
    prop_oneof![
        6 => (any::<bool>(), any::<bool>()).prop_map(|(survive, bounded)| Op::Spawn { survive, bounded }),
        8 => (any::<Index>(), by.clone()).prop_map(|(i, by)| Op::Tell(i, by)),
        6 => (any::<Index>(), by.clone()).prop_map(|(i, by)| Op::TryTell(i, by)),
        8 => any::<Index>().prop_map(Op::Ask),
        2 => (any::<Index>(), by.clone()).prop_map(|(i, by)| Op::PanicAsk(i, by)),
        2 => (any::<Index>(), by).prop_map(|(i, by)| Op::PanicTell(i, by)),
        2 => any::<Index>().prop_map(Op::Stop),
        2 => any::<Index>().prop_map(Op::Kill),
        1 => Just(Op::Shutdown),
    ]
}

/// A program: always starts with a spawn, then up to 40 steps.
fn program() -> impl Strategy<Value = Vec<Op>> {
    (any::<bool>(), prop::collection::vec(op(), 1..40)).prop_map(|(survive, mut ops)| {
        ops.insert(0, Op::Spawn { survive, bounded: false });
        ops
    })
}

/// Where an actor is, as far as the model knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    /// Running: sends are accepted and will be handled.
    Alive,
    /// A panic that stops it was handled or is queued: it will never handle
    /// another message, but until it has finished a send may still be
    /// accepted (and then discarded).
    Doomed,
    /// Stopped, killed or never started: every send fails at once.
    Closed,
}

/// The model of one actor.
struct Model {
    actor: ActorRef<Subject>,
    started: bool,
    survive: bool,
    capacity: Option<usize>,
    life: Life,
    /// Known to have run `on_stop` and died.
    finished: bool,
    /// The count when the last ask (or panicking ask) was answered...
    synced: i64,
    /// ...and the additions accepted since, in order (up to and including a
    /// stopping panic).
    pending: Vec<i64>,
    /// The final counts and reasons the contract allows, once ended.
    counts: Vec<i64>,
    reasons: Vec<Kind>,
}

impl Model {
    fn total(&self) -> i64 {
        self.synced + self.pending.iter().sum::<i64>()
    }

    /// Ends the actor with everything accepted handled.
    fn end(&mut self, reason: Kind) {
        self.counts = vec![self.total()];
        self.reasons = vec![reason];
        self.life = Life::Closed;
        self.finished = true;
    }

    /// Ends a doomed actor, seen dead.
    fn end_doomed(&mut self) {
        self.end(Kind::Panicked);
    }
}

const LIMIT: Duration = Duration::from_secs(10);

/// Awaits `fut` for at most [`LIMIT`]; `Err` names the step that hung.
async fn bounded<F: std::future::IntoFuture>(step: usize, op: &Op, fut: F) -> Result<F::Output, TestCaseError> {
    tokio::time::timeout(LIMIT, fut.into_future())
        .await
        .map_err(|_| TestCaseError::fail(format!("step {step} ({op:?}) hung for {LIMIT:?}")))
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let journal = Journal::default();
    let runtime = Runtime::builder().crash_policy(harness::CountCrashes::default()).build();
    let mut actors: Vec<Model> = Vec::new();
    let mut shut_down = false;
    let ops: Vec<Op> = ops.into_iter().chain([Op::Shutdown]).collect();
    let last = ops.len() - 1;

    for (step, op) in ops.iter().enumerate() {
        if matches!(op, Op::Shutdown) && shut_down && step == last {
            break;
        }
        let pick = |i: &Index, n: usize| i.index(n);
        match op {
            Op::Spawn { survive, bounded: b } => {
                let capacity = b.then_some(CAPACITY);
                let mailbox = capacity.map_or(Mailbox::unbounded(), Mailbox::bounded);
                let subject = Subject { count: 0, survive: *survive, journal: journal.clone() };
                let actor = runtime.spawn_with(subject, mailbox);
                let mut model = Model {
                    actor,
                    started: !shut_down,
                    survive: *survive,
                    capacity,
                    life: Life::Alive,
                    finished: false,
                    synced: 0,
                    pending: Vec::new(),
                    counts: Vec::new(),
                    reasons: Vec::new(),
                };
                if shut_down {
                    prop_assert!(!model.actor.is_alive(), "a spawn after shutdown is already stopped");
                    model.end(Kind::StartFailed);
                }
                actors.push(model);
            }
            Op::Tell(i, by) | Op::PanicTell(i, by) => {
                let n = actors.len();
                let m = &mut actors[pick(i, n)];
                let fatal = matches!(op, Op::PanicTell(..)) && !m.survive;
                let sent = if matches!(op, Op::Tell(..)) {
                    bounded(step, op, m.actor.tell(Add(*by))).await?
                } else {
                    bounded(step, op, m.actor.tell(AddThenPanic(*by))).await?
                };
                match (m.life, sent) {
                    (Life::Alive, Ok(())) => {
                        m.pending.push(*by);
                        if fatal {
                            m.life = Life::Doomed;
                        }
                    }
                    (Life::Doomed, Ok(())) => {}
                    (Life::Doomed | Life::Closed, Err(e)) if e.is_stopped() => {}
                    (life, sent) => prop_assert!(false, "step {step} {op:?} on a {life:?} actor: {sent:?}"),
                }
            }
            Op::TryTell(i, by) => {
                let n = actors.len();
                let m = &mut actors[pick(i, n)];
                let maybe_full = m.capacity.is_some_and(|c| m.pending.len() >= c);
                match (m.life, m.actor.try_tell(Add(*by))) {
                    (Life::Alive, Ok(())) => m.pending.push(*by),
                    (Life::Doomed, Ok(())) => {}
                    (life, Err(e))
                        if (e.is_full() && (life == Life::Doomed || maybe_full && life == Life::Alive))
                            || (e.is_stopped() && life != Life::Alive) =>
                    {
                        let Add(back) = e.into_inner();
                        prop_assert_eq!(back, *by, "a refused try_tell hands the message back");
                    }
                    (life, sent) => prop_assert!(
                        false,
                        "step {step} {op:?} on a {life:?} actor ({} pending): {sent:?}",
                        m.pending.len()
                    ),
                }
            }
            Op::Ask(i) | Op::PanicAsk(i, _) => {
                let n = actors.len();
                let m = &mut actors[pick(i, n)];
                let answer = match op {
                    Op::PanicAsk(_, by) => bounded(step, op, m.actor.ask(AddThenPanic(*by))).await?.map(|_| None),
                    _ => bounded(step, op, m.actor.ask(Get)).await?.map(Some),
                };
                match (m.life, op, answer) {
                    (Life::Alive, Op::Ask(_), Ok(Some(v))) => {
                        prop_assert_eq!(v, m.total(), "step {} ask answered the wrong count", step);
                        m.synced = v;
                        m.pending.clear();
                    }
                    (Life::Alive, Op::PanicAsk(_, by), Err(e)) if e.is_panicked() => {
                        m.synced = m.total() + by;
                        m.pending.clear();
                        if !m.survive {
                            m.life = Life::Doomed;
                        }
                    }
                    // A doomed actor never handles this ask: it fails once
                    // the actor has crashed (it abandons its mailbox before
                    // its children and on_stop), which may be before it has
                    // finished.
                    (Life::Doomed, _, Err(e)) if e.is_stopped() => {
                        m.end_doomed();
                        m.finished = false;
                    }
                    (Life::Closed, _, Err(e)) if e.is_stopped() => {}
                    (life, _, answer) => prop_assert!(false, "step {step} {op:?} on a {life:?} actor: {answer:?}"),
                }
            }
            Op::Stop(i) => {
                let n = actors.len();
                let m = &mut actors[pick(i, n)];
                let stopped = bounded(step, op, m.actor.stop()).await?;
                // `stop()` is idempotent: `Ok` whatever state the actor is in.
                match (m.life, stopped) {
                    (Life::Alive, Ok(())) => m.end(Kind::Normal),
                    (Life::Doomed, Ok(())) => m.end_doomed(),
                    (Life::Closed, Ok(())) => m.finished = true,
                    (life, stopped) => prop_assert!(false, "step {step} {op:?} on a {life:?} actor: {stopped:?}"),
                }
                prop_assert!(!m.actor.is_alive(), "stop() resolved before the actor stopped");
            }
            Op::Kill(i) => {
                let n = actors.len();
                let m = &mut actors[pick(i, n)];
                m.actor.kill();
                if m.life != Life::Closed {
                    // Queued messages are handled in order until the kill
                    // lands: the final count is one of the prefix sums.
                    m.counts = (0..=m.pending.len()).map(|k| m.synced + m.pending[..k].iter().sum::<i64>()).collect();
                    m.reasons =
                        if m.life == Life::Alive { vec![Kind::Killed] } else { vec![Kind::Killed, Kind::Panicked] };
                    m.life = Life::Closed;
                }
                // Sends fail at once after a kill.
                let refused = m.actor.try_tell(Add(1));
                prop_assert!(refused.is_err_and(|e| e.is_stopped()), "step {step}: a send after kill was not refused");
            }
            Op::Shutdown => {
                bounded(step, op, runtime.shutdown()).await?;
                shut_down = true;
                for m in &mut actors {
                    match m.life {
                        Life::Alive => m.end(Kind::Normal),
                        Life::Doomed => m.end_doomed(),
                        Life::Closed => m.finished = true,
                    }
                }
                prop_assert_eq!(runtime.actor_count(), 0, "actors left after shutdown");
            }
        }
        // The live count lies between the actors surely running and those
        // not known to have finished.
        let running = actors.iter().filter(|m| m.life == Life::Alive).count();
        let unfinished = actors.iter().filter(|m| m.started && !m.finished).count();
        let count = runtime.actor_count();
        prop_assert!(
            running <= count && count <= unfinished,
            "step {step}: actor_count {count} outside {running}..={unfinished}"
        );
    }

    for (n, m) in actors.iter().enumerate() {
        prop_assert!(!m.actor.is_alive(), "actor {n} outlived the shutdown");
        let reason = Kind::from(&bounded(usize::MAX, &Op::Shutdown, m.actor.wait()).await?);
        let (starts, stops) = journal.get(m.actor.id());
        if m.started {
            prop_assert_eq!(stops.len(), 1, "actor {}: on_stop must run exactly once", n);
            let (kind, count) = stops[0];
            prop_assert_eq!(kind, reason, "actor {}: on_stop and wait() disagree", n);
            prop_assert!(m.reasons.contains(&kind), "actor {n}: ended {kind:?}, model allows {:?}", m.reasons);
            prop_assert!(m.counts.contains(&count), "actor {n}: final count {count}, model allows {:?}", m.counts);
            // A kill may land before on_start ever ran.
            let may_skip_start = m.reasons.contains(&Kind::Killed);
            prop_assert!(starts == 1 || (may_skip_start && starts == 0), "actor {n}: on_start ran {starts} times");
        } else {
            prop_assert_eq!(reason, Kind::StartFailed);
            prop_assert_eq!(starts, 0, "actor {}: a refused spawn never starts", n);
            prop_assert_eq!(stops.len(), 1, "actor {}: on_stop runs once on every way out, a refused spawn too", n);
            prop_assert_eq!(stops[0].0, Kind::StartFailed);
        }
    }
    prop_assert_eq!(runtime.actor_count(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_runtime_follows_the_model(multi_thread in any::<bool>(), ops in program()) {
        quiet_expected_panics();
        // A fresh tokio runtime per case, of either flavor.
        let tokio = if multi_thread {
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
        } else {
            tokio::runtime::Builder::new_current_thread().enable_all().build()
        }
        .unwrap();
        tokio.block_on(run(ops))?;
    }
}
