//! The one error type of tractor, and the `try_*` error that hands the message back.

use std::fmt;

use crate::handle::ActorId;
use crate::util::short_type_name;

/// What went wrong with a send, a request or a reply.
///
/// tractor has one error type. Ask it what happened with its predicates
/// ([`is_stopped`](Error::is_stopped), [`is_full`](Error::is_full),
/// [`is_panicked`](Error::is_panicked), [`is_timeout`](Error::is_timeout),
/// [`is_deadlock`](Error::is_deadlock), [`is_name_taken`](Error::is_name_taken),
/// and for remote actors [`is_unreachable`](Error::is_unreachable) and
/// [`is_decode`](Error::is_decode));
/// its `Display` says what happened and to which actor.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Counter;
///
/// struct Ping;
/// impl Message<Counter> for Ping {
///     type Reply = ();
///     async fn handle(self, _: &mut Counter, _: &mut Context<Counter>) {}
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let runtime = Runtime::new();
/// let counter = runtime.spawn(Counter);
/// counter.stop().await.unwrap();
/// let err = counter.ask(Ping).await.unwrap_err();
/// assert!(err.is_stopped());
/// println!("{err}"); // actor Counter#1 is stopped: `Ping` was not delivered
/// # }
/// ```
#[derive(Clone)]
pub struct Error {
    kind: Kind,
    actor: ActorId,
    actor_type: &'static str,
    message_type: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Stopped,
    Full,
    Panicked,
    Timeout,
    Deadlock,
    NameTaken,
    Unreachable,
    Decode,
}

impl Kind {
    /// Every kind, in the order of its wire code (`tractor-remote` carries
    /// an error across nodes as its index here).
    const ALL: [Kind; 8] = [
        Kind::Stopped,
        Kind::Full,
        Kind::Panicked,
        Kind::Timeout,
        Kind::Deadlock,
        Kind::NameTaken,
        Kind::Unreachable,
        Kind::Decode,
    ];

    fn code(self) -> u8 {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u8
    }
}

impl Error {
    fn new(kind: Kind, actor: ActorId, actor_type: &'static str, message_type: Option<&'static str>) -> Self {
        Error { kind, actor, actor_type, message_type }
    }

    pub(crate) fn stopped(actor: ActorId, actor_type: &'static str, message_type: &'static str) -> Self {
        Self::new(Kind::Stopped, actor, actor_type, Some(message_type))
    }

    pub(crate) fn full(actor: ActorId, actor_type: &'static str, message_type: &'static str) -> Self {
        Self::new(Kind::Full, actor, actor_type, Some(message_type))
    }

    pub(crate) fn panicked(actor: ActorId, actor_type: &'static str, message_type: &'static str) -> Self {
        Self::new(Kind::Panicked, actor, actor_type, Some(message_type))
    }

    pub(crate) fn timeout(actor: ActorId, actor_type: &'static str, message_type: &'static str) -> Self {
        Self::new(Kind::Timeout, actor, actor_type, Some(message_type))
    }

    pub(crate) fn deadlock(actor: ActorId, actor_type: &'static str, message_type: &'static str) -> Self {
        Self::new(Kind::Deadlock, actor, actor_type, Some(message_type))
    }

    /// The error of kind number `code` (see [`Error::code`]), or `None` for
    /// an unknown code. For `tractor-remote`, which carries errors across
    /// nodes.
    pub(crate) fn from_code(
        code: u8,
        actor: ActorId,
        actor_type: &'static str,
        message_type: Option<&'static str>,
    ) -> Option<Self> {
        let kind = *Kind::ALL.get(usize::from(code))?;
        Some(Self::new(kind, actor, actor_type, message_type))
    }

    /// This error's kind as a number, stable across builds of the same
    /// tractor version.
    pub(crate) fn code(&self) -> u8 {
        self.kind.code()
    }

    /// The code of an [`is_stopped`](Error::is_stopped) error.
    pub(crate) fn stopped_code() -> u8 {
        Kind::Stopped.code()
    }

    /// The code of an [`is_decode`](Error::is_decode) error.
    pub(crate) fn decode_code() -> u8 {
        Kind::Decode.code()
    }

    pub(crate) fn unreachable(actor: ActorId, actor_type: &'static str, message_type: Option<&'static str>) -> Self {
        Self::new(Kind::Unreachable, actor, actor_type, message_type)
    }

    pub(crate) fn decode(actor: ActorId, actor_type: &'static str, message_type: Option<&'static str>) -> Self {
        Self::new(Kind::Decode, actor, actor_type, message_type)
    }

    /// The actor is stopped; no message concerned (a name for it, say).
    pub(crate) fn not_running(actor: ActorId, actor_type: &'static str) -> Self {
        Self::new(Kind::Stopped, actor, actor_type, None)
    }

    /// A name is held by `holder`, a live actor.
    pub(crate) fn name_taken(holder: ActorId, holder_type: &'static str) -> Self {
        Self::new(Kind::NameTaken, holder, holder_type, None)
    }

    /// The actor was stopped (or never started) before it could handle the
    /// message, or stopped while the reply was pending.
    pub fn is_stopped(&self) -> bool {
        self.kind == Kind::Stopped
    }

    /// The actor's bounded mailbox was full. Only `try_*` sends report this.
    pub fn is_full(&self) -> bool {
        self.kind == Kind::Full
    }

    /// The handler panicked while answering this request.
    pub fn is_panicked(&self) -> bool {
        self.kind == Kind::Panicked
    }

    /// The request's [`timeout`](crate::Request::timeout) elapsed first.
    pub fn is_timeout(&self) -> bool {
        self.kind == Kind::Timeout
    }

    /// An actor asked itself (`ctx.ask(&ctx.actor_ref(), ..)` in its own
    /// handler), or told itself while its own mailbox is full: it would wait
    /// forever for a reply, or for room, that only it can give, so the send
    /// fails at once. The message was not sent. Tell instead, or answer the
    /// caller later with [`Context::forward`](crate::Context::forward).
    pub fn is_deadlock(&self) -> bool {
        self.kind == Kind::Deadlock
    }

    /// [`Runtime::register`](crate::Runtime::register) was refused: a live
    /// actor, the one [`actor_id`](Error::actor_id) names, holds the name.
    /// (A name whose actor has stopped is free.)
    pub fn is_name_taken(&self) -> bool {
        self.kind == Kind::NameTaken
    }

    /// A remote actor could not be reached: its node was lost (the process
    /// ended, or its link went silent for longer than the lease), or it gave
    /// no answer within the node's ask timeout. Only `tractor-remote`'s refs
    /// report this. An ask that fails this way may or may not have been
    /// handled.
    pub fn is_unreachable(&self) -> bool {
        self.kind == Kind::Unreachable
    }

    /// A message or reply crossing between nodes could not be encoded or
    /// decoded (the two sides disagree about its shape). Only
    /// `tractor-remote`'s refs report this; the schema handshake at lookup
    /// catches most such mismatches before anything is sent.
    pub fn is_decode(&self) -> bool {
        self.kind == Kind::Decode
    }

    /// The id of the actor the send or request was addressed to (for
    /// [`is_name_taken`](Error::is_name_taken): the actor holding the name).
    pub fn actor_id(&self) -> ActorId {
        self.actor
    }

    /// The type name of the actor the send or request was addressed to (for
    /// [`is_name_taken`](Error::is_name_taken): of the actor holding the name).
    pub fn actor_type(&self) -> &'static str {
        self.actor_type
    }

    /// The type name of the message, when the error concerns one.
    pub fn message_type(&self) -> Option<&'static str> {
        self.message_type
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let actor = short_type_name(self.actor_type);
        let id = self.actor;
        match (self.kind, self.message_type.map(short_type_name)) {
            (Kind::Stopped, Some(m)) => write!(f, "actor {actor}{id} is stopped: `{m}` was not handled"),
            (Kind::Stopped, None) => write!(f, "actor {actor}{id} is stopped"),
            (Kind::Full, Some(m)) => {
                write!(f, "the mailbox of actor {actor}{id} is full: `{m}` was handed back")
            }
            (Kind::Full, None) => write!(f, "the mailbox of actor {actor}{id} is full"),
            (Kind::Panicked, Some(m)) => write!(f, "actor {actor}{id} panicked while handling `{m}`"),
            (Kind::Panicked, None) => write!(f, "actor {actor}{id} panicked"),
            (Kind::Timeout, Some(m)) => write!(f, "request `{m}` to actor {actor}{id} timed out"),
            (Kind::Timeout, None) => write!(f, "request to actor {actor}{id} timed out"),
            (Kind::Deadlock, Some(m)) => write!(
                f,
                "actor {actor}{id} sent `{m}` to itself and would wait for itself forever \
                 (it asked itself, or told itself with its mailbox full)"
            ),
            (Kind::Deadlock, None) => write!(f, "actor {actor}{id} asked itself: it would wait forever"),
            (Kind::NameTaken, _) => write!(f, "the name is taken by actor {actor}{id}, which is still running"),
            (Kind::Unreachable, Some(m)) => write!(
                f,
                "remote actor {actor}{id} is unreachable: `{m}` got no answer (its node was lost, or it did not \
                 answer in time)"
            ),
            (Kind::Unreachable, None) => write!(f, "remote actor {actor}{id} is unreachable"),
            (Kind::Decode, Some(m)) => {
                write!(f, "`{m}` to remote actor {actor}{id} could not be encoded or decoded")
            }
            (Kind::Decode, None) => write!(f, "a message to remote actor {actor}{id} could not be encoded or decoded"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("actor", &self.actor)
            .field("actor_type", &self.actor_type)
            .field("message_type", &self.message_type)
            .finish()
    }
}

impl std::error::Error for Error {}

/// A `try_tell` that was refused, with the message handed back.
///
/// A full mailbox never loses a message: [`into_inner`](TrySendError::into_inner)
/// returns it so it can be retried or rerouted. The reason is available as an
/// [`Error`] through [`error`](TrySendError::error), and `?` converts a
/// `TrySendError` into an [`Error`].
///
/// `Debug` does not require `M: Debug`.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor)]
/// struct Sink;
///
/// struct Item(u32);
/// impl Message<Sink> for Item {
///     type Reply = ();
///     async fn handle(self, _: &mut Sink, _: &mut Context<Sink>) {}
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let runtime = Runtime::new();
/// let sink = runtime.spawn_with(Sink, Mailbox::bounded(1));
/// sink.try_tell(Item(1)).unwrap(); // fills the mailbox: the actor has not run yet
/// let refused = sink.try_tell(Item(2)).unwrap_err();
/// assert!(refused.is_full());
/// let Item(n) = refused.into_inner();
/// assert_eq!(n, 2);
/// # runtime.shutdown().await;
/// # }
/// ```
pub struct TrySendError<M> {
    error: Error,
    message: M,
}

impl<M> TrySendError<M> {
    pub(crate) fn new(error: Error, message: M) -> Self {
        TrySendError { error, message }
    }

    /// The message that was not sent.
    pub fn into_inner(self) -> M {
        self.message
    }

    /// Why the send was refused.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// Drops the message and keeps the error.
    pub fn into_error(self) -> Error {
        self.error
    }

    /// The mailbox was full.
    pub fn is_full(&self) -> bool {
        self.error.is_full()
    }

    /// The actor is stopped.
    pub fn is_stopped(&self) -> bool {
        self.error.is_stopped()
    }
}

impl<M> fmt::Debug for TrySendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrySendError")
            .field("error", &self.error)
            .field("message", &short_type_name(std::any::type_name::<M>()))
            .finish()
    }
}

impl<M> fmt::Display for TrySendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<M> std::error::Error for TrySendError<M> {}

impl<M> From<TrySendError<M>> for Error {
    fn from(e: TrySendError<M>) -> Self {
        e.error
    }
}

/// A `try_ask` that failed: refused at the mailbox (the message is handed
/// back), or delivered and then not answered.
///
/// [`into_inner`](TryAskError::into_inner) is `Some` when the mailbox refused
/// the message ([`is_full`](TryAskError::is_full), or
/// [`is_stopped`](TryAskError::is_stopped) before delivery), `None` once it
/// was delivered (the handler panicked, the actor stopped before replying,
/// or the timeout ran out). `?` converts it into an [`Error`].
///
/// `Debug` does not require `M: Debug`.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor)]
/// struct Sink;
///
/// struct Item(u32);
/// impl Message<Sink> for Item {
///     type Reply = u32;
///     async fn handle(self, _: &mut Sink, _: &mut Context<Sink>) -> u32 { self.0 }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let runtime = Runtime::new();
/// let sink = runtime.spawn_with(Sink, Mailbox::bounded(1));
/// sink.try_tell(Item(1)).unwrap(); // fills the mailbox: the actor has not run yet
/// let refused = sink.try_ask(Item(2)).await.unwrap_err();
/// assert!(refused.is_full());
/// assert_eq!(refused.into_inner().map(|Item(n)| n), Some(2));
/// # runtime.shutdown().await;
/// # }
/// ```
pub struct TryAskError<M> {
    error: Error,
    message: Option<M>,
}

impl<M> TryAskError<M> {
    /// The message, if the mailbox refused it; `None` once it was delivered.
    pub fn into_inner(self) -> Option<M> {
        self.message
    }

    /// What went wrong.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// Drops the message and keeps the error.
    pub fn into_error(self) -> Error {
        self.error
    }

    /// The mailbox was full; the message is handed back.
    pub fn is_full(&self) -> bool {
        self.error.is_full()
    }

    /// The actor is stopped, or stopped before it replied.
    pub fn is_stopped(&self) -> bool {
        self.error.is_stopped()
    }

    /// The handler panicked while answering.
    pub fn is_panicked(&self) -> bool {
        self.error.is_panicked()
    }

    /// The request's timeout ran out before the reply came.
    pub fn is_timeout(&self) -> bool {
        self.error.is_timeout()
    }

    /// The actor asked itself (see [`Error::is_deadlock`]).
    pub fn is_deadlock(&self) -> bool {
        self.error.is_deadlock()
    }
}

impl<M> fmt::Debug for TryAskError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryAskError")
            .field("error", &self.error)
            .field("message", &self.message.as_ref().map(|_| short_type_name(std::any::type_name::<M>())))
            .finish()
    }
}

impl<M> fmt::Display for TryAskError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<M> std::error::Error for TryAskError<M> {}

impl<M> From<TryAskError<M>> for Error {
    fn from(e: TryAskError<M>) -> Self {
        e.error
    }
}

/// Refused at the mailbox: the message comes back.
impl<M> From<TrySendError<M>> for TryAskError<M> {
    fn from(e: TrySendError<M>) -> Self {
        TryAskError { error: e.error, message: Some(e.message) }
    }
}

/// Delivered, then not answered.
impl<M> From<Error> for TryAskError<M> {
    fn from(error: Error) -> Self {
        TryAskError { error, message: None }
    }
}

/// A boxed error, as returned by [`Actor::on_start`](crate::Actor::on_start).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
