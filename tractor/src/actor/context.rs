//! [`Context`]: what an actor's hooks and handlers get next to `&mut self`.

use std::any::type_name;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::Waker;

use super::{Actor, Panic, RuntimeShutDown, Step, StopReason};
use crate::error::TrySendError;
use crate::handle::{ActorId, ActorRef, Cell};
use crate::mailbox::{self, Mailbox};
use crate::message::{Envelope, Forward, Message};
use crate::request::{Request, Tell};
use crate::runtime::{Children, Control, Runtime};
use crate::util::short_type_name;
use crate::watch::Watchable;

/// The actor's view of itself and of the runtime, handed to every hook and
/// handler.
///
/// Sends made through the context ([`ask`](Context::ask),
/// [`tell`](Context::tell), [`forward`](Context::forward)) carry this actor's
/// id, which the receiver reads with [`sender`](Context::sender).
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Echo;
///
/// #[actor]
/// impl Echo {
///     /// Replies with the id of whoever asked.
///     #[message]
///     pub fn who(&self, ctx: &mut Context<Self>) -> Option<ActorId> {
///         ctx.sender()
///     }
/// }
///
/// #[derive(Actor)]
/// struct Caller {
///     echo: ActorRef<Echo>,
/// }
///
/// #[actor]
/// impl Caller {
///     #[message]
///     pub async fn call(&mut self, ctx: &mut Context<Self>) -> bool {
///         let seen = ctx.ask(&self.echo, Who).await.unwrap();
///         seen == Some(ctx.id())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let echo = runtime.spawn(Echo);
/// assert_eq!(echo.who().await?, None); // asked from outside any actor
/// let caller = runtime.spawn(Caller { echo });
/// assert!(caller.call().await?);
/// # Ok(())
/// # }
/// ```
pub struct Context<A: Actor> {
    rx: mailbox::Receiver<Envelope<A>, Control>,
    cell: Weak<Cell<A>>,
    runtime: Runtime,
    sender: Option<ActorId>,
    children: Children,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(rx: mailbox::Receiver<Envelope<A>, Control>, cell: Weak<Cell<A>>, runtime: Runtime) -> Self {
        Context { rx, cell, runtime, sender: None, children: Children::default() }
    }

    pub(crate) fn control(&self) -> &Arc<Control> {
        self.rx.owner()
    }

    pub(crate) fn receiver(&self) -> &mailbox::Receiver<Envelope<A>, Control> {
        &self.rx
    }

    /// Registers the task's waker (once, when the task starts).
    pub(crate) fn set_task_waker(&mut self, waker: Waker) {
        self.rx.set_task_waker(waker);
    }

    pub(crate) fn set_sender(&mut self, sender: Option<ActorId>) {
        self.sender = sender;
    }

    /// This actor's cell, weakly: whoever holds it can reach the mailbox
    /// without keeping the actor alive.
    pub(crate) fn cell_weak(&self) -> Weak<Cell<A>> {
        Weak::clone(&self.cell)
    }

    pub(crate) fn children(&mut self) -> &mut Children {
        &mut self.children
    }

    /// The end of the actor: no longer counted, stopped with `reason`, and
    /// what is still queued answered `is_stopped` (later arrivals are
    /// discarded by their senders, see `mailbox::state`).
    pub(crate) fn finish(&self, reason: StopReason) {
        self.runtime.actor_stopped();
        self.control().finish(reason);
        self.rx.discard();
    }

    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.control().id
    }

    /// A ref to this actor, to hand out to others.
    ///
    /// Once every outside ref was dropped the actor is stopping; the ref
    /// returned then is already closed (every send is an
    /// [`is_stopped`](crate::Error::is_stopped) error).
    pub fn actor_ref(&self) -> ActorRef<A> {
        match self.cell.upgrade() {
            Some(cell) => ActorRef::from_cell(cell),
            None => {
                self.control().close();
                let (tx, rx) = flume::bounded(0);
                ActorRef::from_cell(Arc::new(Cell::new(tx, rx, Arc::clone(self.control()))))
            }
        }
    }

    /// The id of the actor whose `ctx.ask`/`ctx.tell`/`ctx.forward` sent the
    /// message being handled; `None` when it came from outside any actor (or
    /// outside a handler).
    pub fn sender(&self) -> Option<ActorId> {
        self.sender
    }

    /// A request from this actor to `target`; `.await` it to ask. The
    /// receiver sees this actor as [`sender`](Context::sender).
    ///
    /// Asking this actor itself fails at once with
    /// [`is_deadlock`](crate::Error::is_deadlock): it would wait for its own reply.
    pub fn ask<'a, B: Actor, M: Message<B>>(&self, target: &'a ActorRef<B>, msg: M) -> Request<'a, B, M> {
        Request::new(target, msg, Some(self.id()))
    }

    /// Tells `target` from this actor; waits only for mailbox room.
    pub fn tell<'a, B: Actor, M: Message<B>>(&self, target: &'a ActorRef<B>, msg: M) -> Tell<'a, B, M> {
        Request::new(target, msg, Some(self.id())).tell()
    }

    /// Tells `target` from this actor if its mailbox has room now.
    pub fn try_tell<B: Actor, M: Message<B>>(&self, target: &ActorRef<B>, msg: M) -> Result<(), TrySendError<M>> {
        Request::new(target, msg, Some(self.id())).try_tell()
    }

    /// Hands the reply duty of the current message to `target`: return the
    /// [`Forward`] from the handler and the original asker gets `target`'s
    /// reply to `msg`. This actor is free at once.
    pub fn forward<B: Actor, M: Message<B>>(&self, target: &ActorRef<B>, msg: M) -> Forward<M::Reply> {
        Forward::new(target, msg)
    }

    /// Stops this actor gracefully once the current handler returns: from
    /// then on sends fail, messages already queued are handled, then
    /// children stop and `on_stop` runs.
    ///
    /// A [supervised](crate::Runtime::supervise) actor under
    /// [`Restart::Always`](crate::Restart::Always) is restarted instead: this
    /// instance ends once the handler returns (its `on_stop` runs), and a new
    /// one handles what is queued.
    pub fn stop(&self) {
        // `STOP` alone: the actor loop closes the mailbox (or, supervised,
        // may retire this instance) when it sees it.
        self.control().retire();
    }

    /// Watches `target` (an [`ActorRef`], [`WeakActorRef`](crate::WeakActorRef)
    /// or [`Sender`](crate::Sender)): when it stops for good, this actor's
    /// [`on_down`](Actor::on_down) is called with a [`Down`](crate::Down).
    ///
    /// - Exactly once per watch; watching an actor already watched does
    ///   nothing more, and watching this actor itself does nothing.
    /// - At once (as the next message) if `target` has already stopped.
    /// - Handled like a message: one at a time, with panic isolation, and
    ///   after every message `target` had sent to this actor.
    /// - It does not keep `target` alive, nor `target` this actor.
    ///
    /// A parent is not told of its children unless it watches them.
    pub fn watch(&mut self, target: &impl Watchable) {
        crate::watch::watch(self, target.watch_target().0);
    }

    /// Takes back a watch on `target`, and its notice if one is queued and
    /// not yet handled: after `unwatch`, `on_down` is not called for it.
    pub fn unwatch(&mut self, target: &impl Watchable) {
        crate::watch::unwatch(self, target.watch_target().0.id);
    }

    /// The runtime this actor runs on.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Spawns a child actor on the runtime's default mailbox.
    ///
    /// The child is owned by this actor: it lives until it stops itself, is
    /// stopped, or this actor stops, whether or not anyone still holds its
    /// ref. Children are stopped (newest first) before this actor's
    /// `on_stop` runs; a kill of this actor kills them.
    #[must_use = "the returned ref is the only way to send to the child (it keeps running until its parent stops); bind it, or write `let _ =` if the child needs no messages"]
    pub fn spawn<B: Actor>(&mut self, actor: B) -> ActorRef<B> {
        let mailbox = self.runtime.default_mailbox();
        self.spawn_with(actor, mailbox)
    }

    /// Starts building a supervised child: built by `factory`, rebuilt by it
    /// after each failure behind the same ref, and owned by this actor like
    /// a [`spawn`](Context::spawn)ed child. See [`Supervise`](crate::Supervise).
    pub fn supervise<B: Actor>(&mut self, factory: impl Fn() -> B + Send + Sync + 'static) -> crate::Supervise<'_, B> {
        crate::Supervise::new(&self.runtime, Some(&mut self.children), factory)
    }

    /// Spawns a child actor with the given mailbox; see [`spawn`](Context::spawn).
    #[must_use = "the returned ref is the only way to send to the child (it keeps running until its parent stops); bind it, or write `let _ =` if the child needs no messages"]
    pub fn spawn_with<B: Actor>(&mut self, actor: B, mailbox: Mailbox) -> ActorRef<B> {
        let (child, ctl) = self.runtime.spawn_inner(actor, mailbox);
        self.children.push(ctl, child.cell_arc());
        child
    }

    /// Waits for the next message. Yields [`Step::Message`] with it, or
    /// [`Step::Stop`] once a stop was asked for, or once every ref is dropped
    /// and the mailbox is empty. This is the default body of
    /// [`Actor::step`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message is only taken from the mailbox when this
    /// resolves, so using it in a `tokio::select!` loses nothing.
    ///
    /// Wait in one `recv()` at a time. Two waiting together under different
    /// wakers (say, both pushed into one `FuturesUnordered`) share one wakeup
    /// slot, and the one polled first may not be woken again.
    pub fn recv(&self) -> impl Future<Output = Step<A>> + Send + '_ {
        let mut next = self.rx.recv();
        poll_fn(move |cx| {
            Pin::new(&mut next).poll(cx).map(|env| match env {
                Some(env) => Step::Message(env),
                None => Step::Stop,
            })
        })
    }
}

/// The last guard of an actor's life: a context dropped while its actor is
/// not finished means its task ended some other way (the tokio runtime
/// running it shut down, or a panic escaped): finish it here, so that refs,
/// waiters and queued asks see it stopped instead of hanging.
impl<A: Actor> Drop for Context<A> {
    fn drop(&mut self) {
        if self.control().is_finished() {
            return;
        }
        if self.control().is_dead() {
            // Refused at spawn (its task was dropped before `on_stop` could
            // run): never counted, and it failed to start.
            self.control().finish(StopReason::StartFailed(std::sync::Arc::new(RuntimeShutDown)));
            return;
        }
        let reason = if std::thread::panicking() {
            StopReason::Panicked(Panic::from_text("the actor's task panicked"))
        } else {
            StopReason::Killed
        };
        self.control().kill();
        self.finish(reason);
    }
}

impl<A: Actor> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("actor", &short_type_name(type_name::<A>()))
            .field("id", &self.control().id)
            .field("sender", &self.sender)
            .field("children", &self.children.len())
            .finish()
    }
}
