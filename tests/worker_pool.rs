//! The ready-made `WorkerPool`: limits, reservations, first-come-first-served
//! queueing, completion notices that never stall the pool, panicking jobs,
//! graceful stop versus kill, and `Run`, whose reply is the job's output.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::within;
use tokio::sync::{Notify, mpsc, oneshot};
use tractor::actors::{PoolStats, Run, Stats, Submit, TrySubmit, WorkerPool};
use tractor::prelude::*;

/// A job that reports when it starts and finishes only when released. It
/// is listening for the release before it reports, so `notify_waiters`
/// after the report is never missed.
fn gated(started: &mpsc::UnboundedSender<u32>, n: u32, release: &Arc<Notify>) -> impl Future<Output = ()> + use<> {
    let (started, release) = (started.clone(), release.clone());
    async move {
        let released = release.notified();
        tokio::pin!(released);
        released.as_mut().enable();
        let _ = started.send(n);
        released.await;
    }
}

/// Counts completion notices.
#[derive(Default)]
struct Inbox {
    done: Vec<u32>,
}

impl Actor for Inbox {}

struct Done(u32);

impl Message<Inbox> for Done {
    type Reply = ();
    async fn handle(self, inbox: &mut Inbox, _: &mut Context<Inbox>) {
        inbox.done.push(self.0);
    }
}

struct Received;

impl Message<Inbox> for Received {
    type Reply = Vec<u32>;
    async fn handle(self, inbox: &mut Inbox, _: &mut Context<Inbox>) -> Vec<u32> {
        inbox.done.clone()
    }
}

/// Parks the inbox until released.
struct Block(Arc<Notify>);

impl Message<Inbox> for Block {
    type Reply = ();
    async fn handle(self, _: &mut Inbox, _: &mut Context<Inbox>) {
        self.0.notified().await;
    }
}

async fn an_unlimited_pool_grants_at_once() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(None));
    let (started, mut starts) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    for n in 0..20 {
        let reservation = within(pool.ask(Submit::new(gated(&started, n, &release)))).await.unwrap();
        assert!(!reservation.is_pending());
        within(reservation).await.unwrap();
    }
    for _ in 0..20 {
        within(starts.recv()).await.unwrap();
    }
    assert_eq!(within(pool.ask(Stats)).await.unwrap().running, 20);
    release.notify_waiters();
    within(runtime.shutdown()).await;
}

async fn try_submit_is_refused_when_full_and_accepted_after_a_slot_frees() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let inbox = runtime.spawn(Inbox::default());
    let (started, mut starts) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let first = TrySubmit::new(gated(&started, 1, &release)).notify(&inbox, Done(1));
    assert!(within(pool.ask(first)).await.unwrap());
    assert_eq!(within(starts.recv()).await, Some(1));
    assert!(!within(pool.ask(TrySubmit::new(async {}))).await.unwrap(), "full");
    release.notify_one();
    // The notice arrives after the pool reaped the job and freed its slot.
    within(async {
        while within(inbox.ask(Received)).await.unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(within(pool.ask(TrySubmit::new(async {}))).await.unwrap(), "a slot is free again");
    within(runtime.shutdown()).await;
}

async fn submit_queues_and_its_reservation_stays_pending_until_a_slot_frees() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let (started, mut starts) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    within(within(pool.ask(Submit::new(gated(&started, 1, &release)))).await.unwrap()).await.unwrap();
    let queued = within(pool.ask(Submit::new(gated(&started, 2, &release)))).await.unwrap();
    assert!(queued.is_pending());
    // TrySubmit never jumps the queue, even once the slot frees.
    assert!(!within(pool.ask(TrySubmit::new(async {}))).await.unwrap());
    assert_eq!(within(pool.ask(Stats)).await.unwrap(), PoolStats { running: 1, queued: 1, completed: 0, panicked: 0 });
    assert_eq!(within(starts.recv()).await, Some(1));
    release.notify_one();
    within(queued).await.unwrap();
    assert_eq!(within(starts.recv()).await, Some(2));
    release.notify_one();
    within(runtime.shutdown()).await;
}

async fn a_busy_notice_recipient_does_not_stall_the_pool() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(Some(2)));
    // A recipient with room for one message, parked on a handler.
    let inbox = runtime.spawn_with(Inbox::default(), Mailbox::bounded(1));
    let unblock = Arc::new(Notify::new());
    within(inbox.tell(Block(unblock.clone()))).await.unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    for n in 0..10 {
        let ran = ran.clone();
        let job = Submit::new(async move {
            ran.fetch_add(1, Ordering::SeqCst);
        })
        .notify(&inbox, Done(n));
        within(within(pool.ask(job)).await.unwrap()).await.unwrap();
    }
    // All ten jobs ran although their notices cannot be delivered yet.
    within(async {
        while within(pool.ask(Stats)).await.unwrap().completed < 10 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(ran.load(Ordering::SeqCst), 10);
    unblock.notify_one();
    within(async {
        while within(inbox.ask(Received)).await.unwrap().len() < 10 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    within(runtime.shutdown()).await;
}

async fn a_panicking_job_frees_its_slot_and_is_counted() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let inbox = runtime.spawn(Inbox::default());
    let job = Submit::new(async { panic!("job failed") }).notify(&inbox, Done(7));
    within(within(pool.ask(job)).await.unwrap()).await.unwrap();
    within(async {
        while within(inbox.ask(Received)).await.unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let stats = within(pool.ask(Stats)).await.unwrap();
    assert_eq!((stats.running, stats.panicked), (0, 1));
    assert!(within(pool.ask(TrySubmit::new(async {}))).await.unwrap());
    assert!(pool.is_alive());
    within(runtime.shutdown()).await;
}

async fn graceful_stop_lets_running_jobs_finish_and_kill_drops_them() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let (tx, rx) = oneshot::channel();
    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let (started, mut starts) = mpsc::unbounded_channel();
    let job = Submit::new(async move {
        let _ = started.send(0);
        gate.notified().await;
        let _ = tx.send("finished");
    });
    within(within(pool.ask(job)).await.unwrap()).await.unwrap();
    let waiting = within(pool.ask(Submit::new(async {}))).await.unwrap();
    within(starts.recv()).await.unwrap();
    let stopping = tokio::spawn({
        let pool = pool.clone();
        async move { pool.stop().await }
    });
    // Release the running job only once the stop is in force (sends refused).
    within(async {
        while pool.try_tell(Stats).is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    release.notify_one();
    within(stopping).await.unwrap().unwrap();
    assert_eq!(within(rx).await.unwrap(), "finished");
    assert!(within(waiting).await.unwrap_err().is_stopped(), "queued work never starts");

    let pool = runtime.spawn(WorkerPool::new(None));
    let (tx, rx) = oneshot::channel::<()>();
    let job = Submit::new(async move {
        std::future::pending::<()>().await;
        drop(tx);
    });
    within(within(pool.ask(job)).await.unwrap()).await.unwrap();
    pool.kill();
    assert!(matches!(within(pool.wait()).await, StopReason::Killed));
    assert!(within(rx).await.is_err(), "the killed job was dropped");
    within(runtime.shutdown()).await;
}

async fn queued_submissions_start_first_come_first_served() {
    let runtime = Runtime::new();
    // One slot, held by a gated job until every other submission is
    // queued: then the order in which the jobs run is exactly the order in
    // which they were submitted.
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let (started, mut starts) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    within(within(pool.ask(Submit::new(gated(&started, 0, &release)))).await.unwrap()).await.unwrap();
    assert_eq!(within(starts.recv()).await, Some(0));
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut reservations = Vec::new();
    for n in 1..=100u32 {
        let order = order.clone();
        let job = Submit::new(async move {
            order.lock().unwrap().push(n);
            tokio::task::yield_now().await;
        });
        let reservation = within(pool.ask(job)).await.unwrap();
        assert!(reservation.is_pending(), "job {n} started while the pool was full");
        reservations.push(reservation);
    }
    let stats = within(pool.ask(Stats)).await.unwrap();
    assert_eq!((stats.running, stats.queued), (1, 100), "all hundred wait behind the gated job");
    release.notify_one();
    for r in reservations {
        within(r).await.unwrap();
    }
    within(pool.stop()).await.unwrap();
    assert_eq!(*order.lock().unwrap(), (1..=100).collect::<Vec<_>>());
    within(runtime.shutdown()).await;
}

/// Waits until the pool reports `queued` submissions waiting.
async fn until_queued(pool: &ActorRef<WorkerPool>, queued: usize) {
    within(async {
        while within(pool.ask(Stats)).await.unwrap().queued < queued {
            tokio::task::yield_now().await;
        }
    })
    .await;
}

async fn run_replies_with_the_jobs_output_and_the_pool_stays_free() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let (started, mut starts) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let job = gated(&started, 1, &release);
    let asker = tokio::spawn({
        let pool = pool.clone();
        async move {
            pool.ask(Run::new(async move {
                job.await;
                5u32
            }))
            .await
        }
    });
    assert_eq!(within(starts.recv()).await, Some(1));
    // The pool answers while the job runs and its reply is pending.
    assert_eq!(within(pool.ask(Stats)).await.unwrap().running, 1);
    assert!(!asker.is_finished());
    release.notify_one();
    assert_eq!(within(asker).await.unwrap().unwrap(), 5);
    assert_eq!(within(pool.ask(Run::new(async { "at once" }))).await.unwrap(), "at once");
    within(runtime.shutdown()).await;
}

async fn run_queues_first_come_first_served_with_submit() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let (started, mut starts) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    within(within(pool.ask(Submit::new(gated(&started, 0, &release)))).await.unwrap()).await.unwrap();
    assert_eq!(within(starts.recv()).await, Some(0));
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let logged = |n: u32| {
        let order = order.clone();
        async move {
            order.lock().unwrap().push(n);
            n * 10
        }
    };
    let first = tokio::spawn({
        let (pool, job) = (pool.clone(), logged(1));
        async move { pool.ask(Run::new(job)).await }
    });
    until_queued(&pool, 1).await;
    let second = logged(2);
    let second = within(pool.ask(Submit::new(async move {
        second.await;
    })))
    .await
    .unwrap();
    assert!(second.is_pending());
    let third = tokio::spawn({
        let (pool, job) = (pool.clone(), logged(3));
        async move { pool.ask(Run::new(job)).await }
    });
    until_queued(&pool, 3).await;
    release.notify_one();
    assert_eq!(within(first).await.unwrap().unwrap(), 10);
    within(second).await.unwrap();
    assert_eq!(within(third).await.unwrap().unwrap(), 30);
    assert_eq!(*order.lock().unwrap(), [1, 2, 3]);
    within(runtime.shutdown()).await;
}

async fn a_panicking_run_fails_its_asker_with_is_panicked() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let failed: Result<u32, Error> = within(pool.ask(Run::new(async { panic!("job failed") }))).await;
    let err = failed.unwrap_err();
    assert!(err.is_panicked(), "{err}");
    assert_eq!(err.actor_id(), pool.id());
    // The asker may hear before the pool has reaped the job.
    within(async {
        while within(pool.ask(Stats)).await.unwrap().panicked < 1 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(within(pool.ask(Stats)).await.unwrap().running, 0);
    assert_eq!(within(pool.ask(Run::new(async { 1 }))).await.unwrap(), 1);
    within(runtime.shutdown()).await;
}

async fn a_run_that_never_finishes_fails_with_is_stopped() {
    let runtime = Runtime::new();
    // Queued when the pool stops gracefully: never started.
    let pool = runtime.spawn(WorkerPool::new(Some(1)));
    let (started, mut starts) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    within(within(pool.ask(Submit::new(gated(&started, 0, &release)))).await.unwrap()).await.unwrap();
    assert_eq!(within(starts.recv()).await, Some(0));
    let queued = tokio::spawn({
        let pool = pool.clone();
        async move { pool.ask(Run::new(async { 1 })).await }
    });
    until_queued(&pool, 1).await;
    let stopping = tokio::spawn({
        let pool = pool.clone();
        async move { pool.stop().await }
    });
    assert!(within(queued).await.unwrap().unwrap_err().is_stopped());
    release.notify_one();
    within(stopping).await.unwrap().unwrap();

    // Running when the pool is killed: dropped.
    let pool = runtime.spawn(WorkerPool::new(None));
    let (started, mut starts) = mpsc::unbounded_channel();
    let running = tokio::spawn({
        let pool = pool.clone();
        let job = gated(&started, 1, &Arc::new(Notify::new()));
        async move { pool.ask(Run::new(job)).await }
    });
    assert_eq!(within(starts.recv()).await, Some(1));
    pool.kill();
    assert!(within(running).await.unwrap().unwrap_err().is_stopped());
    within(runtime.shutdown()).await;
}

async fn a_run_goes_on_without_its_asker_and_under_a_tell() {
    let runtime = Runtime::new();
    let pool = runtime.spawn(WorkerPool::new(None));
    let (done, mut dones) = mpsc::unbounded_channel();
    let (started, mut starts) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let job = {
        let (gate, done) = (gated(&started, 1, &release), done.clone());
        async move {
            gate.await;
            let _ = done.send("asked");
        }
    };
    let asker = tokio::spawn({
        let pool = pool.clone();
        async move { pool.ask(Run::new(job)).await }
    });
    assert_eq!(within(starts.recv()).await, Some(1));
    asker.abort();
    assert!(within(asker).await.unwrap_err().is_cancelled());
    release.notify_one();
    assert_eq!(within(dones.recv()).await, Some("asked"), "the job ran on after its asker left");

    within(pool.tell(Run::new(async move {
        let _ = done.send("told");
    })))
    .await
    .unwrap();
    assert_eq!(within(dones.recv()).await, Some("told"));
    within(runtime.shutdown()).await;
}

on_both_runtimes!(
    an_unlimited_pool_grants_at_once,
    try_submit_is_refused_when_full_and_accepted_after_a_slot_frees,
    submit_queues_and_its_reservation_stays_pending_until_a_slot_frees,
    a_busy_notice_recipient_does_not_stall_the_pool,
    a_panicking_job_frees_its_slot_and_is_counted,
    graceful_stop_lets_running_jobs_finish_and_kill_drops_them,
    queued_submissions_start_first_come_first_served,
    run_replies_with_the_jobs_output_and_the_pool_stays_free,
    run_queues_first_come_first_served_with_submit,
    a_panicking_run_fails_its_asker_with_is_panicked,
    a_run_that_never_finishes_fails_with_is_stopped,
    a_run_goes_on_without_its_asker_and_under_a_tell,
);
