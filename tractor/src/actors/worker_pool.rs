//! [`WorkerPool`]: runs submitted futures, at most `limit` at once.

use std::any::type_name;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use tokio::sync::oneshot;
use tokio::task::{Id, JoinSet};

use crate::actor::{Actor, Context, Step, StopReason};
use crate::error::Error;
use crate::handle::{ActorId, Sender};
use crate::message::{Forward, Message, Now, ReplyTo};

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
/// - [`Run`] submits a job whose output is the reply: the asker gets it when
///   the job finishes. It queues like `Submit`, and the pool answers other
///   messages meanwhile (the reply is deferred with
///   [`Context::reply_later`]).
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
/// use tractor::actors::{Run, Submit, TrySubmit, WorkerPool};
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
///
/// let answer: u32 = pool.ask(Run::new(async { 6 * 7 })).await?; // the job's output
/// assert_eq!(answer, 42);
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
    /// A `Submit`'s reservation; `None` for a `Run`.
    started: Option<oneshot::Sender<()>>,
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
            if let Some(started) = started {
                let _ = started.send(());
            }
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
            pool.queue.push_back(Queued { work: self.work, started: Some(started) });
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

/// Runs a job on a [`WorkerPool`] and replies with its output, once it has
/// finished.
///
/// It waits for a slot like [`Submit`] (first-come-first-served, behind
/// anything queued); the pool is not blocked meanwhile: it defers the reply
/// with [`Context::reply_later`] and answers its next message at once. The
/// asker gets:
///
/// - the job's output when it finishes;
/// - [`is_panicked`](Error::is_panicked) if the job panicked (the panic is
///   also counted in [`PoolStats::panicked`] and logged, as for `Submit`);
/// - [`is_stopped`](Error::is_stopped) if the job never finished: the pool
///   stopped while it was queued, or was killed while it ran.
///
/// The job runs whether or not the asker is still waiting: dropping the ask
/// (or its timeout running out) drops only the reply. Under a `tell` the
/// output is dropped.
///
/// # Examples
///
/// ```
/// use tractor::actors::{Run, WorkerPool};
/// use tractor::prelude::*;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let pool = runtime.spawn(WorkerPool::new(Some(1)));
/// let (a, b) = tokio::join!(
///     pool.ask(Run::new(async { "first" })),
///     pool.ask(Run::new(async { "second" })), // waits for the one slot
/// );
/// assert_eq!((a?, b?), ("first", "second"));
///
/// let boom: Result<u32, Error> = pool.ask(Run::new(async { panic!("no") })).await;
/// assert!(boom.unwrap_err().is_panicked());
/// # Ok(())
/// # }
/// ```
pub struct Run<T> {
    job: Pin<Box<dyn Future<Output = T> + Send>>,
}

impl<T: Send + 'static> Run<T> {
    /// A job whose output is the reply.
    pub fn new(job: impl Future<Output = T> + Send + 'static) -> Self {
        Run { job: Box::pin(job) }
    }

    /// Starts (or queues) the job, answering through a deferred reply.
    fn submit(self, pool: &mut WorkerPool, ctx: &Context<WorkerPool>) -> Forward<T> {
        let (later, reply_to) = ctx.reply_later();
        let work = Work::new(answer_with(self.job, reply_to, ctx.id()));
        if pool.queue.is_empty() && pool.has_room() {
            pool.start(work);
        } else {
            pool.queue.push_back(Queued { work, started: None });
        }
        later
    }
}

/// Runs `job` and answers `reply_to` with its output; a panic answers
/// `is_panicked` and goes on unwinding, so the pool counts it as for any job.
async fn answer_with<T: Send + 'static>(
    mut job: Pin<Box<dyn Future<Output = T> + Send>>,
    reply_to: ReplyTo<T>,
    pool: ActorId,
) {
    let polled = std::future::poll_fn(|cx| match catch_unwind(AssertUnwindSafe(|| job.as_mut().poll(cx))) {
        Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
        Ok(Poll::Pending) => Poll::Pending,
        Err(payload) => Poll::Ready(Err(payload)),
    });
    match polled.await {
        Ok(out) => reply_to.send(out),
        Err(payload) => {
            reply_to.fail(Error::panicked(pool, type_name::<WorkerPool>(), type_name::<Run<T>>()));
            resume_unwind(payload);
        }
    }
}

impl<T> fmt::Debug for Run<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Message<WorkerPool> for Run<T> {
    type Reply = T;

    /// Called directly (not through the pool's mailbox), this starts the job
    /// and waits for its output; it panics if the job does not finish.
    fn handle(self, pool: &mut WorkerPool, ctx: &mut Context<WorkerPool>) -> impl Future<Output = T> + Send {
        self.submit(pool, ctx).__wait()
    }

    fn __handle_now(self, pool: &mut WorkerPool, ctx: &mut Context<WorkerPool>) -> Now<Self, T> {
        Now::Forward(self.submit(pool, ctx))
    }
}

/// Asks a ready-made actor for its counters: a [`WorkerPool`] replies with
/// its [`PoolStats`], a [`PubSub`](super::PubSub) with its
/// [`PubSubStats`](super::PubSubStats).
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
