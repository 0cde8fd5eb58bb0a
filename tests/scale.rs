//! Scale: 10,000 actors spawned, each asked, then shut down — the live count
//! returns to 0, no task of tractor's is left alive, every actor state and
//! message is dropped, and resident memory returns to where it started.
//!
//! One test in its own binary, so no other test's allocations move the
//! process-wide resident memory it measures.

mod harness;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use harness::{rss_bytes, settle};
use tractor::prelude::*;

const ACTORS: usize = 10_000;
const MIB: f64 = 1024.0 * 1024.0;

/// Counts drops, to prove that nothing the runtime held on to survives.
#[derive(Clone, Default)]
struct Drops(Arc<AtomicUsize>);

struct Tracked(Drops);

impl Drop for Tracked {
    fn drop(&mut self) {
        (self.0).0.fetch_add(1, Ordering::SeqCst);
    }
}

/// An actor with a little state: a buffer, so a leak of states shows in RSS.
struct Cell {
    index: usize,
    buffer: Vec<u8>,
    _tracked: Tracked,
}

impl Actor for Cell {}

/// Asks for the index, handing the actor a tracked payload it keeps.
struct Index(Tracked);

impl Message<Cell> for Index {
    type Reply = usize;
    async fn handle(self, cell: &mut Cell, _: &mut Context<Cell>) -> usize {
        cell.buffer.push(1);
        drop(self.0);
        cell.index
    }
}

/// A tell still queued when the shutdown starts.
struct Late(#[allow(dead_code)] Tracked);

impl Message<Cell> for Late {
    type Reply = ();
    async fn handle(self, _: &mut Cell, _: &mut Context<Cell>) {}
}

/// Spawns, asks and shuts down 10,000 actors; returns the resident memory
/// with all of them alive.
async fn round(drops: &Drops) -> u64 {
    let metrics = tokio::runtime::Handle::current().metrics();
    let tasks_before = metrics.num_alive_tasks();
    let dropped_before = drops.0.load(Ordering::SeqCst);
    let runtime = Runtime::new();
    let actors: Vec<_> = (0..ACTORS)
        .map(|index| runtime.spawn(Cell { index, buffer: Vec::with_capacity(1024), _tracked: Tracked(drops.clone()) }))
        .collect();
    for (index, actor) in actors.iter().enumerate() {
        assert_eq!(actor.ask(Index(Tracked(drops.clone()))).await.unwrap(), index);
        actor.tell(Late(Tracked(drops.clone()))).await.unwrap();
    }
    assert_eq!(runtime.actor_count(), ACTORS);
    assert_eq!(metrics.num_alive_tasks(), tasks_before + ACTORS, "one task per actor");
    let peak = rss_bytes();

    runtime.shutdown().await;
    assert_eq!(runtime.actor_count(), 0);
    assert!(actors.iter().all(|a| !a.is_alive()));
    // `shutdown` awaited every actor task; tokio drops a finished task from
    // its alive count a few instructions after waking the JoinHandle.
    assert!(
        settle(|| metrics.num_alive_tasks() == tasks_before).await,
        "{} tasks still alive after shutdown",
        metrics.num_alive_tasks() - tasks_before
    );
    // Every state, every asked payload and every queued tell is gone: three
    // tracked values per actor. Refs still held keep none of them.
    assert_eq!(drops.0.load(Ordering::SeqCst) - dropped_before, 3 * ACTORS);
    drop(actors);
    drop(runtime);
    peak
}

fn run(runtime: tokio::runtime::Runtime, flavor: &str) {
    let drops = Drops::default();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), async {
            // The first rounds grow the allocator's arenas and tokio's task
            // slabs to their working size. The allocator keeps freed pages
            // mapped, so resident memory after a shutdown stays near that
            // high-water mark instead of falling back to the start; what
            // must not happen is growth past it, round after round.
            let start = rss_bytes();
            let mut high_water = 0;
            for _ in 0..2 {
                high_water = high_water.max(round(&drops).await).max(rss_bytes());
            }
            let mut highest = 0;
            for _ in 0..4 {
                highest = highest.max(round(&drops).await).max(rss_bytes());
            }
            let after = rss_bytes();
            eprintln!(
                "{flavor}: {ACTORS} actors: RSS {:.1} MiB at start, {:.1} MiB high-water in two warm-up rounds, \
                 {:.1} MiB highest in four more, {:.1} MiB after the last shutdown",
                start as f64 / MIB,
                high_water as f64 / MIB,
                highest as f64 / MIB,
                after as f64 / MIB,
            );
            // A leak of 60 bytes per actor would be 2.3 MiB over four rounds;
            // the slack absorbs a one-time step (a new allocator arena).
            assert!(
                highest < high_water + 2 * 1024 * 1024,
                "resident memory grew past the warm-up high-water mark by {:.1} MiB",
                (highest - high_water) as f64 / MIB
            );
        })
        .await
        .expect("timed out: something hung");
    });
    drop(runtime);
}

#[test]
fn ten_thousand_actors_leave_nothing_behind() {
    run(tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(), "current_thread");
    run(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap(), "multi_thread");
}
