//! [`Forward`]: a reply delegated to another actor.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use tokio::sync::oneshot;

use super::{Envelope, Message, ReplyTx};
use crate::actor::Actor;
use crate::error::Error;
use crate::handle::cell::{self, Sending, Undelivered, Waiting};
use crate::handle::{ActorId, ActorRef};

/// A reply delegated to another actor: what a handler returns after
/// [`Context::forward`](crate::Context::forward).
///
/// The original asker gets the other actor's reply (or its error) directly;
/// the forwarding actor is free at once and handles its next message while
/// the forwarded one is still in work. Forwards chain (A to B to C). Under a
/// `tell` a forward is a plain tell. A forward to a stopped actor fails the
/// original asker with [`is_stopped`](Error::is_stopped), not the forwarder.
/// If the target's bounded mailbox is full, the forwarder waits for room, as
/// a `tell` would.
///
/// A handler may return `Forward<R>` (the reply is `R`),
/// `Result<Forward<R>, E>` (the reply is `Result<R, E>`: `Ok` forwards and
/// the asker gets `Ok(target's reply)`, `Err(e)` is replied at once) or
/// `Option<Forward<R>>` (the reply is `Option<R>`, the same way).
///
/// # A `Forward` is never a value
///
/// A `Forward` is an instruction to the runtime, not data: it is not
/// [`Send`], and [`Message::Reply`] must be, so no reply type can hold one
/// (`type Reply = Forward<R>`, `Vec<Forward<R>>`,
/// `#[message(reply = Result<Forward<R>, E>)]` do not compile). Only the
/// three return forms above of an `#[actor]` handler forward. A hand-written
/// `impl Message` cannot return a `Forward` from `handle` (its reply would
/// hold it); it asks the other actor instead. Because it is not `Send`, build
/// a `Forward` last in an `async` handler, after its last `.await`.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor)]
/// struct Backend;
/// struct Get;
/// impl Message<Backend> for Get {
///     type Reply = i64;
///     async fn handle(self, _: &mut Backend, _: &mut Context<Backend>) -> i64 { 42 }
/// }
///
/// #[derive(Actor)]
/// struct Frontend {
///     backend: ActorRef<Backend>,
/// }
///
/// #[actor]
/// impl Frontend {
///     #[message(reply = i64)]
///     fn lookup(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
///         ctx.forward(&self.backend, Get)
///     }
///
///     /// Forwards only a valid key; the asker gets `Ok(42)` or `Err(..)`.
///     #[message]
///     fn checked(&mut self, ctx: &mut Context<Self>, key: u32) -> Result<Forward<i64>, String> {
///         if key == 0 {
///             return Err("no key 0".to_string());
///         }
///         Ok(ctx.forward(&self.backend, Get))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let backend = runtime.spawn(Backend);
/// let frontend = runtime.spawn(Frontend { backend });
/// assert_eq!(frontend.lookup().await?, 42);
/// assert_eq!(frontend.checked(1).await?, Ok(42));
/// assert_eq!(frontend.checked(0).await?, Err("no key 0".to_string()));
/// # Ok(())
/// # }
/// ```
pub struct Forward<R> {
    inner: Box<dyn Deliver<R>>,
    _not_a_value: PhantomData<NotSend>,
}

/// What keeps [`Forward`] from being `Send`, hence from being (part of) a
/// reply: `Message::Reply: Send`.
struct NotSend(PhantomData<*const ()>);

impl<R: Send + 'static> Forward<R> {
    pub(crate) fn new<B: Actor, M: Message<B, Reply = R>>(target: &ActorRef<B>, msg: M) -> Self {
        Forward::from_box(Box::new(Pending { target: target.clone(), msg }))
    }

    pub(super) fn from_box(inner: Box<dyn Deliver<R>>) -> Self {
        Forward { inner, _not_a_value: PhantomData }
    }

    /// Send the forwarded message with the original reply slot. `Some` when
    /// the target's mailbox is full and the caller must await room.
    pub(super) fn deliver(self, reply: Option<Slot<R>>, sender: Option<ActorId>) -> Option<Waiting<'static, ()>> {
        self.inner.deliver(reply, sender)
    }

    /// Performs the forward as a plain request (sent now) and returns a
    /// future of its reply. Used when a forwarding handler is called directly
    /// through [`Message::handle`] rather than by the runtime. Not part of the
    /// stable API.
    ///
    /// # Panics
    ///
    /// The future panics if the target fails to answer (stopped or panicked).
    #[doc(hidden)]
    pub fn __wait(self) -> impl Future<Output = R> + Send + 'static {
        let (tx, rx) = oneshot::channel();
        // Delivered before the future exists: the future holds no `Forward`.
        let room = self.deliver(Some(Slot::Tx(tx)), None);
        async move {
            if let Some(room) = room {
                let _ = room.await;
            }
            match rx.await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => panic!("forwarded request failed: {e}"),
                Err(_) => {
                    panic!("forwarded request failed: the target stopped, or a deferred reply was dropped unanswered")
                }
            }
        }
    }

    /// The same forward, with the reply passed through `f` on its way to the
    /// asker. Used by `#[actor]` for `Result<Forward<R>, E>` and
    /// `Option<Forward<R>>` handlers and its dispatch enum. Not part of the
    /// stable API.
    #[doc(hidden)]
    pub fn __map<S: Send + 'static>(self, f: fn(R) -> S) -> Forward<S> {
        Forward::from_box(Box::new(Mapped { inner: self.inner, f }))
    }
}

/// Where a reply goes: the asker's own slot, or (for a mapped forward) a
/// slot reached through the mapping.
pub(crate) enum Slot<R> {
    Tx(ReplyTx<R>),
    Mapped(Box<dyn MappedSlot<R>>),
}

impl<R: 'static> Slot<R> {
    pub(crate) fn send(self, reply: Result<R, Error>) {
        match self {
            Slot::Tx(tx) => {
                let _ = tx.send(reply);
            }
            Slot::Mapped(slot) => slot.send(reply),
        }
    }

    /// The asker has gone: nobody would read a reply.
    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Slot::Tx(tx) => tx.is_closed(),
            Slot::Mapped(slot) => slot.is_closed(),
        }
    }
}

/// A reply slot of another type, reached through a mapping.
pub(crate) trait MappedSlot<R>: Send + 'static {
    fn send(self: Box<Self>, reply: Result<R, Error>);
    fn is_closed(&self) -> bool;
}

/// A reply slot that calls a function with the reply, in the task of the
/// actor that answers (for `tractor-remote`: the reply is encoded and put on
/// the wire there, with no task to wake). Dropped unanswered (the actor
/// stopped first, or the message was refused), it is called with `stopped`.
pub(crate) fn callback_slot<R: Send + 'static>(f: Box<dyn FnOnce(Result<R, Error>) + Send>, stopped: Error) -> Slot<R> {
    Slot::Mapped(Box::new(Callback { f: Some(f), stopped }))
}

/// What a callback slot calls with the reply.
pub(crate) type ReplyFn<R> = Box<dyn FnOnce(Result<R, Error>) + Send>;

struct Callback<R> {
    f: Option<ReplyFn<R>>,
    stopped: Error,
}

impl<R: Send + 'static> MappedSlot<R> for Callback<R> {
    fn send(mut self: Box<Self>, reply: Result<R, Error>) {
        if let Some(f) = self.f.take() {
            f(reply);
        }
    }

    fn is_closed(&self) -> bool {
        false
    }
}

impl<R> Drop for Callback<R> {
    fn drop(&mut self) {
        if let Some(f) = self.f.take() {
            f(Err(self.stopped.clone()));
        }
    }
}

/// Maps an `R` into the `S` its slot expects. Dropped unanswered, it drops
/// the slot: the asker reads `is_stopped`.
struct MapInto<R, S> {
    slot: Slot<S>,
    f: fn(R) -> S,
}

impl<R: Send + 'static, S: Send + 'static> MappedSlot<R> for MapInto<R, S> {
    fn send(self: Box<Self>, reply: Result<R, Error>) {
        let MapInto { slot, f } = *self;
        slot.send(reply.map(f));
    }

    fn is_closed(&self) -> bool {
        self.slot.is_closed()
    }
}

/// A forward whose reply is mapped: the target answers straight into the
/// asker's slot through the mapping, so no task relays it and the
/// forwarding actor still never waits.
struct Mapped<R, S> {
    inner: Box<dyn Deliver<R>>,
    f: fn(R) -> S,
}

impl<R: Send + 'static, S: Send + 'static> Deliver<S> for Mapped<R, S> {
    fn deliver(self: Box<Self>, reply: Option<Slot<S>>, sender: Option<ActorId>) -> Option<Waiting<'static, ()>> {
        let Mapped { inner, f } = *self;
        let reply = reply.map(|slot| Slot::Mapped(Box::new(MapInto { slot, f }) as Box<dyn MappedSlot<R>>));
        inner.deliver(reply, sender)
    }

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.describe(f)
    }
}

impl<R: 'static> fmt::Debug for Forward<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.describe(f)
    }
}

/// Where a forward takes its asker's reply slot: another actor
/// ([`Pending`]), a mapping ([`Mapped`]), or a deferred reply
/// (`reply_to.rs`).
pub(super) trait Deliver<R>: Send + 'static {
    fn deliver(self: Box<Self>, reply: Option<Slot<R>>, sender: Option<ActorId>) -> Option<Waiting<'static, ()>>;
    /// `Debug` of the [`Forward`] it makes.
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

struct Pending<B: Actor, M> {
    target: ActorRef<B>,
    msg: M,
}

impl<B: Actor, M: Message<B>> Deliver<M::Reply> for Pending<B, M> {
    fn deliver(
        self: Box<Self>,
        reply: Option<Slot<M::Reply>>,
        sender: Option<ActorId>,
    ) -> Option<Waiting<'static, ()>> {
        let Pending { target, msg } = *self;
        let env = match reply {
            None => Envelope::new(msg, None, sender),
            Some(Slot::Tx(tx)) => Envelope::new(msg, Some(tx), sender),
            Some(slot) => Envelope::with_slot(msg, slot, sender),
        };
        let (stopped, deadlock) = (target.cell().stopped::<M>(), target.cell().deadlock::<M>());
        // The original asker is told why, as from the target.
        let failed = move |why: Undelivered<B>| {
            let error = if matches!(why, Undelivered::Stopped(_)) { stopped } else { deadlock };
            why.into_envelope().fail(error);
        };
        match cell::send(target.into_cell(), env, failed) {
            Sending::Sent | Sending::Refused(()) => None,
            Sending::Waiting(room) => Some(room),
        }
    }

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forward").field("to", &self.target.id()).finish()
    }
}
