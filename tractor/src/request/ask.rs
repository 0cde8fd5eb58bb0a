//! [`Ask`]: the future of an awaited [`Request`].

use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};

use tokio::sync::oneshot;

use super::{Deadline, Request};
use crate::actor::Actor;
use crate::error::Error;
use crate::handle::cell::{self, Sending, Waiting};
use crate::handle::{ActorId, ActorRef};
use crate::message::{Envelope, Message};
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
pub struct Ask<'a, A: Actor, M: Message<A>> {
    target: &'a ActorRef<A>,
    state: AskState<'a, A, M>,
    deadline: Deadline,
}

// No field is structurally pinned: the message is only moved out, and the
// futures polled in place are boxed.
impl<A: Actor, M: Message<A>> Unpin for Ask<'_, A, M> {}

enum AskState<'a, A: Actor, M: Message<A>> {
    Start(Option<Request<'a, A, M>>),
    /// The mailbox was full: waiting for room.
    Sending(Waiting<'a, Error>, Option<Reply<'a, A, M>>),
    Waiting(Reply<'a, A, M>),
    Done,
}

impl<'a, A: Actor, M: Message<A>> Ask<'a, A, M> {
    pub(super) fn new(request: Request<'a, A, M>) -> Self {
        Ask {
            target: request.target,
            deadline: Deadline::after(request.timeout),
            state: AskState::Start(Some(request)),
        }
    }
}

impl<A: Actor, M: Message<A>> Future for Ask<'_, A, M> {
    type Output = Result<M::Reply, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.deadline.poll_expired(cx) {
            this.state = AskState::Done;
            return Poll::Ready(Err(this.target.cell().timed_out::<M>()));
        }
        loop {
            match &mut this.state {
                AskState::Start(request) => {
                    let Some(Request { target, msg, sender, .. }) = request.take() else {
                        unreachable!("Ask::Start always holds its request")
                    };
                    // It would wait for a reply that only it can give.
                    if asks_itself(sender, target.id()) {
                        this.state = AskState::Done;
                        return Poll::Ready(Err(target.cell().deadlock::<M>()));
                    }
                    let (tx, rx) = oneshot::channel();
                    let reply = Reply::new(target, rx);
                    let cell = target.cell();
                    match cell::send(cell, Envelope::new(msg, Some(tx), sender), |_| cell.stopped::<M>()) {
                        Sending::Sent => this.state = AskState::Waiting(reply),
                        Sending::Stopped(e) => {
                            this.state = AskState::Done;
                            return Poll::Ready(Err(e));
                        }
                        Sending::Waiting(room) => this.state = AskState::Sending(room, Some(reply)),
                    }
                }
                AskState::Sending(send, reply) => {
                    let sent = ready!(send.as_mut().poll(cx));
                    let reply = reply.take();
                    match (sent, reply) {
                        (Ok(()), Some(reply)) => this.state = AskState::Waiting(reply),
                        (Err(e), _) => {
                            this.state = AskState::Done;
                            return Poll::Ready(Err(e));
                        }
                        (Ok(()), None) => unreachable!("Ask::Sending always holds its reply"),
                    }
                }
                AskState::Waiting(reply) => {
                    let out = ready!(Pin::new(reply).poll(cx));
                    this.state = AskState::Done;
                    return Poll::Ready(out);
                }
                AskState::Done => panic!("`Ask` polled after completion"),
            }
        }
    }
}

impl<A: Actor, M: Message<A>> fmt::Debug for Ask<'_, A, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            AskState::Start(_) => "start",
            AskState::Sending(..) => "waiting for room",
            AskState::Waiting(_) => "waiting for the reply",
            AskState::Done => "done",
        };
        f.debug_struct("Ask").field("message", &short_type_name(type_name::<M>())).field("state", &state).finish()
    }
}

/// Waits for the reply of a delivered ask.
pub(super) struct Reply<'a, A: Actor, M: Message<A>> {
    target: &'a ActorRef<A>,
    rx: oneshot::Receiver<Result<M::Reply, Error>>,
}

impl<'a, A: Actor, M: Message<A>> Reply<'a, A, M> {
    pub(super) fn new(target: &'a ActorRef<A>, rx: oneshot::Receiver<Result<M::Reply, Error>>) -> Self {
        Reply { target, rx }
    }
}

impl<A: Actor, M: Message<A>> Future for Reply<'_, A, M> {
    type Output = Result<M::Reply, Error>;

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
