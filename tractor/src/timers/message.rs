//! The two messages timers and streams put in the mailbox. Each checks, when
//! the actor takes it, that its timer or stream is still live (not
//! cancelled, and started in the actor's current incarnation), and only then
//! hands the user's message to its handler, the way a tell would.

use std::any::{Any, type_name};
use std::fmt;
use std::sync::Arc;

use super::source::{Due, Live};
use crate::actor::{Actor, Context};
use crate::message::{Message, Now, Outcome};
use crate::util::short_type_name;

/// `true` if a tick or item of the entry started in `incarnation`, whose
/// cancel flag is `cancelled`, may still be handled.
fn live<A: Actor>(ctx: &mut Context<A>, incarnation: u64, cancelled: bool) -> bool {
    !cancelled && ctx.children().timers_if_any().is_some_and(|t| t.incarnation() == incarnation)
}

/// A timer's tick. The message is not in it but in the timer (made by a
/// `tell_every`'s closure, or the one of a `tell_after`) until the actor
/// takes the tick: a cancel drops it, and a cancelled tick has nothing to
/// handle.
pub(crate) struct TimerTick<M> {
    timer: Arc<dyn Due<M>>,
    /// The message, once taken, while an asynchronous handler runs.
    msg: Option<M>,
}

impl<M> TimerTick<M> {
    pub(crate) fn new(timer: Arc<dyn Due<M>>) -> Self {
        TimerTick { timer, msg: None }
    }
}

impl<M: Send + 'static> TimerTick<M> {
    /// The message to handle, if the tick is live.
    fn open<A: Actor>(&mut self, ctx: &mut Context<A>) -> Option<M> {
        if let Some(msg) = self.msg.take() {
            return Some(msg);
        }
        if !live(ctx, self.timer.incarnation(), self.timer.is_cancelled()) {
            return None;
        }
        self.timer.take()
    }
}

impl<A: Actor, M: Message<A>> Message<A> for TimerTick<M> {
    type Reply = ();

    async fn handle(mut self, actor: &mut A, ctx: &mut Context<A>) {
        if let Some(msg) = self.open(ctx) {
            msg.handle(actor, ctx).await;
        }
    }

    // The runtime's way in: a synchronous handler is done on the spot, a
    // forward under a tick is a plain tell, as for any tell.
    fn __handle_now(mut self, actor: &mut A, ctx: &mut Context<A>) -> Now<Self, ()> {
        let Some(msg) = self.open(ctx) else { return Now::Reply(()) };
        match msg.__handle_now(actor, ctx) {
            Now::Reply(_) => Now::Reply(()),
            Now::Forward(fwd) => Now::Forward(fwd.__map(drop)),
            Now::Later(msg) => Now::Later(TimerTick { timer: self.timer, msg: Some(msg) }),
        }
    }

    async fn __handle_later(mut self, actor: &mut A, ctx: &mut Context<A>) -> Outcome<()> {
        let Some(msg) = self.open(ctx) else { return Outcome::Reply(()) };
        match msg.__handle_later(actor, ctx).await {
            Outcome::Reply(_) => Outcome::Reply(()),
            Outcome::Forward(fwd) => Outcome::Forward(fwd.__map(drop)),
        }
    }
}

impl<M> fmt::Debug for TimerTick<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerTick").field("message", &short_type_name(type_name::<M>())).finish()
    }
}

/// An item of an attached stream, or the panic that ended it.
pub(crate) struct StreamItem<M> {
    stream: Arc<dyn Live>,
    item: Result<M, Box<dyn Any + Send>>,
}

impl<M> StreamItem<M> {
    pub(crate) fn new(stream: Arc<dyn Live>, item: Result<M, Box<dyn Any + Send>>) -> Self {
        StreamItem { stream, item }
    }
}

impl<M: Send + 'static> StreamItem<M> {
    /// The item to handle, if the stream is live. A panic of the stream is
    /// resumed here, on the actor: `on_panic` decides, as for a panic in
    /// `step` polling the stream itself.
    fn open<A: Actor>(self, ctx: &mut Context<A>) -> Option<(Arc<dyn Live>, M)> {
        if !live(ctx, self.stream.incarnation(), self.stream.is_cancelled()) {
            return None;
        }
        match self.item {
            Ok(item) => Some((self.stream, item)),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }
}

impl<A: Actor, M: Message<A>> Message<A> for StreamItem<M> {
    type Reply = ();

    async fn handle(self, actor: &mut A, ctx: &mut Context<A>) {
        if let Some((_, item)) = self.open(ctx) {
            item.handle(actor, ctx).await;
        }
    }

    fn __handle_now(self, actor: &mut A, ctx: &mut Context<A>) -> Now<Self, ()> {
        let Some((stream, item)) = self.open(ctx) else { return Now::Reply(()) };
        match item.__handle_now(actor, ctx) {
            Now::Reply(_) => Now::Reply(()),
            Now::Forward(fwd) => Now::Forward(fwd.__map(drop)),
            // Checked again when it runs, in this same handling.
            Now::Later(item) => Now::Later(StreamItem { stream, item: Ok(item) }),
        }
    }

    async fn __handle_later(self, actor: &mut A, ctx: &mut Context<A>) -> Outcome<()> {
        let Some((_, item)) = self.open(ctx) else { return Outcome::Reply(()) };
        match item.__handle_later(actor, ctx).await {
            Outcome::Reply(_) => Outcome::Reply(()),
            Outcome::Forward(fwd) => Outcome::Forward(fwd.__map(drop)),
        }
    }
}

impl<M> fmt::Debug for StreamItem<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamItem").field("item", &short_type_name(type_name::<M>())).finish()
    }
}
