//! [`Forward`]: a reply delegated to another actor.

use std::fmt;

use tokio::sync::oneshot;

use super::{Envelope, Message, ReplyTx};
use crate::actor::Actor;
use crate::error::Error;
use crate::handle::cell::{self, Sending, Waiting};
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
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let backend = runtime.spawn(Backend);
/// let frontend = runtime.spawn(Frontend { backend });
/// assert_eq!(frontend.lookup().await?, 42);
/// # Ok(())
/// # }
/// ```
pub struct Forward<R> {
    inner: Box<dyn Deliver<R>>,
}

impl<R: Send + 'static> Forward<R> {
    pub(crate) fn new<B: Actor, M: Message<B, Reply = R>>(target: &ActorRef<B>, msg: M) -> Self {
        Forward { inner: Box::new(Pending { target: target.clone(), msg }) }
    }

    /// Send the forwarded message with the original reply slot. `Some` when
    /// the target's mailbox is full and the caller must await room.
    pub(super) fn deliver(self, reply: Option<ReplyTx<R>>, sender: Option<ActorId>) -> Option<Waiting<'static, ()>> {
        self.inner.deliver(reply, sender)
    }

    /// Performs the forward as a plain request and waits for its reply. Used
    /// when a forwarding handler is called directly through
    /// [`Message::handle`] rather than by the runtime. Not part of the stable
    /// API.
    ///
    /// # Panics
    ///
    /// If the target fails to answer (stopped or panicked).
    #[doc(hidden)]
    pub async fn __wait(self) -> R {
        let (tx, rx) = oneshot::channel();
        if let Some(room) = self.deliver(Some(tx), None) {
            let _ = room.await;
        }
        match rx.await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => panic!("forwarded request failed: {e}"),
            Err(_) => panic!("forwarded request failed: the target stopped"),
        }
    }
}

impl<R: Send + 'static> Forward<R> {
    /// The same forward, with the reply passed through `f` on its way to the
    /// asker. Used by `#[actor]`'s dispatch enum to wrap a forwarded reply
    /// in its reply enum. Not part of the stable API.
    #[doc(hidden)]
    pub fn __map<S: Send + 'static>(self, f: fn(R) -> S) -> Forward<S> {
        Forward { inner: Box::new(Mapped { inner: self, f }) }
    }
}

/// A forward whose reply is mapped. The target answers into a slot of its
/// own; a small relay task maps the answer into the asker's slot, so the
/// forwarding actor still never waits.
struct Mapped<R, S> {
    inner: Forward<R>,
    f: fn(R) -> S,
}

impl<R: Send + 'static, S: Send + 'static> Deliver<S> for Mapped<R, S> {
    fn deliver(self: Box<Self>, reply: Option<ReplyTx<S>>, sender: Option<ActorId>) -> Option<Waiting<'static, ()>> {
        let Mapped { inner, f } = *self;
        let Some(mut reply) = reply else {
            return inner.deliver(None, sender);
        };
        let (tx, rx) = oneshot::channel::<Result<R, Error>>();
        tokio::spawn(async move {
            tokio::select! {
                // A dropped slot (the target stopped) drops `reply` too:
                // the asker reads `is_stopped`.
                answer = rx => if let Ok(answer) = answer {
                    let _ = reply.send(answer.map(f));
                },
                // The asker gave up: stop relaying.
                () = reply.closed() => {}
            }
        });
        inner.deliver(Some(tx), sender)
    }

    fn target(&self) -> ActorId {
        self.inner.inner.target()
    }
}

impl<R: 'static> fmt::Debug for Forward<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forward").field("to", &self.inner.target()).finish()
    }
}

trait Deliver<R>: Send + 'static {
    fn deliver(self: Box<Self>, reply: Option<ReplyTx<R>>, sender: Option<ActorId>) -> Option<Waiting<'static, ()>>;
    fn target(&self) -> ActorId;
}

struct Pending<B: Actor, M> {
    target: ActorRef<B>,
    msg: M,
}

impl<B: Actor, M: Message<B>> Deliver<M::Reply> for Pending<B, M> {
    fn deliver(
        self: Box<Self>,
        reply: Option<ReplyTx<M::Reply>>,
        sender: Option<ActorId>,
    ) -> Option<Waiting<'static, ()>> {
        let Pending { target, msg } = *self;
        let stopped = target.cell().stopped::<M>();
        let failed = move |env: Option<Envelope<B>>| {
            if let Some(env) = env {
                env.fail(stopped);
            }
        };
        match cell::send(target.into_cell(), Envelope::new(msg, reply, sender), failed) {
            Sending::Sent | Sending::Stopped(()) => None,
            Sending::Waiting(room) => Some(room),
        }
    }

    fn target(&self) -> ActorId {
        self.target.id()
    }
}
