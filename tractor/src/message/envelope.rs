//! [`Envelope`]: one message in a mailbox, type-erased, with its reply slot.
//!
//! A mailbox holds `Envelope<A>`, one `Box<dyn Handle<A>>` per message: the
//! message, its reply slot (a tokio oneshot sender, for asks) and the
//! sender's id live in that one allocation. Handling goes through two hidden
//! provided methods of [`Message`], so a synchronous handler (what `#[actor]`
//! generates for a plain `fn`) replies on the spot without boxing a future:
//! a `tell` costs exactly one allocation, an `ask` one more for the oneshot.
//! Only handlers that really await box their future.

use std::any::{Any, type_name};
use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;

use tokio::sync::oneshot;
use tracing::{Instrument, Span};

use super::forward::Slot;
use super::{BoxFuture, Message, Now, Outcome, ReplyTx};
use crate::actor::{Actor, Context};
use crate::error::Error;
use crate::handle::ActorId;
use crate::mailbox::Letter;
use crate::util::short_type_name;

/// One message in an actor's mailbox, type-erased, with its reply slot.
///
/// [`Context::recv`] yields envelopes inside [`Step::Message`](crate::Step);
/// the runtime handles them. Dropping an envelope answers its asker with an
/// [`is_stopped`](Error::is_stopped) error.
pub struct Envelope<A: Actor> {
    inner: Box<dyn Handle<A>>,
}

impl<A: Actor> Envelope<A> {
    #[inline]
    pub(crate) fn new<M: Message<A>>(msg: M, reply: Option<ReplyTx<M::Reply>>, sender: Option<ActorId>) -> Self {
        Envelope { inner: Box::new(Packet { msg, reply, sender }) }
    }

    /// An envelope whose reply goes to `slot` (a forward's mapped slot).
    pub(crate) fn with_slot<M: Message<A>>(msg: M, slot: Slot<M::Reply>, sender: Option<ActorId>) -> Self {
        Envelope { inner: Box::new(Packet { msg, reply: Some(slot), sender }) }
    }

    /// The type name of the message inside.
    pub fn message_type(&self) -> &'static str {
        self.inner.message_type()
    }

    /// [`message_type`](Envelope::message_type), as a fn (8 bytes to keep
    /// while the message is handled, where the name takes 16), and the
    /// [`sender`](Envelope::sender): what the actor loop reads before it
    /// handles the message, in one call.
    pub(crate) fn header(&self) -> (fn() -> &'static str, Option<ActorId>) {
        self.inner.header()
    }

    /// The id of the actor that sent it with `ctx.tell`/`ctx.ask`/`ctx.forward`,
    /// `None` when sent from outside any actor.
    pub fn sender(&self) -> Option<ActorId> {
        self.inner.sender()
    }

    /// Handles the message inside `span`. A synchronous handler is done on
    /// return; an asynchronous one comes back as a future (instrumented with
    /// `span`) for the caller to poll.
    pub(crate) fn handle<'a>(self, actor: &'a mut A, ctx: &'a mut Context<A>, span: Span) -> Option<BoxFuture<'a>> {
        self.inner.handle(actor, ctx, span)
    }

    /// Answer the asker (if any) with `error` instead of handling.
    pub(crate) fn fail(self, error: Error) {
        self.inner.fail(error)
    }

    /// Take the message back out (refused sends hand it back): `M` of an
    /// envelope made by [`Envelope::new`] for a reply `R`.
    pub(crate) fn into_message<M: 'static, R: 'static>(self) -> Option<M> {
        self.inner.into_any().downcast::<Packet<M, ReplyTx<R>>>().ok().map(|p| p.msg)
    }
}

impl<A: Actor> fmt::Debug for Envelope<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("message", &short_type_name(self.message_type()))
            .field("sender", &self.sender())
            .finish()
    }
}

trait Handle<A: Actor>: Send + 'static {
    fn message_type(&self) -> &'static str;
    fn header(&self) -> (fn() -> &'static str, Option<ActorId>);
    fn sender(&self) -> Option<ActorId>;
    fn handle<'a>(self: Box<Self>, actor: &'a mut A, ctx: &'a mut Context<A>, span: Span) -> Option<BoxFuture<'a>>;
    fn fail(self: Box<Self>, error: Error);
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// `T`: where the reply goes, a [`Sink`] (`ReplyTx`, or a forward's `Slot`).
struct Packet<M, T> {
    msg: M,
    reply: Option<T>,
    sender: Option<ActorId>,
}

/// Where a handled message's reply goes.
trait Sink<R>: Send + 'static {
    fn send(self, reply: Result<R, Error>);
    fn into_slot(self) -> Slot<R>;
}

impl<R: Send + 'static> Sink<R> for ReplyTx<R> {
    #[inline]
    fn send(self, reply: Result<R, Error>) {
        let _ = oneshot::Sender::send(self, reply);
    }

    fn into_slot(self) -> Slot<R> {
        Slot::Tx(self)
    }
}

impl<R: Send + 'static> Sink<R> for Slot<R> {
    fn send(self, reply: Result<R, Error>) {
        Slot::send(self, reply);
    }

    fn into_slot(self) -> Slot<R> {
        self
    }
}

impl<A: Actor, M: Message<A>, T: Sink<M::Reply>> Handle<A> for Packet<M, T> {
    fn message_type(&self) -> &'static str {
        type_name::<M>()
    }

    fn header(&self) -> (fn() -> &'static str, Option<ActorId>) {
        (type_name::<M>, self.sender)
    }

    fn sender(&self) -> Option<ActorId> {
        self.sender
    }

    fn handle<'a>(self: Box<Self>, actor: &'a mut A, ctx: &'a mut Context<A>, span: Span) -> Option<BoxFuture<'a>> {
        let Packet { msg, reply, .. } = *self;
        let id = ctx.id();
        let reply = ReplyGuard {
            tx: reply,
            actor: id,
            actor_type: type_name::<A>(),
            message_type: type_name::<M>(),
            _reply: PhantomData,
        };
        let now = {
            let _entered = span.enter();
            msg.__handle_now(actor, ctx)
        };
        match now {
            Now::Reply(r) => {
                reply.send(r);
                None
            }
            // Rare: the forward's target mailbox is full, so delivering it waits.
            Now::Forward(fwd) => fwd.deliver(reply.into_inner(), Some(id)).map(|room| {
                Box::pin(
                    async move {
                        let _ = room.await;
                    }
                    .instrument(span),
                ) as BoxFuture<'a>
            }),
            // One allocation holds the handler's future and its span.
            Now::Later(msg) => Some(Box::pin(
                async move {
                    // A `Forward` is not `Send`: it is gone before any await.
                    let room = match msg.__handle_later(actor, ctx).await {
                        Outcome::Reply(r) => {
                            reply.send(r);
                            None
                        }
                        Outcome::Forward(fwd) => fwd.deliver(reply.into_inner(), Some(id)),
                    };
                    if let Some(room) = room {
                        let _ = room.await;
                    }
                }
                .instrument(span),
            )),
        }
    }

    fn fail(self: Box<Self>, error: Error) {
        if let Some(tx) = self.reply {
            tx.send(Err(error));
        }
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Holds an asker's reply slot while its message is handled. If the handler
/// panics, the unwinding drop answers the asker with `is_panicked`; any other
/// drop (a kill, a discarded mailbox) closes the slot, which the asker reads
/// as `is_stopped`.
struct ReplyGuard<R, T: Sink<R>> {
    tx: Option<T>,
    actor: ActorId,
    actor_type: &'static str,
    message_type: &'static str,
    _reply: PhantomData<fn(R)>,
}

impl<R, T: Sink<R>> ReplyGuard<R, T> {
    fn send(self, reply: R) {
        // Replied: nothing is left for `Drop` (one call less per message).
        let mut this = ManuallyDrop::new(self);
        if let Some(tx) = this.tx.take() {
            tx.send(Ok(reply));
        }
    }

    fn into_inner(mut self) -> Option<Slot<R>> {
        self.tx.take().map(Sink::into_slot)
    }
}

impl<R, T: Sink<R>> Drop for ReplyGuard<R, T> {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take()
            && std::thread::panicking()
        {
            tx.send(Err(Error::panicked(self.actor, self.actor_type, self.message_type)));
        }
    }
}

impl<A: Actor> Letter for Envelope<A> {
    fn describe(&self) -> &'static str {
        self.message_type()
    }
}
