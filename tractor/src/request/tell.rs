//! [`Tell`]: the future of a tell.

use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use super::{Deadline, Pack, Request};
use crate::actor::Actor;
use crate::error::Error;
use crate::handle::cell::{self, Sending, Waiting};
use crate::handle::{ActorId, ActorRef};
use crate::message::Message;
use crate::util::short_type_name;

/// The future of a tell: returned by [`ActorRef::tell`],
/// [`Request::tell`], [`Runtime::tell`](crate::Runtime::tell) and
/// [`Context::tell`](crate::Context::tell).
///
/// Resolves once the message is in the mailbox, not once it is handled: at
/// once when there is room, after waiting for room in a full bounded
/// mailbox. Fails with [`is_stopped`](Error::is_stopped) if the actor is
/// stopped, [`is_timeout`](Error::is_timeout) if a timeout was set and ran
/// out while waiting for room.
///
/// # Cancel safety
///
/// Nothing is sent before the first poll. Dropping the future while it waits
/// for room drops the message unsent.
#[must_use = "futures do nothing unless polled"]
pub struct Tell<'a, A: Actor, M, R = <M as Message<A>>::Reply> {
    target: &'a ActorRef<A>,
    /// The message until the first poll. Two flat options rather than one
    /// state enum: the drop glue of a finished tell stays trivial.
    start: Option<Start<M, R, A>>,
    /// The mailbox was full: waiting for room, until the deadline.
    waiting: Option<(Waiting<'a, Error>, Deadline)>,
}

struct Start<M, R, A: Actor> {
    msg: M,
    sender: Option<ActorId>,
    timeout: Option<Duration>,
    pack: Pack<A, M, R>,
}

// No field is structurally pinned: the message is only moved out, and the
// future polled in place is boxed.
impl<A: Actor, M, R> Unpin for Tell<'_, A, M, R> {}

impl<'a, A: Actor, M, R> Tell<'a, A, M, R> {
    pub(super) fn new(request: Request<'a, A, M, R>) -> Self {
        let Request { target, msg, sender, timeout, pack } = request;
        Tell { target, start: Some(Start { msg, sender, timeout, pack }), waiting: None }
    }
}

impl<A: Actor, M: Send + 'static, R: Send + 'static> Future for Tell<'_, A, M, R> {
    type Output = Result<(), Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(Start { msg, sender, timeout, pack }) = this.start.take() {
            // The common case, an unbounded mailbox or one with room, is
            // done here: no allocation beyond the envelope.
            let cell = this.target.cell();
            match cell::send(cell, pack(msg, None, sender), |why| cell.undelivered::<M>(&why)) {
                Sending::Sent => return Poll::Ready(Ok(())),
                Sending::Refused(e) => return Poll::Ready(Err(e)),
                Sending::Waiting(room) => this.waiting = Some((room, Deadline::after(timeout))),
            }
        }
        let Some((room, deadline)) = &mut this.waiting else { panic!("`Tell` polled after completion") };
        // The send first, as `tokio::time::timeout` does.
        let out = match room.as_mut().poll(cx) {
            Poll::Ready(out) => out,
            Poll::Pending if deadline.poll_expired(cx) => Err(this.target.cell().timed_out::<M>()),
            Poll::Pending => return Poll::Pending,
        };
        this.waiting = None;
        Poll::Ready(out)
    }
}

impl<A: Actor, M, R> fmt::Debug for Tell<'_, A, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match (&self.start, &self.waiting) {
            (Some(_), _) => "start",
            (None, Some(_)) => "waiting for room",
            (None, None) => "done",
        };
        f.debug_struct("Tell").field("message", &short_type_name(type_name::<M>())).field("state", &state).finish()
    }
}
