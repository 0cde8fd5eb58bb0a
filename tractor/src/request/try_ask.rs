//! [`TryAsk`]: the future of an ask that does not wait for room.

use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use tokio::sync::oneshot;

use super::ask::{Reply, asks_itself};
use super::{Deadline, Request};
use crate::actor::Actor;
use crate::error::{TryAskError, TrySendError};
use crate::message::Message;
use crate::util::short_type_name;

/// The future of a [`try_ask`](Request::try_ask): also returned by
/// [`ActorRef::try_ask`](crate::ActorRef::try_ask) and
/// [`Runtime::try_ask`](crate::Runtime::try_ask).
///
/// Resolves to the reply, or to a [`TryAskError`]: refused at the mailbox
/// (full, stopped, or an actor asking itself), the message handed back; or
/// delivered and then not answered (stopped, panicked, timed out).
///
/// # Cancel safety
///
/// Nothing is sent before the first poll. Dropping the future after the
/// message was delivered does not take it back: it is still handled and the
/// reply is discarded.
#[must_use = "futures do nothing unless polled"]
pub struct TryAsk<'a, A: Actor, M, R = <M as Message<A>>::Reply> {
    state: TryAskState<'a, A, M, R>,
}

// No field is structurally pinned: the message is only moved out.
impl<A: Actor, M, R> Unpin for TryAsk<'_, A, M, R> {}

enum TryAskState<'a, A: Actor, M, R> {
    Start(Option<Request<'a, A, M, R>>),
    /// Delivered: waiting for the reply, until the deadline.
    Waiting(Reply<'a, A, M, R>, Deadline),
    Done,
}

impl<'a, A: Actor, M, R> TryAsk<'a, A, M, R> {
    pub(super) fn new(request: Request<'a, A, M, R>) -> Self {
        TryAsk { state: TryAskState::Start(Some(request)) }
    }
}

impl<A: Actor, M: Send + 'static, R: Send + 'static> Future for TryAsk<'_, A, M, R> {
    type Output = Result<R, TryAskError<M>>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let TryAskState::Start(request) = &mut this.state {
            let Some(Request { target, msg, sender, timeout, pack }) = request.take() else {
                unreachable!("TryAsk::Start always holds its request")
            };
            this.state = TryAskState::Done;
            if asks_itself(sender, target.id()) {
                return Poll::Ready(Err(TrySendError::new(target.cell().deadlock::<M>(), msg).into()));
            }
            let (tx, rx) = oneshot::channel();
            if let Err(refused) = target.cell().try_send_message::<M, R>(pack(msg, Some(tx), sender)) {
                return Poll::Ready(Err(refused.into()));
            }
            this.state = TryAskState::Waiting(Reply::new(target, rx), Deadline::after(timeout));
        }
        match &mut this.state {
            TryAskState::Waiting(reply, deadline) => {
                // The reply first, as `tokio::time::timeout` does.
                let out = match Pin::new(&mut *reply).poll(cx) {
                    Poll::Ready(out) => out.map_err(TryAskError::from),
                    Poll::Pending if deadline.poll_expired(cx) => {
                        Err(TryAskError::from(reply.target().cell().timed_out::<M>()))
                    }
                    Poll::Pending => return Poll::Pending,
                };
                this.state = TryAskState::Done;
                Poll::Ready(out)
            }
            TryAskState::Start(_) => unreachable!("TryAsk leaves Start on its first poll"),
            TryAskState::Done => panic!("`TryAsk` polled after completion"),
        }
    }
}

impl<A: Actor, M, R> fmt::Debug for TryAsk<'_, A, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            TryAskState::Start(_) => "start",
            TryAskState::Waiting(..) => "waiting for the reply",
            TryAskState::Done => "done",
        };
        f.debug_struct("TryAsk").field("message", &short_type_name(type_name::<M>())).field("state", &state).finish()
    }
}
