//! Groups: [`SupervisorBuilder`] and the [`Supervisor`] actor.
//!
//! A group's children are supervised actors whose tasks exist from
//! `group.child(..)` on (so their refs work at once: messages queue), but
//! whose first instance waits for the group to start it. Between a group
//! and each child is a [`Link`]: the child says when an instance has
//! started, ended or when it is over; the group commands the next start (or
//! the end), and retires a running instance when its strategy restarts
//! others. A child that fails tells the group through the group's own
//! mailbox (an unbounded one, so a child never waits on it), and the group
//! applies its strategy there, one failure at a time.
//!
//! The restart limit is the group's, over all its children (Erlang's
//! intensity). A failure over it fails the group: its children's instances
//! end (newest first) and the group fails in turn, which its own group (if
//! any) handles like any child's failure. A group that ends for good stops
//! its children for good; one that will be restarted leaves them waiting,
//! mailboxes open, for its next instance to start them again.

use std::any::Any;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tokio::sync::Notify;

use super::limit::{Limit, Log};
use super::run::{Boss, Plan};
use super::{Restart, Strategy};
use crate::actor::{Actor, Context, StopReason};
use crate::handle::{ActorRef, WeakActorRef};
use crate::mailbox::Mailbox;
use crate::message::Message;
use crate::runtime::{Control, Runtime};
use crate::util::short_type_name;

/// A group under construction: `runtime.supervisor(strategy)`.
///
/// Add children with [`child`](SupervisorBuilder::child) (each returns the
/// child's ref at once, valid for the child's whole life, through every
/// restart), nest groups with [`child_group`](SupervisorBuilder::child_group),
/// then [`spawn`](SupervisorBuilder::spawn) the group: children start in the
/// order they were added, each once the previous one's `on_start` is done,
/// and stop in reverse order.
///
/// Messages sent to a child before the group is spawned wait in its
/// mailbox. A group stopped while it starts its children does not start the
/// rest (their queued asks are answered `is_stopped`). As in Erlang, a
/// child's `on_start` must not wait on a child
/// added after it (that one has not started yet): put what a child needs
/// before it. A builder dropped without `spawn` stops its children before
/// they ever start (their refs then say [`is_stopped`](crate::Error::is_stopped)).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Db;
///
/// #[derive(Actor)]
/// struct Api {
///     db: ActorRef<Db>,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let runtime = Runtime::new();
/// let group = runtime.supervisor(Strategy::OneForAll).max_restarts(3, Duration::from_secs(5));
/// let db: ActorRef<Db> = group.child(Db::default);
/// let api: ActorRef<Api> = group.child({
///     let db = db.clone();
///     move || Api { db: db.clone() }
/// });
/// let group: ActorRef<Supervisor> = group.spawn();
/// assert!(api.is_alive());
/// group.stop().await.unwrap(); // api stops, then db
/// assert!(!db.is_alive());
/// # }
/// ```
#[must_use = "a group's children start only once it is spawned: call `.spawn()`"]
pub struct SupervisorBuilder {
    core: Arc<Core>,
    runtime: Runtime,
    /// A group inside a group: its ref, made when it was added.
    nested: Option<ActorRef<Supervisor>>,
    spawned: bool,
}

/// A group of supervised children: the actor behind
/// [`Runtime::supervisor`]'s [`spawn`](SupervisorBuilder::spawn).
///
/// Its children are owned by it: they live until the group stops (or each
/// is stopped), whether or not anyone holds their refs.
/// [`stop`](ActorRef::stop) stops the children newest first, each
/// gracefully, then the group; [`kill`](ActorRef::kill) kills them. When a
/// child fails more often than the group's limit allows, the group stops
/// its children and fails with [`StopReason::Panicked`], whose message names
/// the child and its last failure.
pub struct Supervisor {
    core: Arc<Core>,
}

/// What a group and its children's tasks share.
pub(crate) struct Core {
    strategy: Strategy,
    /// Inside another group: its children outlive an instance of it.
    nested: bool,
    state: Mutex<CoreState>,
    /// The group's mailbox, once it exists (for children added late).
    group: OnceLock<WeakActorRef<Supervisor>>,
}

struct CoreState {
    limit: Limit,
    log: Log,
    children: Vec<Slot>,
    /// Over the limit: the group fails.
    failing: bool,
    /// How long a retired instance may take before it is aborted.
    shutdown: Duration,
    /// The group's current instance has started every child added so far;
    /// a child added now is started by a message.
    running: bool,
}

/// One child, as its group holds it.
#[derive(Clone)]
struct Slot {
    ctl: Arc<Control>,
    link: Arc<Link>,
    /// The child's mailbox handle, type-erased: while the group holds it,
    /// the child's refs are never all gone.
    _owned: Arc<dyn Any + Send + Sync>,
}

/// Between a group and one child.
pub(crate) struct Link {
    state: Mutex<LinkState>,
    /// A command for the child.
    to_child: Notify,
    /// The child started, ended or is over.
    to_group: Notify,
}

#[derive(Default)]
struct LinkState {
    phase: Phase,
    command: Option<Command>,
    /// The group asked the running instance to end.
    retire: bool,
    /// How the last instance ended.
    last: Option<StopReason>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    /// No instance yet, or one ended: waiting for a command.
    #[default]
    Waiting,
    /// An instance is in `on_start`.
    Starting,
    /// An instance is past `on_start`.
    Running,
    /// The child is over.
    Finished,
}

/// What a group tells a waiting child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// Build an instance and start it.
    Start,
    /// End for good.
    Stop,
}

/// A child's place in its group, as its task holds it.
pub(crate) struct Seat {
    core: Arc<Core>,
    index: usize,
    link: Arc<Link>,
    /// The child is itself a group: its own children end with it.
    subgroup: Option<Arc<Core>>,
}

impl Link {
    fn new() -> Arc<Self> {
        Arc::new(Link { state: Mutex::new(LinkState::default()), to_child: Notify::new(), to_group: Notify::new() })
    }

    fn lock(&self) -> MutexGuard<'_, LinkState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn command(&self, command: Command) {
        self.lock().command = Some(command);
        self.to_child.notify_one();
    }

    /// Waits (on the group's side) until `done` holds of the link's state,
    /// giving up if `group` is killed (its handler is dropped then anyway).
    async fn until(&self, done: impl Fn(&LinkState) -> bool) {
        loop {
            let mut woken = pin!(self.to_group.notified());
            woken.as_mut().enable();
            if done(&self.lock()) {
                return;
            }
            woken.await;
        }
    }
}

impl Seat {
    /// Counts a restart against the group's limit; `None` once it is over it.
    pub(crate) fn restart(&self) -> Option<u32> {
        let mut state = self.core.lock();
        if state.failing {
            return None;
        }
        let limit = state.limit;
        let n = state.log.restart(limit);
        state.failing = n.is_none();
        n
    }

    /// The group asked the running instance to end.
    pub(crate) fn retiring(&self) -> bool {
        self.link.lock().retire
    }

    pub(crate) fn started(&self) {
        self.link.lock().phase = Phase::Running;
        self.link.to_group.notify_one();
    }

    /// An instance ended (not for good); `report`: tell the group, which
    /// did not ask for it.
    pub(crate) fn ended(&self, reason: &StopReason, report: bool) {
        {
            let mut link = self.link.lock();
            link.phase = Phase::Waiting;
            link.retire = false;
            link.last = Some(reason.clone());
        }
        self.link.to_group.notify_one();
        if report && let Some(group) = self.core.group.get().and_then(WeakActorRef::upgrade) {
            // Unbounded: never full. Refused only once the group is
            // stopping, and then it stops this child itself.
            let _ = group.try_tell(ChildEnded { index: self.index });
        }
    }

    pub(crate) fn finished(&self) {
        {
            let mut link = self.link.lock();
            link.phase = Phase::Finished;
            // A command that came as it was stopped from outside is moot.
            link.command = None;
        }
        self.link.to_group.notify_one();
    }

    /// Waits for the group's next command; `Stop` too on a stop or kill
    /// from outside (which wakes this task).
    pub(crate) async fn command(&self, ctl: &Control) -> Command {
        loop {
            let mut woken = pin!(self.link.to_child.notified());
            woken.as_mut().enable();
            // A kill from outside closes the mailbox too; an abort does not.
            if ctl.is_closed() {
                return Command::Stop;
            }
            {
                let mut link = self.link.lock();
                if let Some(command) = link.command.take() {
                    if command == Command::Start {
                        link.phase = Phase::Starting;
                    }
                    return command;
                }
            }
            if ctl.unless_closed(woken).await.is_none() {
                return Command::Stop;
            }
        }
    }

    /// The reason of a child told to stop before its first instance.
    pub(crate) fn never_started(&self, ctl: &Control) -> StopReason {
        if ctl.is_killed_for_good() {
            StopReason::Killed
        } else if ctl.is_closed() {
            StopReason::Normal
        } else {
            StopReason::StartFailed(Arc::new(NeverStarted))
        }
    }

    /// A child that is itself a group ends for good: so do its children.
    pub(crate) async fn stop_subgroup(&self, ctl: &Control) {
        if let Some(sub) = &self.subgroup {
            sub.stop_children(ctl).await;
        }
    }
}

/// Why a child of a group that was never spawned did not start.
#[derive(Debug)]
struct NeverStarted;

impl fmt::Display for NeverStarted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("its supervisor was dropped before it was spawned")
    }
}

impl std::error::Error for NeverStarted {}

impl Core {
    fn new(strategy: Strategy, nested: bool) -> Arc<Self> {
        Arc::new(Core {
            strategy,
            nested,
            state: Mutex::new(CoreState {
                limit: Limit::DEFAULT,
                log: Log::default(),
                children: Vec::new(),
                failing: false,
                shutdown: Duration::from_secs(5),
                running: false,
            }),
            group: OnceLock::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, CoreState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn slot(&self, index: usize) -> Option<Slot> {
        self.lock().children.get(index).cloned()
    }

    /// Stops every child for good and waits for each: first those between
    /// two instances (they have none to stop, and ending them answers what
    /// waits in their mailboxes, which a sibling's last handler or `on_stop`
    /// may be asking for), then the others newest first, each gracefully.
    /// If `group` is killed, before or meanwhile, every child is killed at
    /// once, and then waited for.
    async fn stop_children(&self, group: &Control) {
        let children: Vec<Slot> = self.lock().children.clone();
        for slot in &children {
            if group.is_killed_for_good() {
                slot.ctl.kill();
            } else if slot.link.lock().phase == Phase::Waiting {
                slot.ctl.request_stop();
            }
            // A child waiting for a command sees the stop when woken.
            slot.link.to_child.notify_one();
        }
        for slot in children.iter().rev() {
            if !group.is_killed_for_good() {
                slot.ctl.request_stop();
                slot.link.to_child.notify_one();
            }
            let mut wait = pin!(slot.ctl.wait());
            poll_fn(|cx| {
                if group.is_killed_for_good() {
                    // Killed meanwhile: every child at once.
                    for slot in &children {
                        slot.ctl.kill();
                    }
                }
                wait.as_mut().poll(cx).map(drop)
            })
            .await;
        }
    }
}

impl SupervisorBuilder {
    pub(crate) fn new(runtime: &Runtime, strategy: Strategy) -> Self {
        SupervisorBuilder { core: Core::new(strategy, false), runtime: runtime.clone(), nested: None, spawned: false }
    }

    /// More than `max` restarts (of all its children together) within
    /// `window`, and the group fails: it stops its children and stops with
    /// [`StopReason::Panicked`]. The default is 3 within 5 seconds.
    pub fn max_restarts(self, max: u32, window: Duration) -> Self {
        self.core.lock().limit = Limit { max, window };
        self
    }

    /// How long a child's instance may take to end when the group's
    /// strategy restarts it (or the group itself is replaced): past it, the
    /// handler in flight is dropped (an abort: its asker gets
    /// [`is_stopped`](crate::Error::is_stopped); the mailbox and what is
    /// queued stay for the next instance). `on_stop` is never cut short.
    /// The default is 5 seconds, as Erlang's for workers.
    pub fn shutdown_timeout(self, timeout: Duration) -> Self {
        self.core.lock().shutdown = timeout;
        self
    }

    /// Adds a child built by `factory` (again at each restart), with the
    /// runtime's default mailbox, restarted after a failure
    /// ([`Restart::OnFailure`]). Returns its ref at once: it stays valid
    /// through every restart, and what is sent before the child starts waits
    /// in its mailbox.
    pub fn child<A: Actor>(&self, factory: impl Fn() -> A + Send + Sync + 'static) -> ActorRef<A> {
        self.child_with(factory, Restart::OnFailure, self.runtime.default_mailbox())
    }

    /// Adds a child with its own [`Restart`] policy and [`Mailbox`]; see
    /// [`child`](SupervisorBuilder::child). Under [`Restart::Always`] a child
    /// that stops itself is restarted (counted against the limit); under
    /// [`Restart::Never`] its failure ends it without touching the others.
    pub fn child_with<A: Actor>(
        &self,
        factory: impl Fn() -> A + Send + Sync + 'static,
        restart: Restart,
        mailbox: Mailbox,
    ) -> ActorRef<A> {
        self.add(factory, restart, mailbox, None)
    }

    /// Adds a group as a child of this one, and returns its builder: add
    /// its children there, and [`spawn`](SupervisorBuilder::spawn) it to get
    /// its ref (it starts with this group, in its place among the
    /// children). When it fails (its own limit exceeded), this group applies
    /// its strategy to it like to any child: restarting it starts its
    /// children again, behind the same refs.
    pub fn child_group(&self, strategy: Strategy) -> SupervisorBuilder {
        let core = Core::new(strategy, true);
        let factory = {
            let core = Arc::clone(&core);
            move || Supervisor { core: Arc::clone(&core) }
        };
        let group = self.add(factory, Restart::OnFailure, Mailbox::unbounded(), Some(Arc::clone(&core)));
        let _ = core.group.set(group.downgrade());
        SupervisorBuilder { core, runtime: self.runtime.clone(), nested: Some(group), spawned: false }
    }

    fn add<A: Actor>(
        &self,
        factory: impl Fn() -> A + Send + Sync + 'static,
        restart: Restart,
        mailbox: Mailbox,
        subgroup: Option<Arc<Core>>,
    ) -> ActorRef<A> {
        let link = Link::new();
        // Under the lock: the index is the child's place, and a group
        // instance that has started its children so far sees this one, or
        // starts it by message.
        let mut state = self.core.lock();
        let index = state.children.len();
        let seat = Seat { core: Arc::clone(&self.core), index, link: Arc::clone(&link), subgroup };
        let plan = Plan::new(factory, restart, Boss::Group(seat));
        let (child, ctl) = self.runtime.launch(plan, mailbox);
        state.children.push(Slot { ctl, link, _owned: child.cell_arc() });
        if state.running {
            drop(state);
            if let Some(group) = self.core.group.get().and_then(WeakActorRef::upgrade) {
                let _ = group.try_tell(StartChild { index });
            }
        }
        child
    }

    /// Spawns the group (for a group made by
    /// [`child_group`](SupervisorBuilder::child_group): returns its ref; it
    /// starts with its parent). Its children start in the order they were
    /// added.
    #[must_use = "dropping the returned ref stops the group (and its children) once it has handled its queue"]
    pub fn spawn(mut self) -> ActorRef<Supervisor> {
        self.spawned = true;
        if let Some(group) = self.nested.take() {
            return group;
        }
        let group = self.runtime.spawn_with(Supervisor { core: Arc::clone(&self.core) }, Mailbox::unbounded());
        let _ = self.core.group.set(group.downgrade());
        group
    }
}

impl Drop for SupervisorBuilder {
    fn drop(&mut self) {
        if self.spawned || self.nested.is_some() {
            // Spawned, or part of a group that is (its parent starts it).
            return;
        }
        for slot in self.core.lock().children.iter() {
            slot.link.command(Command::Stop);
        }
    }
}

impl fmt::Debug for SupervisorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.core.lock();
        f.debug_struct("SupervisorBuilder")
            .field("strategy", &self.core.strategy)
            .field("max_restarts", &state.limit.max)
            .field("window", &state.limit.window)
            .field("children", &state.children.len())
            .finish()
    }
}

impl Supervisor {
    /// Starts child `index` and waits until its `on_start` is done (or it
    /// failed, or is over, or `group` is stopped from outside).
    async fn start(&self, index: usize, group: &Control) {
        let Some(slot) = self.core.slot(index) else { return };
        if slot.link.lock().phase != Phase::Waiting || group.is_closed() {
            return;
        }
        slot.link.command(Command::Start);
        let started = |l: &LinkState| l.phase == Phase::Finished || (l.command.is_none() && l.phase != Phase::Starting);
        group.unless_closed(slot.link.until(started)).await;
    }

    /// Ends child `index`'s running instance, keeping its mailbox, and waits
    /// until it has ended: gracefully (the handler in flight finishes) for
    /// up to the group's shutdown timeout, then by an abort (the handler is
    /// dropped, as by a kill, but the mailbox and what is queued stay for
    /// the next instance). Erlang's `shutdown` then `brutal_kill`, without
    /// losing the mailbox. Gives up waiting once `group` is stopped or
    /// killed from outside (its own end stops the child then).
    async fn retire(&self, index: usize, group: &Control) {
        let Some(slot) = self.core.slot(index) else { return };
        {
            let mut link = slot.link.lock();
            if !matches!(link.phase, Phase::Starting | Phase::Running) {
                return;
            }
            // Under the lock: the child sees `retire` with the stop.
            link.retire = true;
            slot.ctl.retire();
        }
        let ended = |l: &LinkState| matches!(l.phase, Phase::Waiting | Phase::Finished);
        let timeout = self.core.lock().shutdown;
        let graceful = tokio::time::timeout(timeout, slot.link.until(ended));
        if let Some(Err(_elapsed)) = group.unless_closed(graceful).await {
            slot.ctl.abort();
            group.unless_closed(slot.link.until(ended)).await;
        }
    }

    /// Child `index` failed (or stopped itself under `Always`): apply the
    /// strategy, or fail the group.
    async fn child_ended(&mut self, index: usize, group: &Control) {
        let Some(slot) = self.core.slot(index) else { return };
        let last = {
            let link = slot.link.lock();
            if link.phase != Phase::Waiting || link.command.is_some() {
                // Already restarted (by a strategy that took it along), or over.
                return;
            }
            link.last.clone()
        };
        if self.core.lock().failing {
            let limit = self.core.lock().limit;
            let last = last.map_or_else(|| "unknown".to_owned(), |r| r.to_string());
            let text = format!(
                "supervisor: child {}{} exceeded {} restarts within {:?}; last failure: {last}",
                short_type_name(slot.ctl.type_name()),
                slot.ctl.id,
                limit.max,
                limit.window,
            );
            // The group fails: its `on_stop` ends its children. Not through
            // `panic!`: this failure is expected, and the panic hook is not
            // told of it; the crash policy is.
            std::panic::resume_unwind(Box::new(text));
        }
        let len = self.core.lock().children.len();
        let range = match self.core.strategy {
            Strategy::OneForOne => index..index + 1,
            Strategy::OneForAll => 0..len,
            Strategy::RestForOne => index..len,
        };
        for j in range.clone().rev() {
            self.retire(j, group).await;
        }
        for j in range {
            self.start(j, group).await;
        }
    }
}

impl Actor for Supervisor {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), crate::BoxError> {
        {
            let mut state = self.core.lock();
            state.failing = false;
            state.log = Log::default();
        }
        let mut index = 0;
        loop {
            {
                let mut state = self.core.lock();
                if index == state.children.len() {
                    state.running = true;
                    return Ok(());
                }
            }
            self.start(index, ctx.control()).await;
            index += 1;
        }
    }

    async fn on_stop(&mut self, ctx: &mut Context<Self>, _reason: &StopReason) {
        self.core.lock().running = false;
        let ctl = ctx.control();
        if self.core.nested && !ctl.is_closed() {
            // This instance is replaced (or its group decides): the children's
            // instances end, their mailboxes wait for the next one.
            let len = self.core.lock().children.len();
            for index in (0..len).rev() {
                self.retire(index, ctl).await;
            }
        } else {
            self.core.stop_children(ctl).await;
        }
    }
}

impl fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supervisor")
            .field("strategy", &self.core.strategy)
            .field("children", &self.core.lock().children.len())
            .finish()
    }
}

/// A child's instance failed: sent by the child's task.
struct ChildEnded {
    index: usize,
}

impl Message<Supervisor> for ChildEnded {
    type Reply = ();

    fn handle(self, group: &mut Supervisor, ctx: &mut Context<Supervisor>) -> impl Future<Output = ()> + Send {
        let ctl = Arc::clone(ctx.control());
        async move { group.child_ended(self.index, &ctl).await }
    }
}

/// A child added after the group started its children.
struct StartChild {
    index: usize,
}

impl Message<Supervisor> for StartChild {
    type Reply = ();

    fn handle(self, group: &mut Supervisor, ctx: &mut Context<Supervisor>) -> impl Future<Output = ()> + Send {
        let ctl = Arc::clone(ctx.control());
        async move { group.start(self.index, &ctl).await }
    }
}
