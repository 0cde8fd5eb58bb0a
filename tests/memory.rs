//! Memory: an actor's memory is returned when it stops and its refs are
//! gone, not at shutdown. Counted by a counting global allocator (bytes live
//! now), not from RSS, which the allocator keeps.

mod support;

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use support::within;
use tractor::prelude::*;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

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
