//! Soak: a mixed workload — spawns, tells, asks, panics, kills, graceful
//! stops and actors whose every ref is dropped — for N seconds, with a
//! summary line every second and a verdict at the end: nothing lost, nothing
//! hung, memory flat. Exits non-zero if the verdict fails.
//!
//! ```text
//! cargo run --release --example soak -- --seconds 60
//! ```
//!
//! How "nothing lost" is checked: every worker has exactly one driver task
//! sending to it, which counts the tells the worker accepted. Each ask for
//! the worker's count must match that number exactly (one sender, so every
//! earlier tell is handled before the ask), and a worker that ends by a
//! graceful stop or by losing its last ref must have handled every accepted
//! tell; only a `kill` may drop queued tells. "Nothing duplicated": a worker
//! never handles more tells than were accepted, though some tells wait for
//! room and are cancelled by a timeout (a cancelled tell must never arrive).
//! The mix also has messages whose `Drop` panics when a kill discards them,
//! and workers whose own `Drop` panics after `on_stop`: none of that may hang
//! anything. "Nothing hung": every ask is
//! bounded by a timeout, and every stop and wait too. "Memory flat": the
//! resident set in the second half of the run stays within 10% (plus 0.2 MiB
//! per second of run, at most 2 MiB) of the highest value in the first half;
//! it is sampled ten times a second, so a short run has two halves to
//! compare too.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tractor::prelude::*;

/// Workers per driver task.
const WORKERS: usize = 16;
/// How long any single ask, stop or wait may take before it counts as hung.
const HUNG: Duration = Duration::from_secs(5);
const MIB: f64 = 1024.0 * 1024.0;
/// How often resident memory is sampled, in milliseconds.
const SAMPLE_MS: u64 = 100;
const SAMPLES_PER_SECOND: u64 = 1000 / SAMPLE_MS;

/// Counters shared by the drivers, the workers and the crash policy.
#[derive(Default)]
struct Stats {
    /// Tells handled by workers.
    messages: AtomicU64,
    /// Asks that resolved (to a value or to the error the contract gives).
    asks: AtomicU64,
    /// Panics reported to the crash policy.
    panics: AtomicU64,
    kills: AtomicU64,
    spawns: AtomicU64,
    /// Accepted tells never handled by an actor that stopped gracefully.
    lost: AtomicU64,
    /// Tells handled more often than they were accepted (a cancelled tell
    /// that was delivered anyway would show here).
    duplicated: AtomicU64,
    /// Waiting tells cancelled by their timeout.
    cancelled: AtomicU64,
    /// Asks, stops or waits that took longer than [`HUNG`].
    hung: AtomicU64,
    /// Anything else the contract forbids: a wrong count, a wrong error, a
    /// wrong stop reason. Each is also printed.
    wrong: AtomicU64,
}

impl Stats {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    fn wrong(&self, what: String) {
        eprintln!("WRONG: {what}");
        Stats::add(&self.wrong, 1);
    }
}

/// Counts crashes; the default policy would log each one.
struct CountPanics(Arc<Stats>);

impl CrashPolicy for CountPanics {
    fn on_crash(&self, _: &Crash) {
        Stats::add(&self.0.panics, 1);
    }
}

/// Counts the tells it handles and checks, when it stops gracefully, that
/// it handled every tell its driver saw accepted.
struct Worker {
    handled: u64,
    /// Tells accepted for this worker, counted by its one driver.
    accepted: Arc<AtomicU64>,
    /// `on_panic` says Continue if set, Stop otherwise.
    survive: bool,
    stats: Arc<Stats>,
    /// Some workers' own `Drop` panics, after their `on_stop`.
    _bomb: Option<Bomb>,
}

impl Actor for Worker {
    async fn on_panic(&mut self, _: &mut Context<Self>, _: &Panic) -> ControlFlow {
        if self.survive { ControlFlow::Continue } else { ControlFlow::Stop }
    }

    async fn on_stop(&mut self, ctx: &mut Context<Self>, reason: &StopReason) {
        let accepted = self.accepted.load(Ordering::SeqCst);
        if self.handled > accepted {
            eprintln!("DUPLICATED: {} handled {} tells, only {accepted} were sent", ctx.id(), self.handled);
            Stats::add(&self.stats.duplicated, self.handled - accepted);
        }
        // A kill drops queued tells, and so does a stopping panic for the
        // tells behind it; a graceful end handles them all.
        if reason.is_normal() && self.handled < accepted {
            eprintln!("LOST: {} stopped ({reason}) with {} of {accepted} tells handled", ctx.id(), self.handled);
            Stats::add(&self.stats.lost, accepted - self.handled);
        }
    }
}

struct Work;

impl Message<Worker> for Work {
    type Reply = ();
    async fn handle(self, w: &mut Worker, _: &mut Context<Worker>) {
        w.handled += 1;
        Stats::add(&w.stats.messages, 1);
        if w.handled & 63 == 0 {
            tokio::task::yield_now().await;
        }
    }
}

/// Panics when dropped unhandled (discarded after a kill): its handler
/// counts it like `Work` and defuses it.
struct Mined(Bomb);

/// Panics in `Drop` unless defused.
struct Bomb {
    armed: bool,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.armed {
            panic!("a dropped bomb (on purpose)");
        }
    }
}

impl Message<Worker> for Mined {
    type Reply = ();
    async fn handle(mut self, w: &mut Worker, _: &mut Context<Worker>) {
        self.0.armed = false;
        w.handled += 1;
        Stats::add(&w.stats.messages, 1);
    }
}

struct Count;

impl Message<Worker> for Count {
    type Reply = u64;
    async fn handle(self, w: &mut Worker, _: &mut Context<Worker>) -> u64 {
        w.handled
    }
}

struct Boom;

impl Message<Worker> for Boom {
    type Reply = ();
    async fn handle(self, _: &mut Worker, _: &mut Context<Worker>) {
        panic!("boom (on purpose)")
    }
}

/// A worker as its driver sees it.
struct Slot {
    actor: ActorRef<Worker>,
    accepted: Arc<AtomicU64>,
    survive: bool,
}

/// A small xorshift generator: the workload needs variety, not quality.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Drives its own workers until `running` turns false, then stops them
/// gracefully.
struct Driver {
    runtime: Runtime,
    stats: Arc<Stats>,
    rng: Rng,
    slots: Vec<Slot>,
}

impl Driver {
    fn spawn_worker(&mut self) -> Slot {
        let accepted = Arc::new(AtomicU64::new(0));
        let survive = self.rng.below(4) != 0;
        let bomb = (self.rng.below(8) == 0).then(|| Bomb { armed: true });
        let worker = Worker {
            handled: 0,
            accepted: Arc::clone(&accepted),
            survive,
            stats: Arc::clone(&self.stats),
            _bomb: bomb,
        };
        // A quarter of the workers have a small bounded mailbox: tells wait
        // for room, try_tells may be refused.
        let mailbox = if self.rng.below(4) == 0 { Mailbox::bounded(8) } else { Mailbox::unbounded() };
        Stats::add(&self.stats.spawns, 1);
        Slot { actor: self.runtime.spawn_with(worker, mailbox), accepted, survive }
    }

    /// Bounds `fut` by [`HUNG`]; `None` (and a count) if it took longer.
    async fn bounded<F: std::future::IntoFuture>(&self, what: &str, fut: F) -> Option<F::Output> {
        match tokio::time::timeout(HUNG, fut).await {
            Ok(out) => Some(out),
            Err(_) => {
                eprintln!("HUNG: {what} took more than {HUNG:?}");
                Stats::add(&self.stats.hung, 1);
                None
            }
        }
    }

    async fn run(mut self, running: Arc<AtomicBool>) {
        self.slots = (0..WORKERS).map(|_| self.spawn_worker()).collect();
        while running.load(Ordering::Relaxed) {
            let i = self.rng.below(WORKERS as u64) as usize;
            match self.rng.below(1000) {
                0..540 => self.tell(i).await,
                540..570 => self.cancelled_tell(i).await,
                570..600 => self.mined_tell(i).await,
                600..700 => self.try_tell(i),
                700..900 => self.ask(i).await,
                900..940 => self.boom(i).await,
                940..955 => self.kill(i).await,
                955..970 => self.stop(i).await,
                _ => self.drop_all_refs().await,
            }
        }
        for i in 0..self.slots.len() {
            self.stop(i).await;
        }
    }

    async fn tell(&mut self, i: usize) {
        let slot = &self.slots[i];
        match self.bounded("tell", slot.actor.tell(Work)).await {
            Some(Ok(())) => {
                slot.accepted.fetch_add(1, Ordering::SeqCst);
            }
            // Only a worker that panicked with Stop can be gone here.
            Some(Err(e)) if e.is_stopped() && !slot.survive => self.replace(i).await,
            Some(Err(e)) => self.stats.wrong(format!("tell to a live worker failed: {e}")),
            None => {}
        }
    }

    /// A tell that may wait for room, cancelled by a timeout of 0 to 50 µs:
    /// if it was cancelled it must never be handled (that would show as
    /// duplicated).
    async fn cancelled_tell(&mut self, i: usize) {
        let micros = self.rng.below(50);
        let slot = &self.slots[i];
        // Fill a bounded mailbox first, so that the tell has to wait.
        for _ in 0..16 {
            if slot.actor.try_tell(Work).is_err() {
                break;
            }
            slot.accepted.fetch_add(1, Ordering::SeqCst);
        }
        match tokio::time::timeout(Duration::from_micros(micros), slot.actor.tell(Work)).await {
            Ok(Ok(())) => {
                slot.accepted.fetch_add(1, Ordering::SeqCst);
            }
            Ok(Err(e)) if e.is_stopped() && !slot.survive => self.replace(i).await,
            Ok(Err(e)) => self.stats.wrong(format!("tell to a live worker failed: {e}")),
            Err(_) => Stats::add(&self.stats.cancelled, 1),
        }
    }

    /// A tell of a message whose `Drop` panics if it is discarded unhandled.
    async fn mined_tell(&mut self, i: usize) {
        let slot = &self.slots[i];
        match self.bounded("tell", slot.actor.tell(Mined(Bomb { armed: true }))).await {
            Some(Ok(())) => {
                slot.accepted.fetch_add(1, Ordering::SeqCst);
            }
            Some(Err(e)) if e.is_stopped() && !slot.survive => self.replace(i).await,
            Some(Err(e)) => self.stats.wrong(format!("tell to a live worker failed: {e}")),
            None => {}
        }
    }

    fn try_tell(&mut self, i: usize) {
        let slot = &self.slots[i];
        match slot.actor.try_tell(Work) {
            Ok(()) => {
                slot.accepted.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) if e.is_full() => {}
            Err(e) if e.is_stopped() && !slot.survive => {}
            Err(e) => self.stats.wrong(format!("try_tell to a live worker failed: {e}")),
        }
    }

    async fn ask(&mut self, i: usize) {
        let slot = &self.slots[i];
        match self.bounded("ask", slot.actor.ask(Count)).await {
            Some(Ok(n)) => {
                Stats::add(&self.stats.asks, 1);
                let accepted = slot.accepted.load(Ordering::SeqCst);
                if n > accepted {
                    eprintln!("DUPLICATED: {} handled {n} tells of {accepted} accepted", slot.actor.id());
                    Stats::add(&self.stats.duplicated, n - accepted);
                } else if n != accepted {
                    self.stats.wrong(format!("{} handled {n} tells of {accepted} accepted", slot.actor.id()));
                }
            }
            Some(Err(e)) if e.is_stopped() && !slot.survive => {
                Stats::add(&self.stats.asks, 1);
                self.replace(i).await;
            }
            Some(Err(e)) => self.stats.wrong(format!("ask to a live worker failed: {e}")),
            None => {}
        }
    }

    async fn boom(&mut self, i: usize) {
        let slot = &self.slots[i];
        match self.bounded("ask that panics", slot.actor.ask(Boom)).await {
            Some(Err(e)) if e.is_panicked() => {
                Stats::add(&self.stats.asks, 1);
                if !slot.survive {
                    let actor = slot.actor.clone();
                    match self.bounded("wait after a panic", actor.wait()).await {
                        Some(StopReason::Panicked(_)) => {}
                        Some(other) => self.stats.wrong(format!("{} panicked and ended {other}", actor.id())),
                        None => {}
                    }
                    self.replace(i).await;
                }
            }
            Some(Err(e)) if e.is_stopped() && !slot.survive => {
                Stats::add(&self.stats.asks, 1);
                self.replace(i).await;
            }
            Some(other) => self.stats.wrong(format!("an ask that panics resolved to {other:?}")),
            None => {}
        }
    }

    async fn kill(&mut self, i: usize) {
        let actor = self.slots[i].actor.clone();
        actor.kill();
        Stats::add(&self.stats.kills, 1);
        match self.bounded("wait after a kill", actor.wait()).await {
            // A worker that had already died of a panic stays Panicked.
            Some(StopReason::Killed | StopReason::Panicked(_)) => {}
            Some(other) => self.stats.wrong(format!("{} was killed and ended {other}", actor.id())),
            None => {}
        }
        if let Some(Ok(_)) = self.bounded("ask after a kill", actor.ask(Count)).await {
            self.stats.wrong(format!("{} answered after its kill", actor.id()));
        }
        self.slots[i] = self.spawn_worker();
    }

    async fn stop(&mut self, i: usize) {
        let actor = self.slots[i].actor.clone();
        match self.bounded("stop", actor.stop()).await {
            Some(Ok(())) => {}
            // Already dead of a panic.
            Some(Err(e)) if e.is_stopped() && !self.slots[i].survive => {}
            Some(Err(e)) => self.stats.wrong(format!("stop failed: {e}")),
            None => return,
        }
        self.slots[i] = self.spawn_worker();
    }

    /// Replaces a worker that died of a panic.
    async fn replace(&mut self, i: usize) {
        let actor = self.slots[i].actor.clone();
        if self.bounded("wait for a dead worker", actor.wait()).await.is_some() {
            self.slots[i] = self.spawn_worker();
        }
    }

    /// A short-lived worker: queue some tells, drop the only ref. It must
    /// handle them all and stop by itself (its `on_stop` checks the count).
    async fn drop_all_refs(&mut self) {
        let slot = self.spawn_worker();
        for _ in 0..self.rng.below(32) {
            match self.bounded("tell", slot.actor.tell(Work)).await {
                Some(Ok(())) => {
                    slot.accepted.fetch_add(1, Ordering::SeqCst);
                }
                Some(Err(e)) => self.stats.wrong(format!("tell to a fresh worker failed: {e}")),
                None => {}
            }
        }
    }
}

/// Resident set size in bytes, from `/proc/self/statm` (Linux; 4 KiB pages).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4096)
}

/// `--seconds N` (default 10) and `--drivers N` (default 4), parsed by hand.
fn parse_args() -> Result<(u64, usize), String> {
    let (mut seconds, mut drivers) = (10, 4);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|&v| v > 0)
                .ok_or_else(|| format!("{name} takes a positive number"))
        };
        match arg.as_str() {
            "--seconds" => seconds = value("--seconds")?,
            "--drivers" => drivers = value("--drivers")? as usize,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok((seconds, drivers))
}

fn main() -> ExitCode {
    let (seconds, drivers) = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("soak: {e}");
            }
            eprintln!("usage: soak [--seconds N] [--drivers N]");
            return ExitCode::from(2);
        }
    };
    // Workers panic on purpose; the crash policy counts them. Other panics
    // still print.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>().is_none_or(|s| !s.contains("on purpose")) {
            default_hook(info);
        }
    }));
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    if tokio.block_on(soak(seconds, drivers)) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Runs the workload; returns the verdict.
async fn soak(seconds: u64, drivers: usize) -> bool {
    let stats = Arc::new(Stats::default());
    let runtime = Runtime::builder().crash_policy(CountPanics(Arc::clone(&stats))).build();
    let running = Arc::new(AtomicBool::new(true));
    println!("soak: {drivers} drivers x {WORKERS} workers for {seconds} s");
    let tasks: Vec<_> = (0..drivers)
        .map(|d| {
            let driver = Driver {
                runtime: runtime.clone(),
                stats: Arc::clone(&stats),
                rng: Rng(0x9E37_79B9_7F4A_7C15 ^ ((d as u64 + 1) * 0x2545_F491_4F6C_DD1D)),
                slots: Vec::new(),
            };
            tokio::spawn(driver.run(Arc::clone(&running)))
        })
        .collect();

    let start = Instant::now();
    // Resident memory is sampled ten times a second, so that even a
    // one-second run has two halves to compare.
    let mut rss = Vec::new();
    let mut last_messages = 0;
    for sample in 1..=seconds * SAMPLES_PER_SECOND {
        tokio::time::sleep_until((start + Duration::from_millis(sample * SAMPLE_MS)).into()).await;
        let now = rss_bytes();
        rss.push(now);
        if !sample.is_multiple_of(SAMPLES_PER_SECOND) {
            continue;
        }
        let second = sample / SAMPLES_PER_SECOND;
        let messages = Stats::get(&stats.messages);
        println!(
            "[{second:>4}s] messages {messages:>11} ({:>8}/s) | asks {:>9} | panics {:>7} | kills {:>6} | \
             spawned {:>7} | alive {:>4} | rss {:>6.1} MiB",
            messages - last_messages,
            Stats::get(&stats.asks),
            Stats::get(&stats.panics),
            Stats::get(&stats.kills),
            Stats::get(&stats.spawns),
            runtime.actor_count(),
            now as f64 / MIB,
        );
        last_messages = messages;
    }

    running.store(false, Ordering::Relaxed);
    let mut drivers_hung = 0;
    for task in tasks {
        if tokio::time::timeout(HUNG * 4, task).await.is_err() {
            drivers_hung += 1;
        }
    }
    let shutdown_hung = tokio::time::timeout(HUNG * 4, runtime.shutdown()).await.is_err();
    let left = runtime.actor_count();

    let lost = Stats::get(&stats.lost);
    let duplicated = Stats::get(&stats.duplicated);
    let cancelled = Stats::get(&stats.cancelled);
    let hung = Stats::get(&stats.hung) + drivers_hung + u64::from(shutdown_hung);
    let wrong = Stats::get(&stats.wrong);
    // Memory flat: the second half stays near the first half's peak.
    let half = rss.len().div_ceil(2);
    let first_peak = rss[..half].iter().copied().max().unwrap_or(0);
    let second_peak = rss[half..].iter().copied().max().unwrap_or(first_peak);
    // The absolute allowance (allocator noise) grows with the run, 0.2 MiB
    // a second up to 2 MiB: a fixed 2 MiB would hide a leak of a few MiB a
    // second in the short runs the tests make.
    let allowance = (0.2 * seconds as f64).min(2.0) * MIB;
    let flat = second_peak as f64 <= first_peak as f64 * 1.10 + allowance;
    let pass = lost == 0 && duplicated == 0 && hung == 0 && wrong == 0 && left == 0 && flat;
    println!(
        "verdict: {} | nothing lost: {} ({} tells handled, {lost} lost) | nothing duplicated: {} ({cancelled} \
         cancelled tells, {duplicated} duplicated) | nothing hung: {} ({hung} hung) | \
         contract: {} ({wrong} violations, {left} actors left) | memory flat: {} (peak {:.1} MiB in the first \
         half, {:.1} MiB in the second, {} samples)",
        if pass { "PASS" } else { "FAIL" },
        yes(lost == 0),
        Stats::get(&stats.messages),
        yes(duplicated == 0),
        yes(hung == 0),
        yes(wrong == 0 && left == 0),
        yes(flat),
        first_peak as f64 / MIB,
        second_peak as f64 / MIB,
        rss.len(),
    );
    pass
}

fn yes(ok: bool) -> &'static str {
    if ok { "yes" } else { "NO" }
}
