//! The workloads, written once over the [`Lib`] trait each library implements.
//!
//! Every workload sets up its actors untimed, times exactly the work the issue
//! names (including the final ask that confirms everything was handled),
//! checks the count, and tears down untimed (except `spawn`, whose stop is
//! part of the measured life cycle).

use std::future::Future;
use std::time::{Duration, Instant};

use crate::{Sizes, Workload};

/// What one library has to provide for the workloads.
///
/// Every library implements the same counter actor: `tell` increments it,
/// `ask` returns the count. `Ctx` is the library's per-run state (a tractor
/// `Runtime`, the join handles of raw tasks, ...), created inside the tokio
/// runtime.
pub(crate) trait Lib: 'static {
    /// The per-run state.
    type Ctx: Send + 'static;
    /// A handle to one counter actor.
    type Counter: Clone + Send + Sync + 'static;

    /// Creates the per-run state.
    fn new_ctx() -> Self::Ctx;
    /// Spawns one counter actor.
    fn spawn_counter(ctx: &mut Self::Ctx) -> impl Future<Output = Self::Counter> + Send;
    /// Fire-and-forget increment.
    fn tell(counter: &Self::Counter) -> impl Future<Output = ()> + Send;
    /// Request-reply: the current count.
    fn ask(counter: &Self::Counter) -> impl Future<Output = u64> + Send;
    /// Stops every counter in `counters` and waits until all have stopped.
    fn stop_all(ctx: &mut Self::Ctx, counters: Vec<Self::Counter>) -> impl Future<Output = ()> + Send;
    /// Spawns a pinger and a ponger; times the pinger making `n` sequential
    /// asks to the ponger from inside one of its handlers.
    fn ping_pong(ctx: &mut Self::Ctx, n: u64) -> impl Future<Output = Duration> + Send;
    /// Tears the per-run state down (shuts the library's runtime down).
    fn finish(ctx: Self::Ctx) -> impl Future<Output = ()> + Send;
}

/// The outcome of one timed run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    /// Timed wall-clock duration.
    pub(crate) elapsed: Duration,
    /// Operations in the timed section.
    pub(crate) ops: u64,
    /// Resident memory growth per idle actor, `spawn` only.
    pub(crate) kib_per_actor: Option<f64>,
}

/// Runs `workload` once for library `L`.
pub(crate) async fn run<L: Lib>(workload: Workload, sizes: Sizes) -> Sample {
    let mut ctx = L::new_ctx();
    let sample = match workload {
        Workload::Tell => tell::<L>(&mut ctx, sizes.tell).await,
        Workload::Ask => ask::<L>(&mut ctx, sizes.ask).await,
        Workload::Spawn => spawn::<L>(&mut ctx, sizes.spawn).await,
        Workload::Fanout => fanout::<L>(&mut ctx, sizes.fanout_actors, sizes.fanout_rounds).await,
        Workload::PingPong => {
            let elapsed = L::ping_pong(&mut ctx, sizes.ping_pong).await;
            Sample { elapsed, ops: sizes.ping_pong, kib_per_actor: None }
        }
        Workload::Contended => contended::<L>(&mut ctx, sizes.contended_tasks, sizes.contended).await,
        Workload::Broadcast => {
            unreachable!("`broadcast` has tractor rows only (`LibId::runs`), run by `tractor_broadcast`")
        }
    };
    L::finish(ctx).await;
    sample
}

async fn tell<L: Lib>(ctx: &mut L::Ctx, n: u64) -> Sample {
    let counter = L::spawn_counter(ctx).await;
    assert_eq!(L::ask(&counter).await, 0);
    let start = Instant::now();
    for _ in 0..n {
        L::tell(&counter).await;
    }
    confirm::<L>(&counter, n).await;
    let elapsed = start.elapsed();
    L::stop_all(ctx, vec![counter]).await;
    Sample { elapsed, ops: n, kib_per_actor: None }
}

/// Asks until the counter reports `expected`. One ask for every library whose
/// mailbox is FIFO; xtra 0.6 keeps its queue in a binary heap keyed by
/// priority only, so its `Get` can overtake earlier tells and must be repeated.
async fn confirm<L: Lib>(counter: &L::Counter, expected: u64) {
    loop {
        let count = L::ask(counter).await;
        assert!(count <= expected, "counted {count} of {expected}");
        if count == expected {
            return;
        }
        tokio::task::yield_now().await;
    }
}

async fn ask<L: Lib>(ctx: &mut L::Ctx, n: u64) -> Sample {
    let counter = L::spawn_counter(ctx).await;
    L::tell(&counter).await;
    assert_eq!(L::ask(&counter).await, 1);
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(L::ask(&counter).await);
    }
    let elapsed = start.elapsed();
    L::stop_all(ctx, vec![counter]).await;
    Sample { elapsed, ops: n, kib_per_actor: None }
}

async fn spawn<L: Lib>(ctx: &mut L::Ctx, n: u64) -> Sample {
    let mut counters = Vec::with_capacity(n as usize);
    let before = resident_kib();
    let start = Instant::now();
    for _ in 0..n {
        counters.push(L::spawn_counter(ctx).await);
    }
    for counter in &counters {
        assert_eq!(L::ask(counter).await, 0);
    }
    // Every actor has started and answered once: all are idle now.
    let after = resident_kib();
    L::stop_all(ctx, counters).await;
    let elapsed = start.elapsed();
    let kib_per_actor = after.saturating_sub(before) as f64 / n as f64;
    Sample { elapsed, ops: n, kib_per_actor: Some(kib_per_actor) }
}

async fn fanout<L: Lib>(ctx: &mut L::Ctx, actors: u64, rounds: u64) -> Sample {
    let mut counters = Vec::with_capacity(actors as usize);
    for _ in 0..actors {
        counters.push(L::spawn_counter(ctx).await);
    }
    for counter in &counters {
        assert_eq!(L::ask(counter).await, 0);
    }
    let start = Instant::now();
    for _ in 0..rounds {
        for counter in &counters {
            L::tell(counter).await;
        }
    }
    for counter in &counters {
        confirm::<L>(counter, rounds).await;
    }
    let elapsed = start.elapsed();
    L::stop_all(ctx, counters).await;
    Sample { elapsed, ops: actors * rounds, kib_per_actor: None }
}

async fn contended<L: Lib>(ctx: &mut L::Ctx, tasks: u64, n: u64) -> Sample {
    let counter = L::spawn_counter(ctx).await;
    assert_eq!(L::ask(&counter).await, 0);
    let per_task = n / tasks;
    let start = Instant::now();
    let senders: Vec<_> = (0..tasks)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    L::tell(&counter).await;
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.expect("a contended sender panicked");
    }
    confirm::<L>(&counter, per_task * tasks).await;
    let elapsed = start.elapsed();
    L::stop_all(ctx, vec![counter]).await;
    Sample { elapsed, ops: per_task * tasks, kib_per_actor: None }
}

/// Resident set size of this process in KiB (`VmRSS` in `/proc/self/status`).
pub(crate) fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}
