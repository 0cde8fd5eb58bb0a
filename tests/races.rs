//! Races: `kill`, `stop`, `runtime.shutdown()` and dropping every ref, each
//! racing concurrent sends, 50 times with different timings. Where timing
//! decides whether a message was handled, only the outcomes the contract
//! allows are accepted (a value or `is_stopped`); everything else — counts,
//! order, stop reasons, `on_stop` once — is asserted exactly.

mod harness;
mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::settle;
use support::within;
use tokio::sync::oneshot;
use tractor::prelude::*;

const ROUNDS: u64 = 50;
const ASKERS: u64 = 8;

/// Lifecycle events of every actor in a test, by id.
#[derive(Clone, Default)]
struct Journal(Arc<Mutex<HashMap<ActorId, Life>>>);

#[derive(Clone, Debug, Default)]
struct Life {
    starts: u32,
    stops: Vec<(StopReason, u64)>,
}

impl Journal {
    fn get(&self, id: ActorId) -> Life {
        self.0.lock().unwrap().get(&id).cloned().unwrap_or_default()
    }
}

/// Counts the bumps it handled; each reply is the count after the bump.
struct Target {
    count: u64,
    journal: Journal,
}

impl Target {
    fn new(journal: &Journal) -> Self {
        Target { count: 0, journal: journal.clone() }
    }
}

impl Actor for Target {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.journal.0.lock().unwrap().entry(ctx.id()).or_default().starts += 1;
        Ok(())
    }

    async fn on_stop(&mut self, ctx: &mut Context<Self>, reason: &StopReason) {
        self.journal.0.lock().unwrap().entry(ctx.id()).or_default().stops.push((reason.clone(), self.count));
    }
}

#[actor]
impl Target {
    /// Synchronous: bumped means answered.
    #[message]
    fn bump(&mut self) -> u64 {
        self.count += 1;
        self.count
    }

    /// Parks once before bumping, so a kill can land inside the handler;
    /// the bump and the reply still happen in one poll.
    #[message]
    async fn bump_later(&mut self) -> u64 {
        tokio::task::yield_now().await;
        self.count += 1;
        self.count
    }
}

/// How one ask ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Answered(u64),
    /// A `try_ask` refused with `is_stopped` that handed the message back:
    /// it never entered the mailbox.
    Refused,
    /// A `try_ask` that failed with `is_stopped` after its message was
    /// delivered: the actor stopped without handling it.
    Lost,
    /// An ask that failed with `is_stopped`, delivered or not.
    Failed,
    /// A `try_ask` refused by a full bounded mailbox, message handed back.
    Full,
}

/// Asks `target` one bump, varying the way of asking with `style`.
async fn bump(target: &ActorRef<Target>, style: u64) -> Outcome {
    let stopped = |e: &tractor::Error| {
        assert!(e.is_stopped(), "an ask racing a stop may only fail with is_stopped, got: {e}");
    };
    match style % 3 {
        0 => target.bump().await.map_or_else(|e| (stopped(&e), Outcome::Failed).1, Outcome::Answered),
        1 => target.bump_later().await.map_or_else(|e| (stopped(&e), Outcome::Failed).1, Outcome::Answered),
        _ => match target.bump().try_ask().await {
            Ok(n) => Outcome::Answered(n),
            Err(e) if e.is_full() => {
                assert!(e.into_inner().is_some(), "a full mailbox hands the message back");
                Outcome::Full
            }
            Err(e) => {
                stopped(e.error());
                if e.into_inner().is_some() { Outcome::Refused } else { Outcome::Lost }
            }
        },
    }
}

/// What one asker saw.
#[derive(Default)]
struct Seen {
    answers: Vec<u64>,
    refused: u32,
    lost: u32,
    failed: u32,
    /// `try_ask`s refused by a full mailbox.
    full: u32,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Seen {{ {} answers (last {:?}), refused {}, lost {}, failed {}, full {} }}",
            self.answers.len(),
            self.answers.last(),
            self.refused,
            self.lost,
            self.failed,
            self.full
        )
    }
}

/// Asks bumps until the actor is gone (and three times more, to see that it
/// stays gone), at most `limit` times.
async fn asker(target: ActorRef<Target>, first_style: u64, limit: u64) -> Seen {
    let mut seen = Seen::default();
    for i in 0..limit {
        let gone = seen.refused + seen.lost + seen.failed;
        match bump(&target, first_style + i).await {
            Outcome::Answered(n) => {
                assert_eq!(gone, 0, "{} answered after it was gone", target.id());
                assert!(seen.answers.last().is_none_or(|&last| n > last), "answers out of order: {n} after {seen:?}");
                seen.answers.push(n);
            }
            Outcome::Refused => seen.refused += 1,
            Outcome::Lost => seen.lost += 1,
            Outcome::Failed => seen.failed += 1,
            Outcome::Full => {
                assert_eq!(gone, 0, "a stopped actor's mailbox reported full");
                seen.full += 1;
            }
        }
        if gone >= 3 {
            break;
        }
    }
    seen
}

/// Lets the racing tasks get further before the stop, by round: sometimes
/// at once, sometimes after a few yields, sometimes after a short sleep.
/// (This varies timing; it synchronises nothing.)
async fn jitter(round: u64) {
    match round % 3 {
        0 => {}
        1 => {
            for _ in 0..round {
                tokio::task::yield_now().await;
            }
        }
        _ => tokio::time::sleep(Duration::from_micros(round * 20)).await,
    }
}

/// Runs `ASKERS` askers against `target`, stops it with `stop` after
/// `jitter(round)`, and returns what the askers saw.
async fn race<F: Future<Output = ()>>(target: &ActorRef<Target>, round: u64, stop: F) -> Vec<Seen> {
    let askers: Vec<_> = (0..ASKERS).map(|k| tokio::spawn(asker(target.clone(), k + round, 300))).collect();
    jitter(round).await;
    stop.await;
    let mut seen = Vec::new();
    for asker in askers {
        seen.push(within(asker).await.unwrap());
    }
    seen
}

/// Every answer is a distinct bump, and every handled bump was answered:
/// the answers are exactly 1..=count.
fn answers_match_count(seen: &[Seen], count: u64) {
    let mut answers: Vec<u64> = seen.iter().flat_map(|s| s.answers.iter().copied()).collect();
    answers.sort_unstable();
    let expected: Vec<u64> = (1..=count).collect();
    if answers != expected {
        let missing: Vec<_> = expected.iter().filter(|n| answers.binary_search(n).is_err()).collect();
        let extra: Vec<_> = answers.iter().filter(|n| expected.binary_search(n).is_err()).collect();
        panic!(
            "answers do not match the {count} bumps handled: {} answers, unanswered bumps {missing:?}, \
             answers beyond the count {extra:?}, per asker {seen:?}",
            answers.len(),
        );
    }
}

fn stopped_once(journal: &Journal, target: &ActorRef<Target>) -> (StopReason, u64) {
    let life = journal.get(target.id());
    assert!(life.starts <= 1, "{life:?}");
    assert_eq!(life.stops.len(), 1, "on_stop must run exactly once: {life:?}");
    life.stops[0].clone()
}

// ---------------------------------------------------------------------------

async fn kill_racing_asks() {
    let journal = Journal::default();
    let runtime = Runtime::new();
    let mut raced = 0;
    for round in 0..ROUNDS {
        let target = runtime.spawn(Target::new(&journal));
        let seen = race(&target, round, async { target.kill() }).await;
        assert!(matches!(within(target.wait()).await, StopReason::Killed));
        let (reason, count) = stopped_once(&journal, &target);
        assert!(matches!(reason, StopReason::Killed), "{reason:?}");
        answers_match_count(&seen, count);
        // After a kill every later send fails: each asker ended with three
        // failures, unless it finished all its asks first.
        for s in &seen {
            let failures = s.refused + s.lost + s.failed;
            assert!(failures == 4 || s.answers.len() as u32 + failures + s.full == 300, "{s:?}");
        }
        if count > 0 && count < 300 * ASKERS {
            raced += 1;
        }
    }
    assert!(raced > 0, "no round killed the actor in the middle of the asks");
    assert!(settle(|| runtime.actor_count() == 0).await);
    within(runtime.shutdown()).await;
}

async fn stop_racing_asks() {
    let journal = Journal::default();
    let runtime = Runtime::new();
    // Rounds that stopped the actor in the middle of the asks, per mailbox:
    // [unbounded, bounded(2)].
    let mut raced = [0; 2];
    let mut full = 0;
    for round in 0..ROUNDS {
        // Odd rounds use a small bounded mailbox: some askers are waiting
        // for room when the stop comes. Even rounds an unbounded one.
        let bounded = round % 2 == 1;
        let mailbox = if bounded { Mailbox::bounded(2) } else { Mailbox::unbounded() };
        let target = runtime.spawn_with(Target::new(&journal), mailbox);
        let seen = race(&target, round, async { within(target.stop()).await.unwrap() }).await;
        assert!(!target.is_alive(), "stop() resolves once the actor has stopped");
        assert!(within(target.wait()).await.is_normal());
        let (reason, count) = stopped_once(&journal, &target);
        assert!(reason.is_normal(), "{reason:?}");
        answers_match_count(&seen, count);
        for s in &seen {
            // Graceful: a message that entered the mailbox is handled.
            assert_eq!(s.lost, 0, "a queued try_ask was dropped by a graceful stop: {s:?}");
            let failures = s.refused + s.failed;
            assert!(failures == 4 || s.answers.len() as u32 + failures + s.full == 300, "{s:?}");
            if !bounded {
                assert_eq!(s.full, 0, "an unbounded mailbox reported full: {s:?}");
            }
            full += s.full;
        }
        if count > 0 && count < 300 * ASKERS {
            raced[usize::from(bounded)] += 1;
        }
    }
    assert!(raced[0] > 0, "no round stopped an unbounded actor in the middle of the asks");
    assert!(raced[1] > 0, "no round stopped a bounded actor in the middle of the asks");
    assert!(full > 0, "no try_ask ever found a bounded(2) mailbox full");
    assert!(settle(|| runtime.actor_count() == 0).await);
    within(runtime.shutdown()).await;
}

// ---------------------------------------------------------------------------

/// One actor a spawner made, and what it saw of it.
struct Spawned {
    target: ActorRef<Target>,
    tells: u64,
    seen: Seen,
}

/// Spawns actors and sends to them until told to stop (at most 200 times),
/// racing a shutdown.
async fn spawner(runtime: Runtime, journal: Journal, style: u64, done: Arc<AtomicU64>) -> Vec<Spawned> {
    let mut spawned = Vec::new();
    for i in 0..200 {
        if done.load(Ordering::SeqCst) > 0 {
            break;
        }
        let target = runtime.spawn(Target::new(&journal));
        let mut tells = 0;
        let mut seen = Seen::default();
        for j in 0..3 {
            match target.bump().tell().await {
                Ok(()) => tells += 1,
                Err(e) => assert!(e.is_stopped(), "{e}"),
            }
            match bump(&target, style + i + j).await {
                Outcome::Answered(n) => seen.answers.push(n),
                Outcome::Refused => seen.refused += 1,
                Outcome::Lost => seen.lost += 1,
                Outcome::Failed => seen.failed += 1,
                Outcome::Full => unreachable!("spawned actors have unbounded mailboxes"),
            }
        }
        spawned.push(Spawned { target, tells, seen });
    }
    spawned
}

async fn shutdown_racing_spawns_and_sends() {
    let mut raced = 0;
    for round in 0..ROUNDS {
        let journal = Journal::default();
        let runtime = Runtime::new();
        let done = Arc::new(AtomicU64::new(0));
        let spawners: Vec<_> = (0..4)
            .map(|k| tokio::spawn(spawner(runtime.clone(), journal.clone(), k + round, Arc::clone(&done))))
            .collect();
        jitter(round).await;
        within(runtime.shutdown()).await;
        assert_eq!(runtime.actor_count(), 0, "shutdown waits for every actor it stops");
        done.store(1, Ordering::SeqCst);
        let (mut started, mut refused) = (0, 0);
        for spawner in spawners {
            for Spawned { target, tells, seen } in within(spawner).await.unwrap() {
                assert!(!target.is_alive(), "{} outlived the shutdown", target.id());
                let reason = within(target.wait()).await;
                let life = journal.get(target.id());
                match reason {
                    StopReason::Normal => {
                        started += 1;
                        assert_eq!(life.starts, 1, "{life:?}");
                        assert_eq!(life.stops.len(), 1, "on_stop must run exactly once: {life:?}");
                        let (reason, count) = &life.stops[0];
                        assert!(reason.is_normal());
                        // Shutdown is graceful: every tell accepted and every
                        // ask delivered was handled.
                        assert_eq!(*count, tells + seen.answers.len() as u64, "{life:?} {seen:?}");
                        assert_eq!(seen.lost, 0, "{seen:?}");
                        assert!(seen.answers.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
                    }
                    StopReason::StartFailed(e) => {
                        refused += 1;
                        assert!(e.to_string().contains("shut down"), "{e}");
                        assert_eq!(life.starts, 0, "a refused spawn never starts: {life:?}");
                        assert_eq!(
                            life.stops.len(),
                            1,
                            "on_stop runs once on every way out, a refused spawn too: {life:?}"
                        );
                        assert_eq!((tells, seen.answers.len(), seen.lost), (0, 0, 0));
                    }
                    other => panic!("{} stopped with {other:?}", target.id()),
                }
            }
        }
        if started > 0 && refused > 0 {
            raced += 1;
        }
        assert_eq!(runtime.actor_count(), 0);
    }
    assert!(raced > 0, "no shutdown landed in the middle of the spawns");
}

// ---------------------------------------------------------------------------

/// Counts what it handles; some messages make it tell itself one more
/// through `ctx.actor_ref()`, racing the drop of the last outside ref.
struct Echo {
    handled: u64,
    self_sent: u64,
    stops: Arc<AtomicU64>,
    report: Option<oneshot::Sender<(u64, u64, StopReason)>>,
}

impl Actor for Echo {
    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        self.stops.fetch_add(1, Ordering::SeqCst);
        if let Some(report) = self.report.take() {
            let _ = report.send((self.handled, self.self_sent, reason.clone()));
        }
    }
}

struct Ping {
    echo: bool,
}

impl Message<Echo> for Ping {
    type Reply = u64;
    async fn handle(self, e: &mut Echo, ctx: &mut Context<Echo>) -> u64 {
        e.handled += 1;
        if self.echo {
            tokio::task::yield_now().await;
            match ctx.actor_ref().try_tell(Ping { echo: false }) {
                Ok(()) => e.self_sent += 1,
                // Once the outside refs are gone, `actor_ref()` is closed.
                Err(err) => assert!(err.is_stopped() && !err.into_inner().echo),
            }
        }
        e.handled
    }
}

async fn dropping_every_ref_racing_sends() {
    let runtime = Runtime::new();
    for round in 0..ROUNDS {
        let stops = Arc::new(AtomicU64::new(0));
        let (report, reported) = oneshot::channel();
        let echo = runtime.spawn(Echo { handled: 0, self_sent: 0, stops: Arc::clone(&stops), report: Some(report) });
        let senders: Vec<_> = (0..ASKERS)
            .map(|k| {
                let echo = echo.clone();
                tokio::spawn(async move {
                    let mut accepted = 0;
                    for i in 0..(round * 7 + k * 13) % 40 {
                        let ping = Ping { echo: i % 3 == 0 };
                        if i % 2 == 0 {
                            echo.tell(ping).await.expect("an actor with live refs accepts tells");
                        } else {
                            echo.try_tell(ping).expect("an unbounded mailbox with live refs accepts try_tell");
                        }
                        accepted += 1;
                        if i % 5 == 0 {
                            tokio::task::yield_now().await;
                        }
                    }
                    // Holding a ref, an ask is always answered.
                    within(echo.ask(Ping { echo: false })).await.expect("an actor with live refs answers");
                    accepted + 1
                    // The last clone drops here, racing the actor's self-sends.
                })
            })
            .collect();
        jitter(round).await;
        drop(echo);
        let mut accepted = 0;
        for sender in senders {
            accepted += within(sender).await.unwrap();
        }
        let (handled, self_sent, reason) = within(reported).await.expect("on_stop reports");
        assert!(reason.is_normal(), "{reason:?}");
        assert_eq!(handled, accepted + self_sent, "every queued message is handled before the actor stops");
        assert!(settle(|| runtime.actor_count() == 0).await);
        assert_eq!(stops.load(Ordering::SeqCst), 1, "on_stop ran once");
    }
    within(runtime.shutdown()).await;
}

on_both_runtimes!(
    kill_racing_asks,
    dropping_every_ref_racing_sends,
    stop_racing_asks,
    shutdown_racing_spawns_and_sends
);
