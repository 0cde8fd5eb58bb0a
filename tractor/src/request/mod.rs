//! [`Request`]: one message on its way to one actor, before you decide how
//! to send it.

//!
//! # One mistake, one error
//!
//! A message sent to an actor that does not handle it must be reported once,
//! at the message. So only the functions that build a request or its future
//! (`ActorRef::ask`, `Runtime::tell`, `Context::ask`, ..) require
//! `M: Message<A>`; the types they return ([`Request`], [`Ask`], [`Tell`],
//! [`TryAsk`]) and their `Future`/`IntoFuture` impls do not, or each
//! `.await` would report the mistake again (a projection such as
//! `<M as Message<A>>::Reply` in the return type does not help: rustc does
//! not turn it into its error type). What needs the bound, making the
//! envelope, is picked where the bound holds and carried as a fn pointer
//! ([`Pack`]); the reply type is the parameter `R`, which defaults to
//! `M::Reply`.

mod ask;
mod deadline;
mod tell;
mod try_ask;

use std::any::type_name;
use std::fmt;
use std::future::IntoFuture;
use std::time::Duration;

pub use self::ask::Ask;
pub(crate) use self::deadline::Deadline;
pub use self::tell::Tell;
pub use self::try_ask::TryAsk;
use crate::actor::Actor;
use crate::error::TrySendError;
use crate::handle::{ActorId, ActorRef};
use crate::message::{Envelope, Message, ReplyTx};
use crate::util::short_type_name;

/// Makes the envelope of an `M` whose reply is `R`: `Envelope::new::<M>`,
/// picked where `M: Message<A, Reply = R>` holds.
pub(crate) type Pack<A, M, R> = fn(M, Option<ReplyTx<R>>, Option<ActorId>) -> Envelope<A>;

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
pub struct Request<'a, A: Actor, M, R = <M as Message<A>>::Reply> {
    target: &'a ActorRef<A>,
    msg: M,
    sender: Option<ActorId>,
    timeout: Option<Duration>,
    pack: Pack<A, M, R>,
}

impl<'a, A: Actor, M: Message<A>> Request<'a, A, M> {
    pub(crate) fn new(target: &'a ActorRef<A>, msg: M, sender: Option<ActorId>) -> Self {
        Request { target, msg, sender, timeout: None, pack: Envelope::new::<M> }
    }
}

impl<'a, A: Actor, M: Send + 'static, R: Send + 'static> Request<'a, A, M, R> {
    /// Bounds the whole request (waiting for room, and for an ask the
    /// reply) by `duration`; past it the request fails with
    /// [`is_timeout`](crate::Error::is_timeout). A message already delivered
    /// when the time runs out is still handled; its reply is discarded.
    pub fn timeout(mut self, duration: Duration) -> Self {
        self.timeout = Some(duration);
        self
    }

    /// Sends the message without waiting for it to be handled. Waits only
    /// for room in a bounded mailbox; on an unbounded one it never waits.
    ///
    /// # Cancel safety
    ///
    /// Nothing is sent before the first poll. Dropping the future while it
    /// waits for room drops the message unsent.
    pub fn tell(self) -> Tell<'a, A, M, R> {
        Tell::new(self)
    }

    /// Sends the message if the mailbox has room now. Never waits: a full
    /// mailbox ([`is_full`](TrySendError::is_full)) or a stopped actor
    /// ([`is_stopped`](TrySendError::is_stopped)) hands the message back in
    /// the error.
    pub fn try_tell(self) -> Result<(), TrySendError<M>> {
        let Request { target, msg, sender, pack, .. } = self;
        target.cell().try_send_message::<M, R>(pack(msg, None, sender))
    }

    /// Asks without waiting for room: a full mailbox is an immediate
    /// [`is_full`](crate::TryAskError::is_full) error that hands the message
    /// back. Once the message is delivered, waits for the reply (bounded by
    /// [`timeout`](Request::timeout) if set). Resolves to
    /// `Result<R, TryAskError<M>>`.
    ///
    /// An actor that asks itself fails at once with
    /// [`is_deadlock`](crate::TryAskError::is_deadlock), the message handed
    /// back.
    pub fn try_ask(self) -> TryAsk<'a, A, M, R> {
        TryAsk::new(self)
    }
}

impl<'a, A: Actor, M: Send + 'static, R: Send + 'static> IntoFuture for Request<'a, A, M, R> {
    type Output = Result<R, crate::Error>;
    type IntoFuture = Ask<'a, A, M, R>;

    /// Asks: waits for room, then for the reply.
    fn into_future(self) -> Self::IntoFuture {
        Ask::new(self)
    }
}

impl<A: Actor, M, R> fmt::Debug for Request<'_, A, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("target", self.target)
            .field("message", &short_type_name(type_name::<M>()))
            .field("sender", &self.sender)
            .field("timeout", &self.timeout)
            .finish()
    }
}
