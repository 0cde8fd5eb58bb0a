//! [`Request`]: one message on its way to one actor, before you decide how
//! to send it.

use std::any::type_name;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::actor::Actor;
use crate::actor_ref::{ActorId, ActorRef};
use crate::cell::Refused;
use crate::error::{Error, TrySendError};
use crate::message::{Envelope, Message};
use crate::util::short_type_name;

/// A message addressed to an actor, not sent yet.
///
/// Returned by [`ActorRef::ask`], [`Context::ask`](crate::Context::ask),
/// [`Runtime::ask`](crate::Runtime::ask) and every method `#[actor]`
/// generates. Nothing is sent until you choose:
///
/// - `.await`: ask, waiting for room and then for the reply;
/// - [`.tell()`](Request::tell): send, waiting only for room;
/// - [`.try_tell()`](Request::try_tell): send now or hand the message back;
/// - [`.try_ask()`](Request::try_ask): ask without waiting for room;
/// - [`.timeout(d)`](Request::timeout): bound the wait of any of the above.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Counter {
///     count: i64,
/// }
///
/// #[actor]
/// impl Counter {
///     #[message]
///     pub fn increment(&mut self, by: i64) {
///         self.count += by;
///     }
///
///     #[message]
///     pub fn get(&self) -> i64 {
///         self.count
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let counter = runtime.spawn(Counter::default());
/// counter.increment(1).tell().await?;
/// counter.increment(1).try_tell()?;
/// let n: i64 = counter.get().timeout(Duration::from_secs(1)).await?;
/// assert_eq!(n, 2);
/// # Ok(())
/// # }
/// ```
#[must_use = "a request does nothing until it is awaited or sent with `tell`/`try_tell`/`try_ask`"]
pub struct Request<'a, A: Actor, M> {
    target: &'a ActorRef<A>,
    msg: M,
    sender: Option<ActorId>,
    timeout: Option<Duration>,
}

impl<'a, A: Actor, M: Message<A>> Request<'a, A, M> {
    pub(crate) fn new(target: &'a ActorRef<A>, msg: M, sender: Option<ActorId>) -> Self {
        Request { target, msg, sender, timeout: None }
    }

    /// Bounds the whole request (waiting for room, and for an ask the
    /// reply) by `duration`; past it the request fails with
    /// [`is_timeout`](Error::is_timeout). A message already delivered when
    /// the time runs out is still handled; its reply is discarded.
    pub fn timeout(mut self, duration: Duration) -> Self {
        self.timeout = Some(duration);
        self
    }

    /// Sends the message without waiting for it to be handled. Waits only
    /// for room in a bounded mailbox; on an unbounded one it never waits.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits for room drops the message unsent.
    pub fn tell(self) -> impl Future<Output = Result<(), Error>> + Send + 'a {
        let Request { target, msg, sender, timeout } = self;
        async move {
            // The common case, an unbounded mailbox or one with room, takes
            // no future beyond this block.
            let env = match target.cell().try_send(Envelope::new(msg, None, sender)) {
                Ok(()) => return Ok(()),
                Err(Refused::Stopped(_)) => return Err(stopped::<A, M>(target)),
                Err(Refused::Full(env)) => env,
            };
            Box::pin(wait_for_room::<A, M>(target, env, timeout)).await
        }
    }

    /// Sends the message if the mailbox has room now. Never waits: a full
    /// mailbox ([`is_full`](TrySendError::is_full)) or a stopped actor
    /// ([`is_stopped`](TrySendError::is_stopped)) hands the message back in
    /// the error.
    pub fn try_tell(self) -> Result<(), TrySendError<M>> {
        let Request { target, msg, sender, .. } = self;
        target.cell().try_send(Envelope::new(msg, None, sender)).map_err(|r| r.into_try_error(&target.cell().ctl))
    }

    /// Asks without waiting for room: a full mailbox is an immediate
    /// [`is_full`](TrySendError::is_full) error that hands the message back.
    /// Once the message is delivered, waits for the reply (bounded by
    /// [`timeout`](Request::timeout) if set).
    pub async fn try_ask(self) -> Result<M::Reply, TrySendError<M>> {
        let Request { target, msg, sender, timeout } = self;
        let (tx, rx) = oneshot::channel();
        target
            .cell()
            .try_send(Envelope::new(msg, Some(tx), sender))
            .map_err(|r| r.into_try_error(&target.cell().ctl))?;
        let reply = Reply::<A, M> { target, rx };
        let result = match timeout {
            None => reply.await,
            Some(d) => tokio::time::timeout(d, reply).await.unwrap_or_else(|_| Err(timed_out::<A, M>(target))),
        };
        result.map_err(TrySendError::from)
    }
}

impl<'a, A: Actor, M: Message<A>> IntoFuture for Request<'a, A, M> {
    type Output = Result<M::Reply, Error>;
    type IntoFuture = Ask<'a, A, M>;

    /// Asks: waits for room, then for the reply.
    fn into_future(self) -> Self::IntoFuture {
        let deadline = self.timeout.map(|d| Box::pin(tokio::time::sleep(d)));
        Ask { target: self.target, state: AskState::Start(Some(self)), deadline }
    }
}

impl<A: Actor, M> fmt::Debug for Request<'_, A, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("target", self.target)
            .field("message", &short_type_name(type_name::<M>()))
            .field("sender", &self.sender)
            .field("timeout", &self.timeout)
            .finish()
    }
}

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
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

// No field is structurally pinned: the message is only moved out, and the
// futures polled in place are boxed.
impl<A: Actor, M: Message<A>> Unpin for Ask<'_, A, M> {}

enum AskState<'a, A: Actor, M: Message<A>> {
    Start(Option<Request<'a, A, M>>),
    /// The mailbox was full: waiting for room.
    Sending(Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>, Option<Reply<'a, A, M>>),
    Waiting(Reply<'a, A, M>),
    Done,
}

impl<A: Actor, M: Message<A>> Future for Ask<'_, A, M> {
    type Output = Result<M::Reply, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(deadline) = this.deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            this.state = AskState::Done;
            return Poll::Ready(Err(timed_out::<A, M>(this.target)));
        }
        loop {
            match &mut this.state {
                AskState::Start(request) => {
                    let Some(Request { target, msg, sender, .. }) = request.take() else {
                        unreachable!("Ask::Start always holds its request")
                    };
                    let (tx, rx) = oneshot::channel();
                    let reply = Reply { target, rx };
                    match target.cell().try_send(Envelope::new(msg, Some(tx), sender)) {
                        Ok(()) => this.state = AskState::Waiting(reply),
                        Err(Refused::Stopped(_)) => {
                            this.state = AskState::Done;
                            return Poll::Ready(Err(stopped::<A, M>(target)));
                        }
                        Err(Refused::Full(env)) => {
                            let send = async move {
                                target.cell().send_waiting(env).await.map_err(|_| stopped::<A, M>(target))
                            };
                            this.state = AskState::Sending(Box::pin(send), Some(reply));
                        }
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
struct Reply<'a, A: Actor, M: Message<A>> {
    target: &'a ActorRef<A>,
    rx: oneshot::Receiver<Result<M::Reply, Error>>,
}

impl<A: Actor, M: Message<A>> Future for Reply<'_, A, M> {
    type Output = Result<M::Reply, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let target = self.target;
        Poll::Ready(match ready!(Pin::new(&mut self.rx).poll(cx)) {
            Ok(result) => result,
            // The reply slot was dropped unanswered: the actor stopped.
            Err(_) => Err(stopped::<A, M>(target)),
        })
    }
}

/// A tell's slow path: waits for room in a full mailbox (within `timeout`).
async fn wait_for_room<A: Actor, M>(
    target: &ActorRef<A>,
    env: Envelope<A>,
    timeout: Option<Duration>,
) -> Result<(), Error> {
    let send = async { target.cell().send_waiting(env).await.map_err(|_| stopped::<A, M>(target)) };
    match timeout {
        None => send.await,
        Some(d) => tokio::time::timeout(d, send).await.unwrap_or_else(|_| Err(timed_out::<A, M>(target))),
    }
}

fn stopped<A: Actor, M>(target: &ActorRef<A>) -> Error {
    Error::stopped(target.id(), type_name::<A>(), type_name::<M>())
}

fn timed_out<A: Actor, M>(target: &ActorRef<A>) -> Error {
    Error::timeout(target.id(), type_name::<A>(), type_name::<M>())
}
