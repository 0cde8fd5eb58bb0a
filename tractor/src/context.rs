//! [`Context`]: what an actor's hooks and handlers get next to `&mut self`.

use std::any::type_name;
use std::fmt;
use std::future::{Future, poll_fn};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Poll, Waker};

use crate::actor::{Actor, Step};
use crate::actor_ref::{ActorId, ActorRef};
use crate::cell::{Cell, Control};
use crate::error::{Error, TrySendError};
use crate::mailbox::Mailbox;
use crate::message::{Envelope, Forward, Message};
use crate::request::Request;
use crate::runtime::Runtime;
use crate::util::{push_pruned, short_type_name};

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
    ctl: Arc<Control>,
    cell: Weak<Cell<A>>,
    rx: flume::Receiver<Envelope<A>>,
    runtime: Runtime,
    sender: Option<ActorId>,
    /// Boxed: most actors have none, and every actor's task holds this.
    #[allow(clippy::box_collection, reason = "8 bytes in every task instead of 24")]
    children: Option<Box<Vec<Arc<Control>>>>,
    /// The task's waker: `recv` polled under it parks without a lock (see
    /// `Control::park`).
    task_waker: Option<Waker>,
    /// Messages `recv` took, wrapping: with the sends that have left it
    /// tells an empty queue without a look (see `cell`, "Waking the actor").
    taken: AtomicU32,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(
        ctl: Arc<Control>,
        cell: Weak<Cell<A>>,
        rx: flume::Receiver<Envelope<A>>,
        runtime: Runtime,
    ) -> Self {
        Context { ctl, cell, rx, runtime, sender: None, children: None, task_waker: None, taken: AtomicU32::new(0) }
    }

    pub(crate) fn control(&self) -> &Arc<Control> {
        &self.ctl
    }

    pub(crate) fn receiver(&self) -> &flume::Receiver<Envelope<A>> {
        &self.rx
    }

    /// Registers the task's waker (once, when the task starts).
    pub(crate) fn set_task_waker(&mut self, waker: Waker) {
        self.ctl.set_waker(&waker);
        self.task_waker = Some(waker);
    }

    pub(crate) fn set_sender(&mut self, sender: Option<ActorId>) {
        self.sender = sender;
    }

    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.ctl.id
    }

    /// A ref to this actor, to hand out to others.
    ///
    /// Once every outside ref was dropped the actor is stopping; the ref
    /// returned then is already closed (every send is an
    /// [`is_stopped`](Error::is_stopped) error).
    pub fn actor_ref(&self) -> ActorRef<A> {
        match self.cell.upgrade() {
            Some(cell) => ActorRef::from_cell(cell),
            None => {
                self.ctl.close();
                let (tx, rx) = flume::bounded(0);
                ActorRef::from_cell(Arc::new(Cell::new(tx, rx, Arc::clone(&self.ctl))))
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
    pub fn ask<'a, B: Actor, M: Message<B>>(&self, target: &'a ActorRef<B>, msg: M) -> Request<'a, B, M> {
        Request::new(target, msg, Some(self.id()))
    }

    /// Tells `target` from this actor; waits only for mailbox room.
    pub async fn tell<B: Actor, M: Message<B>>(&self, target: &ActorRef<B>, msg: M) -> Result<(), Error> {
        Request::new(target, msg, Some(self.id())).tell().await
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

    /// Stops this actor gracefully once the current handler returns:
    /// messages already queued are handled, later sends fail, then children
    /// stop and `on_stop` runs.
    pub fn stop(&self) {
        self.ctl.request_stop();
    }

    /// The runtime this actor runs on.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Spawns a child actor on the runtime's default mailbox. Children are
    /// stopped (in reverse spawn order) before this actor's `on_stop` runs.
    pub fn spawn<B: Actor>(&mut self, actor: B) -> ActorRef<B> {
        let mailbox = self.runtime.default_mailbox();
        self.spawn_with(actor, mailbox)
    }

    /// Spawns a child actor with the given mailbox.
    pub fn spawn_with<B: Actor>(&mut self, actor: B, mailbox: Mailbox) -> ActorRef<B> {
        let (child, ctl) = self.runtime.spawn_inner(actor, mailbox);
        push_pruned(self.children.get_or_insert_default(), ctl, |c| c.is_dead());
        child
    }

    /// Stops the children, newest first, and waits for each.
    pub(crate) async fn stop_children(&mut self, kill: bool) {
        while let Some(child) = self.children.as_mut().and_then(|c| c.pop()) {
            if kill {
                child.kill();
            } else {
                child.request_stop();
            }
            child.wait().await;
        }
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
        // Only a rendezvous mailbox waits inside flume.
        let mut rendezvous = None;
        poll_fn(move |cx| {
            if self.ctl.stop_requested() {
                return Poll::Ready(Step::Stop);
            }
            if self.ctl.is_rendezvous() {
                // Under a waker of the user's own, a stop must still reach
                // this wait: register it, then look at the flag again.
                self.ctl.watch_mail(cx.waker(), self.is_task_waker(cx.waker()));
                if self.ctl.stop_requested() {
                    return Poll::Ready(Step::Stop);
                }
                // Boxed: a rendezvous is rare, and every actor's task has
                // room for this future.
                let next = rendezvous.get_or_insert_with(|| Box::pin(self.rx.recv_async()));
                return next.as_mut().poll(cx).map(|received| match received {
                    Ok(env) => Step::Message(env),
                    Err(flume::RecvError::Disconnected) => Step::Stop,
                });
            }
            // See `cell`, "Waking the actor": park only if no send left
            // between the look at the queue and the flag.
            loop {
                let (seen, in_flight) = self.ctl.sends_left();
                if in_flight || seen != self.taken.load(Ordering::Relaxed) {
                    if let Some(step) = self.try_step() {
                        return Poll::Ready(step);
                    }
                    // Empty: every send counted in `seen` pushed before it was
                    // read, and the look found none of them, so the two
                    // counts agree again (an overcount, from a waiting send
                    // that was cancelled, ends here).
                    self.taken.store(seen, Ordering::Relaxed);
                }
                if self.ctl.park(cx.waker(), seen, self.is_task_waker(cx.waker())) {
                    return Poll::Pending;
                }
                if self.ctl.stop_requested() {
                    return Poll::Ready(Step::Stop);
                }
            }
        })
    }

    fn is_task_waker(&self, waker: &Waker) -> bool {
        self.task_waker.as_ref().is_some_and(|w| w.will_wake(waker))
    }

    /// The next message if one is queued, or `Stop` if no ref is left and
    /// the queue is empty.
    fn try_step(&self) -> Option<Step<A>> {
        match self.rx.try_recv() {
            Ok(env) => {
                self.taken.store(self.taken.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
                Some(Step::Message(env))
            }
            Err(flume::TryRecvError::Disconnected) => Some(Step::Stop),
            Err(flume::TryRecvError::Empty) => None,
        }
    }
}

impl<A: Actor> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("actor", &short_type_name(type_name::<A>()))
            .field("id", &self.ctl.id)
            .field("sender", &self.sender)
            .field("children", &self.children.as_ref().map_or(0, |c| c.len()))
            .finish()
    }
}
