//! [`Request`]: one message on its way to one actor, before you decide how
//! to send it.

mod ask;
mod deadline;

use std::any::type_name;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::time::Duration;

use tokio::sync::oneshot;

pub use self::ask::Ask;
use self::ask::Reply;
pub(crate) use self::deadline::Deadline;
use crate::actor::Actor;
use crate::error::{Error, TryAskError, TrySendError};
use crate::handle::cell::{self, Sending};
use crate::handle::{ActorId, ActorRef};
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
            let cell = target.cell();
            match cell::send(cell, Envelope::new(msg, None, sender), |_| cell.stopped::<M>()) {
                Sending::Sent => Ok(()),
                Sending::Stopped(e) => Err(e),
                Sending::Waiting(room) => Deadline::after(timeout).bound(room, || cell.timed_out::<M>()).await,
            }
        }
    }

    /// Sends the message if the mailbox has room now. Never waits: a full
    /// mailbox ([`is_full`](TrySendError::is_full)) or a stopped actor
    /// ([`is_stopped`](TrySendError::is_stopped)) hands the message back in
    /// the error.
    pub fn try_tell(self) -> Result<(), TrySendError<M>> {
        let Request { target, msg, sender, .. } = self;
        target.cell().try_send_message::<M, M::Reply>(Envelope::new(msg, None, sender))
    }

    /// Asks without waiting for room: a full mailbox is an immediate
    /// [`is_full`](TryAskError::is_full) error that hands the message back.
    /// Once the message is delivered, waits for the reply (bounded by
    /// [`timeout`](Request::timeout) if set).
    ///
    /// An actor that asks itself fails at once with
    /// [`is_deadlock`](TryAskError::is_deadlock), the message handed back.
    pub async fn try_ask(self) -> Result<M::Reply, TryAskError<M>> {
        let Request { target, msg, sender, timeout } = self;
        if ask::asks_itself(sender, target.id()) {
            return Err(TrySendError::new(target.cell().deadlock::<M>(), msg).into());
        }
        let (tx, rx) = oneshot::channel();
        target.cell().try_send_message::<M, M::Reply>(Envelope::new(msg, Some(tx), sender))?;
        let reply = Reply::<A, M>::new(target, rx);
        Deadline::after(timeout).bound(reply, || target.cell().timed_out::<M>()).await.map_err(TryAskError::from)
    }
}

impl<'a, A: Actor, M: Message<A>> IntoFuture for Request<'a, A, M> {
    type Output = Result<M::Reply, Error>;
    type IntoFuture = Ask<'a, A, M>;

    /// Asks: waits for room, then for the reply.
    fn into_future(self) -> Self::IntoFuture {
        Ask::new(self)
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
