//! What `tractor-remote` builds on, and `#[actor]`'s generated methods use to
//! serve both kinds of ref. Nothing here is public API (re-exported from
//! `__private`); the message path of a local actor never touches it.
//!
//! - [`Handle`] / [`Route`]: the generated `CounterRefExt` methods are
//!   implemented once, for every handle type that routes the message: an
//!   [`ActorRef`] routes every `M: Message<A>`, a remote ref only the
//!   messages marked remote. So `c.get()` reads the same on both, and a
//!   message that is not remote does not compile through a remote ref.
//! - [`Standin`]: a control block with no task, standing for an actor on
//!   another node, so the local death watch and ids work on it unchanged.
//! - [`try_deliver`]: the serving side's delivery from Zenoh's receive
//!   path, which must not wait: into the mailbox if there is room now,
//!   else a [`Later`] that holds the message (and its reply callback) and
//!   finishes the delivery wherever it is awaited. An ask's reply is handed
//!   to the callback in the answering actor's task, so no task is woken to
//!   relay it.
//! - error codes, to carry an [`Error`]'s kind across nodes.

use std::any::type_name;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::actor::{Actor, Panic, StopReason};
use crate::error::{Error, TrySendError};
use crate::handle::{ActorId, ActorRef, Sender};
use crate::mailbox::Mailbox;
use crate::message::{Message, ReplyFn};
use crate::request::Request;
use crate::runtime::Control;
use crate::watch::WatchTarget;

/// A handle that `#[actor]`'s typed methods for actor `A` are available on.
pub trait Handle<A: Actor> {}

/// A handle `M` can be sent through, and the request that sending builds.
#[diagnostic::on_unimplemented(
    message = "`{M}` cannot be sent through `{Self}`",
    label = "this handle does not route `{M}`",
    note = "a message sent through a `RemoteRef` must be remote: mark it `#[message(remote)]`, or the whole \
            block `#[actor(remote)]`"
)]
pub trait Route<A: Actor, M> {
    /// What sending builds: [`Request`] for a local ref.
    type Request<'a>
    where
        Self: 'a;

    /// Addresses `msg` to the actor behind this handle.
    fn route(&self, msg: M) -> Self::Request<'_>;
}

impl<A: Actor> Handle<A> for ActorRef<A> {}

impl<A: Actor, M: Message<A>> Route<A, M> for ActorRef<A> {
    type Request<'a> = Request<'a, A, M>;

    #[inline]
    fn route(&self, msg: M) -> Request<'_, A, M> {
        self.ask(msg)
    }
}

/// Stands for an actor on another node: an id of this process, a type name,
/// a stop reason once the actor (or its node) is gone, and the watches on it.
pub struct Standin(Arc<Control>);

impl Standin {
    /// A stand-in for an actor of type `A`, alive until [`finish`](Self::finish).
    pub fn new<A: Actor>() -> Self {
        Standin::named(type_name::<A>)
    }

    /// A stand-in for an actor whose type this node knows only by name.
    pub fn named(actor_type: fn() -> &'static str) -> Self {
        Standin::with_id(ActorId::next(), actor_type)
    }

    /// A stand-in with the id of an actor of this process that has ended
    /// (a ref to it that comes back from another node).
    pub fn with_id(id: ActorId, actor_type: fn() -> &'static str) -> Self {
        Standin(Arc::new(Control::new(id, actor_type, Mailbox::unbounded())))
    }

    /// The actor type it stands for.
    pub fn actor_type(&self) -> &'static str {
        self.0.type_name()
    }

    /// Its id in this process.
    pub fn id(&self) -> ActorId {
        self.0.id
    }

    /// `true` until [`finish`](Self::finish).
    pub fn is_alive(&self) -> bool {
        !self.0.is_finished()
    }

    /// The actor (or its node) is gone: sets the reason and tells the
    /// watchers. Only the first call counts; `false` for a later one.
    pub fn finish(&self, reason: StopReason) -> bool {
        if self.0.is_finished() {
            return false;
        }
        self.0.finish(reason);
        true
    }

    /// The reason it finished with, once it has.
    pub fn reason(&self) -> Option<StopReason> {
        self.0.reason().cloned()
    }

    /// Resolves to the reason once [`finish`](Self::finish) has run.
    pub fn wait(&self) -> impl Future<Output = StopReason> + Send + '_ {
        self.0.wait()
    }

    /// What a watch on it registers with.
    pub fn watch_target(&self) -> WatchTarget<'_> {
        WatchTarget(&self.0)
    }
}

impl std::fmt::Debug for Standin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Standin").field(&self.0.id).finish()
    }
}

/// A delivery [`try_deliver`] could not finish at once (the mailbox was
/// full, or the actor stopped): it holds the message and its reply
/// callback, and finishes the delivery when awaited: it waits for room, or
/// fails with [`Error::is_stopped`] and calls the reply callback with that
/// error.
pub type Later = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// Puts `msg` into `target`'s mailbox if there is room now, never waiting:
/// a tell, or with `reply` an ask with no sender whose reply is handed to
/// `reply` in the actor's own task when it answers (with an
/// [`Error::is_stopped`] error if it never does). Otherwise
/// nothing is dropped (so no reply callback fires): the [`Later`] handed
/// back has the message. Delivered one after another (each `Later` awaited
/// before the next call), messages arrive in that order.
pub fn try_deliver<A: Actor, M: Message<A>>(
    target: &ActorRef<A>,
    msg: M,
    reply: Option<ReplyFn<M::Reply>>,
) -> Result<(), Later> {
    crate::handle::try_put(target.cell(), msg, reply)
        .map_err(|env| crate::handle::later::<A, M>(target.clone().into_cell(), env))
}

/// [`try_deliver`] through a [`Sender`].
pub fn sender_try_deliver<M: Send + 'static, R: Send + 'static>(
    sender: &Sender<M, R>,
    msg: M,
    reply: Option<ReplyFn<R>>,
) -> Result<(), Later> {
    sender.try_deliver(msg, reply)
}

/// Resolves to the stop reason of the actor behind `sender`.
pub fn sender_wait<M: Send + 'static, R: Send + 'static>(
    sender: &Sender<M, R>,
) -> impl Future<Output = StopReason> + Send + '_ {
    sender.control().wait()
}

/// The type name of the actor behind `sender`.
pub fn sender_actor_type<M: Send + 'static, R: Send + 'static>(sender: &Sender<M, R>) -> &'static str {
    sender.actor_type()
}

/// `error`'s kind as a number, to carry across nodes.
pub fn error_code(error: &Error) -> u8 {
    error.code()
}

/// The error of kind `code` (from [`error_code`]) about `actor`, or `None`
/// for a code this build does not know.
pub fn error_from_code(
    code: u8,
    actor: ActorId,
    actor_type: &'static str,
    message_type: Option<&'static str>,
) -> Option<Error> {
    Error::from_code(code, actor, actor_type, message_type)
}

/// Remote actor `actor` could not be reached about `message`
/// ([`Error::is_unreachable`]).
pub fn unreachable_error(actor: ActorId, actor_type: &'static str, message: Option<&'static str>) -> Error {
    Error::unreachable(actor, actor_type, message)
}

/// `message` to remote actor `actor` did not encode or decode
/// ([`Error::is_decode`]).
pub fn decode_error(actor: ActorId, actor_type: &'static str, message: Option<&'static str>) -> Error {
    Error::decode(actor, actor_type, message)
}

/// A timeout of `message` to `actor` ([`Error::is_timeout`]).
pub fn timeout_error(actor: ActorId, actor_type: &'static str, message: &'static str) -> Error {
    Error::timeout(actor, actor_type, message)
}

/// `message` was not handled: `actor` is stopped ([`Error::is_stopped`]).
pub fn stopped_error(actor: ActorId, actor_type: &'static str, message: &'static str) -> Error {
    Error::stopped(actor, actor_type, message)
}

/// `actor`'s mailbox is full ([`Error::is_full`]); `msg` is handed back.
pub fn full_error<M>(msg: M, actor: ActorId, actor_type: &'static str) -> TrySendError<M> {
    TrySendError::new(Error::full(actor, actor_type, type_name::<M>()), msg)
}

/// `actor` is stopped ([`Error::is_stopped`]); `msg` is handed back.
pub fn refused_error<M>(msg: M, error: Error) -> TrySendError<M> {
    TrySendError::new(error, msg)
}

/// The code ([`error_code`]) of an [`Error::is_stopped`] error.
pub fn stopped_code() -> u8 {
    Error::stopped_code()
}

/// The code ([`error_code`]) of an [`Error::is_decode`] error.
pub fn decode_code() -> u8 {
    Error::decode_code()
}

/// A panic known only by its text (a remote actor's, carried across nodes).
pub fn panic_from_text(text: &str) -> Panic {
    Panic::from_text(text)
}
