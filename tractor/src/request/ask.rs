//! [`Ask`]: the future of an awaited [`Request`].

use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};

use tokio::sync::oneshot;

use super::{Deadline, Request};
use crate::actor::Actor;
use crate::error::Error;
use crate::handle::cell::{self, Sending, Waiting};
use crate::handle::{ActorId, ActorRef};
use crate::message::Message;
use crate::runtime::current_actor;
use crate::util::short_type_name;

/// The future of an awaited [`Request`]: an ask.
///
/// Resolves to the reply, or to an [`Error`]: [`is_stopped`](Error::is_stopped)
/// if the actor stopped before answering, [`is_panicked`](Error::is_panicked)
/// if the handler panicked, [`is_timeout`](Error::is_timeout) if a timeout was
/// set and ran out.
///
/// # Cancel safety
///
/// Nothing is sent before the first poll. Dropping the future after the
/// message was delivered does not take it back: it is still handled and the
/// reply is discarded.
#[must_use = "futures do nothing unless polled"]
pub struct Ask<'a, A: Actor, M, R = <M as Message<A>>::Reply> {
    target: &'a ActorRef<A>,
    // Three flat options rather than one state enum (start, then maybe
    // waiting for room, then waiting for the reply): the drop glue of a
    // finished ask stays trivial.
    start: Option<Request<'a, A, M, R>>,
    /// The mailbox was full: waiting for room.
    sending: Option<Waiting<'a, Error>>,
    reply: Option<Reply<'a, A, M, R>>,
    deadline: Deadline,
}

// No field is structurally pinned: the message is only moved out, and the
// futures polled in place are boxed.
impl<A: Actor, M, R> Unpin for Ask<'_, A, M, R> {}

impl<'a, A: Actor, M, R> Ask<'a, A, M, R> {
    pub(super) fn new(request: Request<'a, A, M, R>) -> Self {
        Ask {
            target: request.target,
            deadline: Deadline::after(request.timeout),
            start: Some(request),
            sending: None,
            reply: None,
        }
    }

    fn finish(&mut self) {
        self.start = None;
        self.sending = None;
        self.reply = None;
    }
}

impl<A: Actor, M: Send + 'static, R: Send + 'static> Future for Ask<'_, A, M, R> {
    type Output = Result<R, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // The work first, as `tokio::time::timeout` (and `Tell`) do: a reply
        // ready in the same poll as the deadline is not thrown away.
        match this.poll_work(cx) {
            Poll::Ready(out) => Poll::Ready(out),
            Poll::Pending if this.deadline.poll_expired(cx) => {
                this.finish();
                Poll::Ready(Err(this.target.cell().timed_out::<M>()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<A: Actor, M: Send + 'static, R: Send + 'static> Ask<'_, A, M, R> {
    fn poll_work(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<R, Error>> {
        let this = self;
        if let Some(Request { target, msg, sender, pack, .. }) = this.start.take() {
            // It would wait for a reply that only it can give.
            if asks_itself(sender, target.id()) {
                return Poll::Ready(Err(target.cell().deadlock::<M>()));
            }
            let (tx, rx) = oneshot::channel();
            let cell = target.cell();
            match cell::send(cell, pack(msg, Some(tx), sender), |why| cell.undelivered::<M>(&why)) {
                Sending::Sent => {}
                Sending::Refused(e) => return Poll::Ready(Err(e)),
                Sending::Waiting(room) => this.sending = Some(room),
            }
            this.reply = Some(Reply::new(target, rx));
        }
        if let Some(send) = &mut this.sending {
            let sent = ready!(send.as_mut().poll(cx));
            this.sending = None;
            if let Err(e) = sent {
                this.finish();
                return Poll::Ready(Err(e));
            }
        }
        let Some(reply) = &mut this.reply else { panic!("`Ask` polled after completion") };
        let out = ready!(Pin::new(reply).poll(cx));
        this.reply = None;
        Poll::Ready(out)
    }
}

impl<A: Actor, M, R> fmt::Debug for Ask<'_, A, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match (&self.start, &self.sending, &self.reply) {
            (Some(_), _, _) => "start",
            (None, Some(_), _) => "waiting for room",
            (None, None, Some(_)) => "waiting for the reply",
            (None, None, None) => "done",
        };
        f.debug_struct("Ask").field("message", &short_type_name(type_name::<M>())).field("state", &state).finish()
    }
}

/// Waits for the reply of a delivered ask.
pub(super) struct Reply<'a, A: Actor, M, R> {
    target: &'a ActorRef<A>,
    rx: oneshot::Receiver<Result<R, Error>>,
    _message: PhantomData<fn(M)>,
}

impl<'a, A: Actor, M, R> Reply<'a, A, M, R> {
    pub(super) fn new(target: &'a ActorRef<A>, rx: oneshot::Receiver<Result<R, Error>>) -> Self {
        Reply { target, rx, _message: PhantomData }
    }

    pub(super) fn target(&self) -> &'a ActorRef<A> {
        self.target
    }
}

impl<A: Actor, M, R> Future for Reply<'_, A, M, R> {
    type Output = Result<R, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let target = self.target;
        Poll::Ready(match ready!(Pin::new(&mut self.rx).poll(cx)) {
            Ok(result) => result,
            // The reply slot was dropped unanswered: the actor stopped.
            Err(_) => Err(target.cell().stopped::<M>()),
        })
    }
}

/// An ask from `sender` (or, sent without one, from the actor whose code this
/// thread runs) to `target` that can only be answered by the asker itself.
pub(super) fn asks_itself(sender: Option<ActorId>, target: ActorId) -> bool {
    match sender {
        Some(sender) => sender == target,
        None => current_actor() == Some(target),
    }
}
