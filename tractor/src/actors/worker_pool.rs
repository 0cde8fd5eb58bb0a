//! [`WorkerPool`]: runs submitted futures, at most `limit` at once.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use tokio::sync::oneshot;
use tokio::task::{Id, JoinSet};

use crate::actor::{Actor, Context, Step, StopReason};
use crate::error::Error;
use crate::handle::{ActorId, Sender};
use crate::message::Message;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;
type Notice = Box<dyn FnOnce() -> Option<Job> + Send>;

/// An actor that runs submitted futures on tokio tasks, at most `limit` at
/// once (`None`: no limit).
///
/// - [`Submit`] always accepts and replies with a [`Reservation`], a future
///   that resolves when the work has started. Queued submissions start
///   first-come-first-served as slots free.
/// - [`TrySubmit`] replies `true` if the work started now, `false` if the pool
///   is full or anyone is queued: it never jumps the queue.
/// - Each submission may carry a completion notice
///   ([`Submit::notify`]), told to its recipient when the work finishes. It
///   is delivered without waiting on the pool's task, so a busy recipient
///   never stalls the pool. It is sent even when the work panicked.
/// - A job that panics frees its slot, is logged with `tracing::error!` and
///   counted in [`PoolStats::panicked`]; the pool goes on.
/// - A graceful stop lets running jobs finish (jobs still queued are dropped,
///   their reservations fail with `is_stopped`); [`kill`](crate::ActorRef::kill)
///   drops running jobs too.
///
/// The pool overrides [`Actor::step`] to reap finished work next to its
/// mailbox.
///
/// # Examples
///
/// ```
/// use tractor::actors::{Submit, TrySubmit, WorkerPool};
/// use tractor::prelude::*;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let pool = runtime.spawn(WorkerPool::new(Some(2)));
///
/// let (tx, rx) = tokio::sync::oneshot::channel();
/// let reservation = pool.ask(Submit::new(async move { tx.send(6 * 7).unwrap() })).await?;
/// reservation.await?; // the work has started
/// assert_eq!(rx.await.unwrap(), 42);
///
/// let started: bool = pool.ask(TrySubmit::new(async {})).await?;
/// assert!(started);
/// pool.stop().await?; // waits for running work
/// # Ok(())
/// # }
/// ```
pub struct WorkerPool {
    limit: Option<usize>,
    running: JoinSet<()>,
    notices: HashMap<Id, Notice>,
    queue: VecDeque<Queued>,
    deliveries: JoinSet<()>,
    completed: u64,
    panicked: u64,
}

struct Queued {
    work: Work,
    started: oneshot::Sender<()>,
}

/// A job and its optional completion notice.
struct Work {
    job: Job,
    notice: Option<Notice>,
}

impl Work {
    fn new(job: impl Future<Output = ()> + Send + 'static) -> Self {
        Work { job: Box::pin(job), notice: None }
    }

    fn notify<M: Send + 'static>(&mut self, recipient: Sender<M, ()>, msg: M) {
        self.notice = Some(Box::new(move || match recipient.try_tell(msg) {
            Ok(()) => None,
            // Full: wait for room on a task of its own, never on the pool's.
            Err(refused) if refused.is_full() => {
                let msg = refused.into_inner();
                Some(Box::pin(async move {
                    let _ = recipient.tell(msg).await;
                }))
            }
            Err(_) => None,
        }));
    }
}

impl WorkerPool {
    /// A pool running at most `limit` jobs at once; `None` for no limit.
    pub fn new(limit: Option<usize>) -> Self {
        WorkerPool {
            limit,
            running: JoinSet::new(),
            notices: HashMap::new(),
            queue: VecDeque::new(),
            deliveries: JoinSet::new(),
            completed: 0,
            panicked: 0,
        }
    }

    fn has_room(&self) -> bool {
        self.limit.is_none_or(|limit| self.running.len() < limit)
    }

    fn start(&mut self, work: Work) {
        let handle = self.running.spawn(work.job);
        if let Some(notice) = work.notice {
            self.notices.insert(handle.id(), notice);
        }
    }

    /// Start queued work, oldest first, while there is room.
    fn start_queued(&mut self) {
        while self.has_room() {
            let Some(Queued { work, started }) = self.queue.pop_front() else { break };
            self.start(work);
            let _ = started.send(());
        }
    }

    fn reap(&mut self, pool: ActorId, finished: Result<Id, tokio::task::JoinError>) {
        let id = match finished {
            Ok(id) => {
                self.completed += 1;
                id
            }
            Err(e) => {
                if e.is_panic() {
                    self.panicked += 1;
                    tracing::error!(pool = %pool, "a WorkerPool job panicked");
                }
                e.id()
            }
        };
        self.start_queued();
        if let Some(notice) = self.notices.remove(&id)
            && let Some(delivery) = notice()
        {
            self.deliveries.spawn(delivery);
        }
    }
}

impl Actor for WorkerPool {
    async fn step(&mut self, ctx: &mut Context<Self>) -> Step<Self> {
        tokio::select! {
            biased;
            step = ctx.recv() => step,
            Some(finished) = self.running.join_next_with_id(), if !self.running.is_empty() => {
                self.reap(ctx.id(), finished.map(|(id, ())| id));
                Step::Continue
            }
            Some(_) = self.deliveries.join_next(), if !self.deliveries.is_empty() => Step::Continue,
        }
    }

    async fn on_stop(&mut self, ctx: &mut Context<Self>, reason: &StopReason) {
        // Queued work never starts: dropping it fails its reservations.
        self.queue.clear();
        if reason.is_normal() {
            while let Some(finished) = self.running.join_next_with_id().await {
                self.reap(ctx.id(), finished.map(|(id, ())| id));
            }
        } else {
            self.running.shutdown().await;
        }
        self.notices.clear();
        // Notices still waiting for room at a busy recipient are dropped with the pool.
        self.deliveries.shutdown().await;
    }
}

impl fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerPool")
            .field("limit", &self.limit)
            .field("running", &self.running.len())
            .field("queued", &self.queue.len())
            .finish()
    }
}

/// Submits a job to a [`WorkerPool`]; always accepted. Replies with a
/// [`Reservation`] that resolves once the job has started.
pub struct Submit {
    work: Work,
}

impl Submit {
    /// A submission of `job`.
    pub fn new(job: impl Future<Output = ()> + Send + 'static) -> Self {
        Submit { work: Work::new(job) }
    }

    /// Tells `msg` to `recipient` when the job finishes (or panics).
    pub fn notify<M: Send + 'static>(mut self, recipient: impl Into<Sender<M, ()>>, msg: M) -> Self {
        self.work.notify(recipient.into(), msg);
        self
    }
}

impl fmt::Debug for Submit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Submit").field("notify", &self.work.notice.is_some()).finish()
    }
}

impl Message<WorkerPool> for Submit {
    type Reply = Reservation;

    async fn handle(self, pool: &mut WorkerPool, ctx: &mut Context<WorkerPool>) -> Reservation {
        let (started, rx) = oneshot::channel();
        if pool.queue.is_empty() && pool.has_room() {
            pool.start(self.work);
            let _ = started.send(());
        } else {
            pool.queue.push_back(Queued { work: self.work, started });
        }
        Reservation { rx, pool: ctx.id() }
    }
}

/// Submits a job only if it can start now. Replies `true` if it started,
/// `false` if the pool is full or other submissions are queued.
pub struct TrySubmit {
    work: Work,
}

impl TrySubmit {
    /// A submission of `job`.
    pub fn new(job: impl Future<Output = ()> + Send + 'static) -> Self {
        TrySubmit { work: Work::new(job) }
    }

    /// Tells `msg` to `recipient` when the job finishes (or panics).
    pub fn notify<M: Send + 'static>(mut self, recipient: impl Into<Sender<M, ()>>, msg: M) -> Self {
        self.work.notify(recipient.into(), msg);
        self
    }
}

impl fmt::Debug for TrySubmit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrySubmit").field("notify", &self.work.notice.is_some()).finish()
    }
}

impl Message<WorkerPool> for TrySubmit {
    type Reply = bool;

    async fn handle(self, pool: &mut WorkerPool, _: &mut Context<WorkerPool>) -> bool {
        if pool.queue.is_empty() && pool.has_room() {
            pool.start(self.work);
            true
        } else {
            false
        }
    }
}

/// Asks a [`WorkerPool`] for its [`PoolStats`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats;

/// A snapshot of a [`WorkerPool`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Jobs running now (including finished jobs not reaped yet).
    pub running: usize,
    /// Submissions waiting for a slot.
    pub queued: usize,
    /// Jobs that finished normally.
    pub completed: u64,
    /// Jobs that panicked.
    pub panicked: u64,
}

impl Message<WorkerPool> for Stats {
    type Reply = PoolStats;

    async fn handle(self, pool: &mut WorkerPool, _: &mut Context<WorkerPool>) -> PoolStats {
        PoolStats {
            running: pool.running.len(),
            queued: pool.queue.len(),
            completed: pool.completed,
            panicked: pool.panicked,
        }
    }
}

/// Resolves when a [`Submit`]ted job has started; an
/// [`is_stopped`](Error::is_stopped) error if the pool stopped first.
#[must_use = "a reservation tells when the work starts; drop it if you do not care"]
pub struct Reservation {
    rx: oneshot::Receiver<()>,
    pool: ActorId,
}

impl Reservation {
    /// `true` while the job waits for a slot. Also `true` after the pool
    /// dropped it unstarted; awaiting tells the two apart.
    pub fn is_pending(&self) -> bool {
        self.rx.is_empty() && !self.rx.is_terminated()
    }
}

impl Future for Reservation {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let pool = self.pool;
        Pin::new(&mut self.rx)
            .poll(cx)
            .map(|started| started.map_err(|_| Error::stopped(pool, std::any::type_name::<WorkerPool>(), "Submit")))
    }
}

impl fmt::Debug for Reservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reservation").field("pool", &self.pool).field("pending", &self.is_pending()).finish()
    }
}
