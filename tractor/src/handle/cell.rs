//! What every handle to an actor points at, and the one path a message
//! takes into a mailbox.

use std::any::type_name;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;

use crate::actor::Actor;
use crate::error::{Error, TrySendError};
use crate::mailbox::{self, Refused};
use crate::message::Envelope;
use crate::runtime::Control;

/// What an [`ActorRef`](crate::ActorRef) points at: the sending side of the
/// actor's mailbox, owned by its [`Control`]. When the last one goes (all refs
/// dropped) the mailbox disconnects and the actor stops gracefully.
pub(crate) type Cell<A> = mailbox::Sender<Envelope<A>, Control>;

/// A send that found the mailbox full, waiting for room (boxed: the slow path).
pub(crate) type Waiting<'a, E> = Pin<Box<dyn Future<Output = Result<(), E>> + Send + 'a>>;

/// How [`send`] left a message.
pub(crate) enum Sending<'a, E> {
    /// In the mailbox.
    Sent,
    /// Not delivered; `failed` said what that means to the caller.
    Refused(E),
    /// The mailbox is full: await this for room.
    Waiting(Waiting<'a, E>),
}

/// Why a send that may wait for room did not deliver; the envelope comes back.
pub(crate) enum Undelivered<A: Actor> {
    /// The actor is stopped (refused at once, or while waiting).
    Stopped(Envelope<A>),
    /// Into its own full mailbox, from its own hook or handler: the room could
    /// only come once it returns, so the wait would never end.
    ToItself(Envelope<A>),
}

impl<A: Actor> Undelivered<A> {
    pub(crate) fn into_envelope(self) -> Envelope<A> {
        match self {
            Undelivered::Stopped(env) | Undelivered::ToItself(env) => env,
        }
    }
}

/// The one path of a send that may wait for room: into the mailbox now if
/// there is room, else a future that waits for it. `failed` turns an
/// undelivered envelope into the caller's error.
#[inline]
pub(crate) fn send<'a, A, C, E>(
    cell: C,
    env: Envelope<A>,
    failed: impl FnOnce(Undelivered<A>) -> E + Send + 'a,
) -> Sending<'a, E>
where
    A: Actor,
    C: Deref<Target = Cell<A>> + Send + 'a,
    E: 'a,
{
    match cell.try_send(env) {
        Ok(()) => Sending::Sent,
        Err(Refused::Stopped(env)) => Sending::Refused(failed(Undelivered::Stopped(env))),
        // From the actor itself: by its sender id (`ctx.tell`, a forward, even
        // from a synchronous handler), or by the code this thread runs (a ref
        // or `Sender` to itself in a hook or async handler). Slow path only.
        Err(Refused::Full(env)) if from_itself(&env, cell.ctl().id) => {
            Sending::Refused(failed(Undelivered::ToItself(env)))
        }
        Err(Refused::Full(env)) => Sending::Waiting(Box::pin(async move {
            cell.send_waiting(env).await.map_err(|env| failed(Undelivered::Stopped(env)))
        })),
    }
}

/// What is left of a send that could not go into the mailbox at once
/// (full, or the actor stopped): `env` is kept, not dropped, in a future
/// that finishes the send as [`send`] would, wherever it is awaited.
pub(crate) fn later<A: Actor, M: 'static>(cell: Arc<Cell<A>>, env: Envelope<A>) -> Waiting<'static, Error> {
    Box::pin(async move {
        match send(&*cell, env, |why| cell.undelivered::<M>(&why)) {
            Sending::Sent => Ok(()),
            Sending::Refused(e) => Err(e),
            Sending::Waiting(room) => room.await,
        }
    })
}

/// `env` comes from actor `id` itself.
fn from_itself<A: Actor>(env: &Envelope<A>, id: crate::handle::ActorId) -> bool {
    env.sender() == Some(id) || crate::runtime::current_actor() == Some(id)
}

impl<A: Actor> Cell<A> {
    /// The actor's control block.
    pub(crate) fn ctl(&self) -> &Control {
        self.owner()
    }

    /// Sends without waiting; a refusal hands `M` back. `env` holds an `M`
    /// with reply `R` (made by `Envelope::new`).
    pub(crate) fn try_send_message<M: 'static, R: 'static>(&self, env: Envelope<A>) -> Result<(), TrySendError<M>> {
        self.try_send(env).map_err(|refused| {
            let (error, env) = match refused {
                Refused::Full(env) => (Error::full(self.ctl().id, type_name::<A>(), type_name::<M>()), env),
                Refused::Stopped(env) => (self.stopped::<M>(), env),
            };
            let msg = env.into_message::<M, R>().expect("a refused envelope holds the message it was made from");
            TrySendError::new(error, msg)
        })
    }

    /// What an undelivered `M` means to an asker or teller.
    pub(crate) fn undelivered<M>(&self, why: &Undelivered<A>) -> Error {
        match why {
            Undelivered::Stopped(_) => self.stopped::<M>(),
            Undelivered::ToItself(_) => self.deadlock::<M>(),
        }
    }

    /// `M` was not delivered: the actor is stopped.
    pub(crate) fn stopped<M>(&self) -> Error {
        Error::stopped(self.ctl().id, type_name::<A>(), type_name::<M>())
    }

    /// An actor asked itself `M`.
    pub(crate) fn deadlock<M>(&self) -> Error {
        Error::deadlock(self.ctl().id, type_name::<A>(), type_name::<M>())
    }

    /// A request for `M` ran out of time.
    pub(crate) fn timed_out<M>(&self) -> Error {
        Error::timeout(self.ctl().id, type_name::<A>(), type_name::<M>())
    }
}
