//! [`Runtime`]: spawns actors, keeps track of them, shuts them down.
//!
//! - `control.rs`: an actor's control block ([`Control`]);
//! - `task.rs`: the actor's task, its whole life (the actor loop);
//! - `children.rs`: what a parent stops before itself;
//! - `crash.rs`: the crash policy and what it is told;
//! - `current.rs`: which actor this thread runs (to catch an actor asking itself).

mod children;
mod control;
mod crash;
mod current;
pub(crate) mod task;

use std::any::type_name;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::task::JoinHandle;

pub(crate) use self::children::Children;
pub(crate) use self::control::Control;
pub use self::crash::{Crash, CrashPolicy, LogCrashes, PanicSite};
pub(crate) use self::current::current_actor;
use crate::actor::{Actor, Context, RuntimeShutDown, StopReason};
use crate::error::TrySendError;
use crate::handle::{ActorId, ActorRef};
use crate::mailbox::{self, Mailbox};
use crate::message::{Envelope, Message};
use crate::names::Registry;
use crate::request::{Request, Tell, TryAsk};
use crate::supervision::{Strategy, Supervise, SupervisorBuilder};
use crate::util::drop_payload;

/// The home of a set of actors: spawns them, counts them, and shuts them all
/// down.
///
/// Create one per program ([`Runtime::new`] or [`Runtime::builder`]) inside a
/// tokio runtime, and clone it freely: clones share everything. `#[tractor::main]`
/// creates it for you and shuts it down when `main` returns.
///
/// It also keeps the names actors are found by: [`register`](Runtime::register),
/// [`lookup`](Runtime::lookup), [`unregister`](Runtime::unregister). Each
/// runtime has its own.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Counter {
///     count: i64,
/// }
///
/// #[actor]
/// impl Counter {
///     #[message]
///     pub fn increment(&mut self, by: i64) {
///         self.count += by;
///     }
///
///     #[message]
///     pub fn get(&self) -> i64 {
///         self.count
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let counter = runtime.spawn(Counter::default());
/// runtime.tell(&counter, Increment { by: 3 }).await?;
/// assert_eq!(runtime.ask(&counter, Get).await?, 3);
/// assert_eq!(runtime.actor_count(), 1);
///
/// runtime.shutdown().await;
/// assert_eq!(runtime.actor_count(), 0);
/// assert!(!counter.is_alive());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    policy: Box<dyn CrashPolicy>,
    mailbox: Mailbox,
    handle: Option<tokio::runtime::Handle>,
    /// Actors not yet stopped.
    live: AtomicUsize,
    actors: Mutex<Spawned>,
    /// Actors stopped since the list was last pruned (see [`Spawned`]).
    stopped: AtomicUsize,
    /// Serialises `shutdown` calls so a second caller waits for the first.
    shutdown: tokio::sync::Mutex<()>,
    /// Registered names (`names/`): `register`, `lookup`, `unregister`.
    names: Arc<Registry>,
}

/// The actors this runtime spawned, for `shutdown`, in spawn order.
///
/// A stopped actor's entry (its control block, and its task, which its
/// `JoinHandle` keeps) is dropped soon after it stops, not at shutdown: once
/// stopped actors could make up half the list, the next stop that finds the
/// lock free drops them all. Amortised O(1) a stop, and the list never holds
/// more stopped actors than live ones (plus the last few).
#[derive(Default)]
struct Spawned {
    shut_down: bool,
    actors: Vec<Entry>,
}

struct Entry {
    ctl: Arc<Control>,
    task: JoinHandle<()>,
}

impl Runtime {
    /// A runtime with the default crash policy ([`LogCrashes`]) and unbounded
    /// mailboxes. See [`Runtime::builder`] to choose.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Configures a runtime: crash policy and default mailbox.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder { policy: None, mailbox: Mailbox::default() }
    }

    /// Spawns `actor` on its own task with the runtime's default mailbox and
    /// returns its ref. `on_start` runs on the new task before any message.
    ///
    /// After [`shutdown`](Runtime::shutdown) it spawns nothing: the ref it
    /// returns is already stopped (every send is an
    /// [`is_stopped`](crate::Error::is_stopped) error; [`wait`](ActorRef::wait)
    /// returns [`StopReason::StartFailed`]).
    ///
    /// The actor lives until it is stopped, killed, fails, the runtime shuts
    /// down, or the last [`ActorRef`]/[`Sender`](crate::Sender) to it is
    /// dropped (then it handles what is queued and stops
    /// [`Normal`](StopReason::Normal)). A name it is
    /// [registered](Runtime::register) under counts as a ref.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime and the `Runtime` was also created
    /// outside one.
    #[must_use = "dropping the returned ref stops a root actor once it has handled its queue; keep it (or a clone, or a Sender made from it) for as long as the actor should run"]
    pub fn spawn<A: Actor>(&self, actor: A) -> ActorRef<A> {
        self.spawn_inner(actor, self.inner.mailbox).0
    }

    /// Spawns `actor` with the given mailbox; see [`spawn`](Runtime::spawn).
    #[must_use = "dropping the returned ref stops a root actor once it has handled its queue; keep it (or a clone, or a Sender made from it) for as long as the actor should run"]
    pub fn spawn_with<A: Actor>(&self, actor: A, mailbox: Mailbox) -> ActorRef<A> {
        self.spawn_inner(actor, mailbox).0
    }

    pub(crate) fn spawn_inner<A: Actor>(&self, actor: A, mailbox: Mailbox) -> (ActorRef<A>, Arc<Control>) {
        self.launch(Plain(actor), mailbox)
    }

    /// Spawns what `launch` runs with a new mailbox of shape `mailbox`; see
    /// [`Launch`].
    pub(crate) fn launch<A: Actor, L: Launch<A>>(&self, launch: L, mailbox: Mailbox) -> (ActorRef<A>, Arc<Control>) {
        let ctl = Arc::new(Control::new(ActorId::next(), type_name::<A>, mailbox));
        let (tx, rx) = mailbox::channel::<Envelope<A>, _>(mailbox, &ctl);
        let actor_ref = ActorRef::from_cell(Arc::new(tx));
        let ctx = Context::new(rx, actor_ref.downgrade_cell(), self.clone());
        let mut spawned = self.spawned();
        if spawned.shut_down {
            drop(spawned);
            // Refused: stopped for every sender at once; all that is left of
            // its life is `on_stop`, on a task of its own, and then `wait()`
            // resolves.
            ctl.refuse();
            let refused = StopReason::StartFailed(Arc::new(RuntimeShutDown));
            match self.inner.handle.clone().or_else(|| tokio::runtime::Handle::try_current().ok()) {
                Some(handle) => {
                    if let Some(stillborn) = launch.refused(ctx, refused) {
                        drop(handle.spawn(stillborn));
                    }
                }
                None => ctl.finish(refused),
            }
            return (actor_ref, ctl);
        }
        self.inner.live.fetch_add(1, Ordering::SeqCst);
        // Spawned under the lock, so that the list keeps spawn order. A tokio
        // runtime that is gone drops the task at once, and the actor's end
        // (in that drop) only tries the lock.
        let run = launch.run(ctx);
        let task = match &self.inner.handle {
            Some(handle) => handle.spawn(run),
            None => tokio::spawn(run),
        };
        spawned.actors.push(Entry { ctl: Arc::clone(&ctl), task });
        (actor_ref, ctl)
    }

    /// Starts building a supervised actor: built by `factory`, and rebuilt by
    /// it after each failure behind the same ref. See [`Supervise`] for the
    /// options and the guarantees.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use tractor::prelude::*;
    /// # #[derive(Actor, Default)] struct Worker;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let runtime = Runtime::new();
    /// let worker: ActorRef<Worker> = runtime
    ///     .supervise(Worker::default)
    ///     .restart(Restart::OnFailure)
    ///     .max_restarts(5, Duration::from_secs(10))
    ///     .backoff(Duration::from_millis(10), Duration::from_secs(1))
    ///     .mailbox(Mailbox::bounded(64))
    ///     .spawn();
    /// # runtime.shutdown().await;
    /// # }
    /// ```
    pub fn supervise<A: Actor>(&self, factory: impl Fn() -> A + Send + Sync + 'static) -> Supervise<'_, A> {
        Supervise::new(self, None, factory)
    }

    /// Starts building a group of supervised children under `strategy`;
    /// see [`SupervisorBuilder`].
    pub fn supervisor(&self, strategy: Strategy) -> SupervisorBuilder {
        SupervisorBuilder::new(self, strategy)
    }

    /// Asks `target`: the same [`Request`] as [`ActorRef::ask`].
    pub fn ask<'a, A: Actor, M: Message<A>>(&self, target: &'a ActorRef<A>, msg: M) -> Request<'a, A, M> {
        target.ask(msg)
    }

    /// Tells `target`: waits only for mailbox room.
    pub fn tell<'a, A: Actor, M: Message<A>>(&self, target: &'a ActorRef<A>, msg: M) -> Tell<'a, A, M> {
        target.tell(msg)
    }

    /// Tells `target` if its mailbox has room now; otherwise hands `msg` back.
    pub fn try_tell<A: Actor, M: Message<A>>(&self, target: &ActorRef<A>, msg: M) -> Result<(), TrySendError<M>> {
        target.try_tell(msg)
    }

    /// Asks `target` without waiting for mailbox room.
    pub fn try_ask<'a, A: Actor, M: Message<A>>(&self, target: &'a ActorRef<A>, msg: M) -> TryAsk<'a, A, M> {
        target.try_ask(msg)
    }

    /// The number of actors spawned on this runtime that have not stopped yet.
    pub fn actor_count(&self) -> usize {
        self.inner.live.load(Ordering::SeqCst)
    }

    /// The mailbox [`spawn`](Runtime::spawn) uses.
    pub fn default_mailbox(&self) -> Mailbox {
        self.inner.mailbox
    }

    /// Stops every actor still running, newest first (so children stop
    /// before the parents that spawned them), each gracefully: its queued
    /// messages are handled and its `on_stop` runs. Resolves once all have
    /// stopped and their tasks have ended. Afterwards [`spawn`](Runtime::spawn)
    /// returns already-stopped refs.
    ///
    /// Every name is cleared: each actor's as it stops, and at the end any
    /// left (actors of other runtimes registered here).
    ///
    /// Calling it again, or concurrently, waits for the same end. Do not
    /// await it from inside an actor of this runtime: that actor would wait
    /// for itself.
    pub async fn shutdown(&self) {
        let _serial = self.inner.shutdown.lock().await;
        let entries = {
            let mut spawned = self.spawned();
            spawned.shut_down = true;
            std::mem::take(&mut spawned.actors)
        };
        for entry in entries.into_iter().rev() {
            entry.ctl.request_stop();
            entry.ctl.wait().await;
            // The task ends right after `finish`; await it so that no task
            // of ours outlives `shutdown`.
            let _ = entry.task.await;
        }
        self.inner.names.clear();
    }

    /// This runtime's names.
    pub(crate) fn names(&self) -> &Arc<Registry> {
        &self.inner.names
    }

    pub(crate) fn report_crash(&self, crash: &Crash) {
        let policy = &self.inner.policy;
        if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| policy.on_crash(crash))) {
            drop_payload(payload);
            tracing::error!(actor.id = %crash.actor_id(), "the crash policy panicked while reporting a crash");
        }
    }

    /// An actor has stopped: it is no longer counted, and stopped actors
    /// leave the list once they could make up half of it (see [`Spawned`]).
    pub(crate) fn actor_stopped(&self) {
        self.inner.live.fetch_sub(1, Ordering::SeqCst);
        let stopped = self.inner.stopped.fetch_add(1, Ordering::Relaxed) + 1;
        // Never waits: a spawn holds the lock while tokio may drop a task,
        // whose actor then ends here.
        let mut spawned = match self.inner.actors.try_lock() {
            Ok(spawned) => spawned,
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return,
        };
        if stopped * 2 >= spawned.actors.len() {
            self.inner.stopped.store(0, Ordering::Relaxed);
            // Their tasks' handles are dropped here (detached): tokio frees
            // each task once it has returned.
            spawned.actors.retain(|e| !e.ctl.is_finished());
            // A burst that ended leaves no big list behind either.
            if spawned.actors.len() < spawned.actors.capacity() / 4 {
                let keep = spawned.actors.len() * 2;
                spawned.actors.shrink_to(keep);
            }
        }
    }

    fn spawned(&self) -> MutexGuard<'_, Spawned> {
        self.inner.actors.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a spawn runs on the actor's new task: a plain actor ([`Plain`]), or a
/// supervised one (built, and rebuilt, from its factory).
pub(crate) trait Launch<A: Actor>: Send + 'static {
    /// The actor's whole life.
    fn run(self, ctx: Context<A>) -> impl std::future::Future<Output = ()> + Send + 'static;

    /// Refused at spawn (the mailbox is already dead): the rest of its life,
    /// for a task of its own, or `None` once it is over here and now.
    fn refused(
        self,
        ctx: Context<A>,
        reason: StopReason,
    ) -> Option<impl std::future::Future<Output = ()> + Send + 'static>;
}

/// A plain actor, spawned as it is.
pub(crate) struct Plain<A>(pub(crate) A);

impl<A: Actor> Launch<A> for Plain<A> {
    fn run(self, ctx: Context<A>) -> impl std::future::Future<Output = ()> + Send + 'static {
        task::run(self.0, ctx)
    }

    fn refused(
        self,
        ctx: Context<A>,
        reason: StopReason,
    ) -> Option<impl std::future::Future<Output = ()> + Send + 'static> {
        Some(task::stillborn(self.0, ctx, reason))
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("actors", &self.actor_count())
            .field("default_mailbox", &self.inner.mailbox)
            .finish()
    }
}

/// Builds a [`Runtime`]: `Runtime::builder().crash_policy(p).default_mailbox(m).build()`.
#[must_use = "call `.build()` to get a Runtime"]
pub struct RuntimeBuilder {
    policy: Option<Box<dyn CrashPolicy>>,
    mailbox: Mailbox,
}

impl RuntimeBuilder {
    /// The observer told of every caught panic (default: [`LogCrashes`]).
    pub fn crash_policy(mut self, policy: impl CrashPolicy) -> Self {
        self.policy = Some(Box::new(policy));
        self
    }

    /// The mailbox of actors spawned without one (default: unbounded).
    pub fn default_mailbox(mut self, mailbox: Mailbox) -> Self {
        self.mailbox = mailbox;
        self
    }

    /// The runtime. Spawns go to the tokio runtime current here, if any,
    /// else to the one current at each spawn.
    pub fn build(self) -> Runtime {
        Runtime {
            inner: Arc::new(Inner {
                policy: self.policy.unwrap_or_else(|| Box::new(LogCrashes)),
                mailbox: self.mailbox,
                handle: tokio::runtime::Handle::try_current().ok(),
                live: AtomicUsize::new(0),
                actors: Mutex::new(Spawned::default()),
                stopped: AtomicUsize::new(0),
                shutdown: tokio::sync::Mutex::new(()),
                names: Arc::default(),
            }),
        }
    }
}

impl fmt::Debug for RuntimeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeBuilder")
            .field("custom_crash_policy", &self.policy.is_some())
            .field("default_mailbox", &self.mailbox)
            .finish()
    }
}
