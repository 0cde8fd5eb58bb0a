//! [`Sender`]: a type-erased handle to any actor that handles one message type.

use std::any::type_name;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tokio::sync::oneshot;

use super::cell::{self, Cell, Sending};
use super::{ActorId, ActorRef};
use crate::actor::Actor;
use crate::error::{Error, TrySendError};
use crate::mailbox::Refused;
use crate::message::{Envelope, Message, ReplyFn, ReplyTx, callback_slot};
use crate::runtime::Control;
use crate::util::short_type_name;

/// A handle to *any* actor that handles `M` with reply `R`, whatever its
/// type: for fan-out lists that mix actor types.
///
/// Made from an [`ActorRef`] with `Sender::from`; sharing the ref's
/// allocation, so conversion and cloning cost one atomic increment.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Clone)]
/// struct Event(&'static str);
///
/// #[derive(Actor, Default)]
/// struct Screen { seen: usize }
/// impl Message<Screen> for Event {
///     type Reply = ();
///     async fn handle(self, s: &mut Screen, _: &mut Context<Screen>) { s.seen += 1; }
/// }
///
/// #[derive(Actor, Default)]
/// struct Disk { written: usize }
/// impl Message<Disk> for Event {
///     type Reply = ();
///     async fn handle(self, d: &mut Disk, _: &mut Context<Disk>) { d.written += 1; }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let listeners: Vec<Sender<Event, ()>> = vec![
///     Sender::from(runtime.spawn(Screen::default())),
///     Sender::from(runtime.spawn(Disk::default())),
/// ];
/// for l in &listeners {
///     l.tell(Event("saved")).await?; // returns once enqueued
/// }
/// # Ok(())
/// # }
/// ```
pub struct Sender<M, R> {
    inner: Arc<dyn Recipient<M, R>>,
}

pub(crate) trait Recipient<M, R>: Send + Sync + 'static {
    fn id(&self) -> ActorId;
    fn actor_type(&self) -> &'static str;
    fn is_alive(&self) -> bool;
    fn control(&self) -> &Arc<Control>;
    fn try_send(&self, msg: M, reply: Option<ReplyTx<R>>) -> Result<(), TrySendError<M>>;
    fn send(&self, msg: M, reply: Option<ReplyTx<R>>) -> Sending<'_, Error>;
    /// Into the mailbox now (a tell, or with `reply` an ask whose reply is
    /// handed to `reply` in the actor's own task, with an `is_stopped`
    /// error if it never answers) if there is room; else the
    /// future that finishes the send, holding the message and its reply.
    fn try_deliver(self: Arc<Self>, msg: M, reply: Option<ReplyFn<R>>) -> Result<(), cell::Waiting<'static, Error>>;
}

impl<A: Actor, M: Message<A>> Recipient<M, M::Reply> for Cell<A> {
    fn id(&self) -> ActorId {
        self.ctl().id
    }

    fn actor_type(&self) -> &'static str {
        type_name::<A>()
    }

    fn is_alive(&self) -> bool {
        !self.ctl().is_dead()
    }

    fn control(&self) -> &Arc<Control> {
        self.owner()
    }

    fn try_send(&self, msg: M, reply: Option<ReplyTx<M::Reply>>) -> Result<(), TrySendError<M>> {
        self.try_send_message::<M, M::Reply>(Envelope::new(msg, reply, None))
    }

    fn send(&self, msg: M, reply: Option<ReplyTx<M::Reply>>) -> Sending<'_, Error> {
        cell::send(self, Envelope::new(msg, reply, None), |why| self.undelivered::<M>(&why))
    }

    fn try_deliver(
        self: Arc<Self>,
        msg: M,
        reply: Option<ReplyFn<M::Reply>>,
    ) -> Result<(), cell::Waiting<'static, Error>> {
        try_put(&self, msg, reply).map_err(|env| cell::later::<A, M>(self, env))
    }
}

/// Into `to`'s mailbox if there is room now, as a tell, or with `reply` an
/// ask whose reply goes to it (as [`Recipient::try_deliver`]); else the
/// envelope comes back, the message and its reply slot in it.
pub(crate) fn try_put<A: Actor, M: Message<A>>(
    to: &Cell<A>,
    msg: M,
    reply: Option<ReplyFn<M::Reply>>,
) -> Result<(), Envelope<A>> {
    let env = match reply {
        None => Envelope::new(msg, None, None),
        Some(reply) => Envelope::with_slot(msg, callback_slot(reply, to.stopped::<M>()), None),
    };
    to.try_send(env).map_err(|(Refused::Full(env) | Refused::Stopped(env))| env)
}

impl<M: Send + 'static, R: Send + 'static> Sender<M, R> {
    /// The id of the actor behind this sender.
    pub fn id(&self) -> ActorId {
        self.inner.id()
    }

    /// `true` until the actor has stopped.
    pub fn is_alive(&self) -> bool {
        self.inner.is_alive()
    }

    pub(crate) fn control(&self) -> &Arc<Control> {
        self.inner.control()
    }

    /// The type name of the actor behind this sender.
    pub(crate) fn actor_type(&self) -> &'static str {
        self.inner.actor_type()
    }

    /// [`Recipient::try_deliver`] through this sender.
    pub(crate) fn try_deliver(&self, msg: M, reply: Option<ReplyFn<R>>) -> Result<(), cell::Waiting<'static, Error>> {
        Arc::clone(&self.inner).try_deliver(msg, reply)
    }

    fn deadlock<T>(&self) -> Error {
        Error::deadlock(self.inner.id(), self.inner.actor_type(), type_name::<T>())
    }

    /// Sends `msg`; returns once it is enqueued (waiting for room in a
    /// bounded mailbox), not once it is handled.
    pub async fn tell(&self, msg: M) -> Result<(), Error> {
        match self.inner.send(msg, None) {
            Sending::Sent => Ok(()),
            Sending::Refused(e) => Err(e),
            Sending::Waiting(wait) => wait.await,
        }
    }

    /// Sends `msg` if there is room now; otherwise hands it back. Never waits.
    pub fn try_tell(&self, msg: M) -> Result<(), TrySendError<M>> {
        self.inner.try_send(msg, None)
    }

    /// Sends `msg` and waits for the reply.
    ///
    /// An actor that asks itself through a `Sender` to itself fails at once
    /// with [`is_deadlock`](Error::is_deadlock), as through its `ActorRef`.
    pub async fn ask(&self, msg: M) -> Result<R, Error> {
        if crate::runtime::current_actor() == Some(self.id()) {
            return Err(self.deadlock::<M>());
        }
        let (tx, rx) = oneshot::channel();
        match self.inner.send(msg, Some(tx)) {
            Sending::Sent => {}
            Sending::Refused(e) => return Err(e),
            Sending::Waiting(wait) => wait.await?,
        }
        match rx.await {
            Ok(result) => result,
            Err(_) => Err(Error::stopped(self.inner.id(), self.inner.actor_type(), type_name::<M>())),
        }
    }
}

impl<A: Actor, M: Message<A>> From<ActorRef<A>> for Sender<M, M::Reply> {
    fn from(actor: ActorRef<A>) -> Self {
        Sender { inner: actor.into_cell() }
    }
}

impl<A: Actor, M: Message<A>> From<&ActorRef<A>> for Sender<M, M::Reply> {
    fn from(actor: &ActorRef<A>) -> Self {
        Sender { inner: actor.clone().into_cell() }
    }
}

impl<M, R> Clone for Sender<M, R> {
    fn clone(&self) -> Self {
        Sender { inner: Arc::clone(&self.inner) }
    }
}

impl<M: Send + 'static, R: Send + 'static> PartialEq for Sender<M, R> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<M: Send + 'static, R: Send + 'static> Eq for Sender<M, R> {}

impl<M: Send + 'static, R: Send + 'static> Hash for Sender<M, R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<M: 'static, R: 'static> fmt::Debug for Sender<M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Sender<{}>({} {})",
            short_type_name(type_name::<M>()),
            short_type_name(self.inner.actor_type()),
            self.inner.id()
        )
    }
}
