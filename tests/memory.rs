//! Memory: an actor's memory is returned when it stops and its refs are
//! gone, not at shutdown, and a name does not outlive its actor. Counted by
//! a counting global allocator (bytes live now), not from RSS, which the
//! allocator keeps.

mod support;

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use support::within;
use tractor::prelude::*;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The tests measure the whole process's heap: one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Heap bytes allocated and not yet freed, by the whole process.
fn live_bytes() -> isize {
    let s = GLOBAL.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize + s.bytes_reallocated
}

#[derive(Actor, Default)]
struct Idle {
    n: u64,
}

#[actor]
impl Idle {
    #[message]
    fn bump(&mut self) -> u64 {
        self.n += 1;
        self.n
    }
}

/// Spawns `n` actors, asks each once, then drops every ref, so that each
/// drains and stops; returns once all have stopped.
async fn burst(runtime: &Runtime, n: usize) {
    let refs: Vec<_> = (0..n).map(|_| runtime.spawn(Idle::default())).collect();
    for r in &refs {
        assert_eq!(within(r.bump()).await.unwrap(), 1);
    }
    drop(refs);
    let mut ticks = 0u64;
    while runtime.actor_count() > 0 {
        ticks += 1;
        assert!(ticks < 10_000_000, "actors did not stop after their refs were dropped");
        tokio::task::yield_now().await;
    }
}

/// Yields until the live heap is at most `limit` (the last tasks are freed a
/// few polls after their actor stopped), for a bounded number of rounds.
async fn settle_below(limit: isize) -> isize {
    for _ in 0..10_000 {
        if live_bytes() <= limit {
            break;
        }
        tokio::task::yield_now().await;
    }
    live_bytes()
}

#[tokio::test(flavor = "current_thread")]
async fn stopped_actors_return_their_memory_before_shutdown() {
    let _serial = SERIAL.lock().await;
    const N: usize = 20_000;
    let runtime = Runtime::new();
    // Warm up what tokio, flume and the runtime keep for reuse.
    burst(&runtime, 1_000).await;
    let baseline = settle_below(0).await;

    burst(&runtime, N).await;
    // Allow 64 bytes an actor for capacity that tokio's queues keep after a
    // burst (about 25 here); 20,000 stopped actors held until shutdown would
    // be some 600 bytes each.
    let slack = 64 * N as isize + 64 * 1024;
    let left = settle_below(baseline + slack).await - baseline;
    eprintln!("{left} bytes ({} per actor) held after {N} actors stopped", left / N as isize);
    assert!(left <= slack, "{left} bytes ({} per actor) are still held after {N} actors stopped", left / N as isize);

    // More cycles do not grow it.
    for _ in 0..5 {
        burst(&runtime, 1_000).await;
    }
    let left = settle_below(baseline + slack).await - baseline;
    assert!(left <= slack, "{left} bytes held after more cycles");
    within(runtime.shutdown()).await;
}

/// Spawns `n` actors one after another, each named, and stops each while a
/// second registration of it races the stop from another task.
async fn named_burst(runtime: &Runtime, n: usize) {
    for i in 0..n {
        let actor = runtime.spawn(Idle::default());
        runtime.register(format!("idle-{i}"), &actor).unwrap();
        let racer = tokio::spawn({
            let (runtime, actor) = (runtime.clone(), actor.clone());
            async move {
                if let Err(e) = runtime.register(format!("alias-{i}"), &actor) {
                    assert!(e.is_stopped(), "{e}");
                }
            }
        });
        within(actor.stop()).await.unwrap();
        within(racer).await.unwrap();
    }
}

/// A name holds its actor's mailbox and control block (some 600 bytes): if
/// a name outlived its stopped actor, or a registration that lost the race
/// with the stop were kept, that memory would stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_names_of_stopped_actors_hold_no_memory() {
    let _serial = SERIAL.lock().await;
    const N: usize = 4_000;
    let runtime = Runtime::new();
    named_burst(&runtime, 500).await;
    let baseline = settle_below(0).await;

    named_burst(&runtime, N).await;
    let slack = 64 * N as isize + 64 * 1024;
    let left = settle_below(baseline + slack).await - baseline;
    eprintln!("{left} bytes ({} per actor) held after {N} named actors stopped", left / N as isize);
    assert!(
        left <= slack,
        "{left} bytes ({} per actor) are still held after {N} named actors stopped",
        left / N as isize
    );
    within(runtime.shutdown()).await;
}

/// Heap bytes per idle actor, each spawned by `spawn` and asked once.
async fn idle_bytes(spawn: impl Fn(&Runtime) -> ActorRef<Idle>) -> isize {
    const N: usize = 10_000;
    let runtime = Runtime::new();
    burst(&runtime, 1_000).await;
    let before = settle_below(0).await;
    let refs: Vec<_> = (0..N).map(|_| spawn(&runtime)).collect();
    for r in &refs {
        assert_eq!(within(r.bump()).await.unwrap(), 1);
    }
    let per_actor = (live_bytes() - before) / N as isize;
    drop(refs);
    within(runtime.shutdown()).await;
    per_actor
}

/// BENCHMARKS.md's memory figure, counted from the heap rather than RSS:
/// an idle actor (spawned, asked once, waiting) holds its task (256 bytes),
/// control block (104), flume channel (152), queue buffer (64), cell (40)
/// and its share of the runtime's list and of tokio's run queue (grown by
/// the burst): about 690 bytes. A task back in tokio's 384-byte layout, or
/// the room signal and end-of-life state back in every control block, is
/// 100 to 230 bytes more.
#[tokio::test(flavor = "current_thread")]
async fn an_idle_actor_holds_at_most_720_heap_bytes() {
    let _serial = SERIAL.lock().await;
    let per_actor = idle_bytes(|runtime| runtime.spawn(Idle::default())).await;
    eprintln!("{per_actor} heap bytes per idle actor");
    assert!(per_actor <= 720, "an idle actor holds {per_actor} heap bytes");
}

/// A supervised idle actor holds what a plain one does (its task is the
/// same 256 bytes) and its plan, in one 104-byte box: factory, restart
/// policy, limit, backoff and restart log. The boxed instance loop and the
/// plan kept in a 768-byte task, as before, were 1,743 bytes.
#[tokio::test(flavor = "current_thread")]
async fn a_supervised_idle_actor_holds_at_most_824_heap_bytes() {
    let _serial = SERIAL.lock().await;
    let per_actor = idle_bytes(|runtime| runtime.supervise(Idle::default).spawn()).await;
    eprintln!("{per_actor} heap bytes per supervised idle actor");
    assert!(per_actor <= 824, "a supervised idle actor holds {per_actor} heap bytes");
}
