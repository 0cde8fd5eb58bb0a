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

use tokio::sync::oneshot;
use tracing::{Instrument, Span};

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
    pub(crate) fn new<M: Message<A>>(msg: M, reply: Option<ReplyTx<M::Reply>>, sender: Option<ActorId>) -> Self {
        Envelope { inner: Box::new(Packet { msg, reply, sender, ack: None }) }
    }

    /// Ask to be told when the actor takes this message for handling; the
    /// receiver fails if it is discarded instead. Used by senders that waited
    /// for room, to tell a message drained by a graceful stop (handled) from
    /// one discarded by a dead actor.
    pub(crate) fn acknowledge(&mut self) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.inner.set_ack(tx);
        rx
    }

    /// The type name of the message inside.
    pub fn message_type(&self) -> &'static str {
        self.inner.message_type()
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

    /// Take the message back out (refused sends hand it back).
    pub(crate) fn into_message<M: Message<A>>(self) -> Option<M> {
        self.inner.into_any().downcast::<Packet<M, M::Reply>>().ok().map(|p| p.msg)
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
    fn sender(&self) -> Option<ActorId>;
    fn handle<'a>(self: Box<Self>, actor: &'a mut A, ctx: &'a mut Context<A>, span: Span) -> Option<BoxFuture<'a>>;
    fn fail(self: Box<Self>, error: Error);
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    fn set_ack(&mut self, ack: oneshot::Sender<()>);
}

struct Packet<M, R> {
    msg: M,
    reply: Option<ReplyTx<R>>,
    sender: Option<ActorId>,
    /// Fired when handling starts; only set for sends that waited for room.
    ack: Option<oneshot::Sender<()>>,
}

impl<A: Actor, M: Message<A>> Handle<A> for Packet<M, M::Reply> {
    fn message_type(&self) -> &'static str {
        type_name::<M>()
    }

    fn sender(&self) -> Option<ActorId> {
        self.sender
    }

    fn handle<'a>(self: Box<Self>, actor: &'a mut A, ctx: &'a mut Context<A>, span: Span) -> Option<BoxFuture<'a>> {
        let Packet { msg, reply, ack, .. } = *self;
        if let Some(ack) = ack {
            let _ = ack.send(());
        }
        let id = ctx.id();
        let reply = ReplyGuard { tx: reply, actor: id, actor_type: type_name::<A>(), message_type: type_name::<M>() };
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
                    match msg.__handle_later(actor, ctx).await {
                        Outcome::Reply(r) => reply.send(r),
                        Outcome::Forward(fwd) => {
                            if let Some(room) = fwd.deliver(reply.into_inner(), Some(id)) {
                                let _ = room.await;
                            }
                        }
                    }
                }
                .instrument(span),
            )),
        }
    }

    fn fail(self: Box<Self>, error: Error) {
        if let Some(tx) = self.reply {
            let _ = tx.send(Err(error));
        }
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn set_ack(&mut self, ack: oneshot::Sender<()>) {
        self.ack = Some(ack);
    }
}

/// Holds an asker's reply slot while its message is handled. If the handler
/// panics, the unwinding drop answers the asker with `is_panicked`; any other
/// drop (a kill, a discarded mailbox) closes the slot, which the asker reads
/// as `is_stopped`.
struct ReplyGuard<R> {
    tx: Option<ReplyTx<R>>,
    actor: ActorId,
    actor_type: &'static str,
    message_type: &'static str,
}

impl<R> ReplyGuard<R> {
    fn send(mut self, reply: R) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Ok(reply));
        }
    }

    fn into_inner(mut self) -> Option<ReplyTx<R>> {
        self.tx.take()
    }
}

impl<R> Drop for ReplyGuard<R> {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take()
            && std::thread::panicking()
        {
            let _ = tx.send(Err(Error::panicked(self.actor, self.actor_type, self.message_type)));
        }
    }
}

impl<A: Actor> Letter for Envelope<A> {
    fn acknowledge(&mut self) -> oneshot::Receiver<()> {
        Envelope::acknowledge(self)
    }

    fn describe(&self) -> &'static str {
        self.message_type()
    }
}
