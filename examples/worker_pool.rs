//! A `WorkerPool` with a limit: submissions beyond it wait in line
//! (back-pressure through reservations), `TrySubmit` is refused while the
//! pool is full, every finished job sends a completion notice to a
//! `Tracker` actor, and `Run` replies with a job's output when it is done.
//!
//! Run it with `cargo run --example worker_pool`.

use std::time::Duration;

use tractor::actors::{Run, Stats, Submit, TrySubmit, WorkerPool};
use tractor::prelude::*;

/// Collects completion notices.
#[derive(Actor, Default)]
struct Tracker {
    finished: Vec<u32>,
}

#[actor]
impl Tracker {
    /// A job finished.
    #[message]
    pub fn finished(&mut self, job: u32) {
        println!("tracker: job {job} finished");
        self.finished.push(job);
    }

    /// What has finished so far.
    #[message]
    pub fn done(&self) -> Vec<u32> {
        self.finished.clone()
    }
}

#[tractor::main]
async fn main(runtime: Runtime) -> Result<(), tractor::Error> {
    let pool = runtime.spawn(WorkerPool::new(Some(2)));
    let tracker = runtime.spawn(Tracker::default());

    let mut reservations = Vec::new();
    for job in 1..=5u32 {
        let work = async move {
            println!("pool: job {job} running");
            tokio::time::sleep(Duration::from_millis(40)).await;
        };
        // The notice is a message for the tracker, told when the job ends.
        let submit = Submit::new(work).notify(&tracker, Finished { job });
        let reservation = pool.ask(submit).await?;
        println!("submitted job {job}: {}", if reservation.is_pending() { "queued" } else { "started" });
        reservations.push(reservation);
    }

    let accepted = pool.ask(TrySubmit::new(async {})).await?;
    println!("try-submit while full: {}", if accepted { "accepted" } else { "refused (pool full)" });

    // Back-pressure: wait until the last job has a slot.
    reservations.pop().expect("five reservations").await?;
    println!("job 5 has started");

    while tracker.done().await?.len() < 5 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stats = pool.ask(Stats).await?;
    println!("all done: {} completed, {} panicked", stats.completed, stats.panicked);
    println!("finish order: {:?}", tracker.done().await?);

    // The reply is the job's output, sent when the job finishes.
    let sum: u64 = pool.ask(Run::new(async { (1..=10u64).sum() })).await?;
    println!("run: the job's output is {sum}");
    Ok(())
}
