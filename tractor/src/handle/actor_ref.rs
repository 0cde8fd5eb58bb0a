//! [`ActorRef`], the typed handle to a running actor.

use std::any::type_name;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::{ActorId, Cell, WeakActorRef};
use crate::actor::{Actor, StopReason};
use crate::error::{Error, TrySendError};
use crate::message::Message;
use crate::request::{Request, Tell, TryAsk};
use crate::util::short_type_name;

/// A cheap, cloneable handle to an actor of type `A`: send it messages, ask
/// it questions, stop it, wait for it.
///
/// Only messages that implement [`Message<A>`] can be sent; the reply type
/// of each request is the message's [`Message::Reply`]. Cloning is one atomic
/// increment. Refs compare and hash by [`ActorId`].
///
/// When every `ActorRef` to an actor is dropped, nobody can send to it any
/// more: the actor handles what is still queued and stops with
/// [`StopReason::Normal`]. The runtime's [`shutdown`](crate::Runtime::shutdown)
/// still reaches actors whose refs were all dropped.
///
/// # Examples
///
/// ```
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
/// let counter: ActorRef<Counter> = runtime.spawn(Counter::default());
///
/// counter.tell(Increment { by: 2 }).await?;  // waits only for mailbox room
/// counter.increment(3).tell().await?;        // the generated method, same thing
/// assert_eq!(counter.ask(Get).await?, 5);    // waits for the reply
/// assert_eq!(counter.get().await?, 5);
///
/// counter.stop().await?;
/// assert!(counter.wait().await.is_normal());
/// assert!(counter.tell(Increment { by: 1 }).await.unwrap_err().is_stopped());
/// # Ok(())
/// # }
/// ```
pub struct ActorRef<A: Actor> {
    cell: Arc<Cell<A>>,
}

impl<A: Actor> ActorRef<A> {
    pub(crate) fn from_cell(cell: Arc<Cell<A>>) -> Self {
        ActorRef { cell }
    }

    pub(crate) fn cell(&self) -> &Cell<A> {
        &self.cell
    }

    pub(crate) fn downgrade_cell(&self) -> std::sync::Weak<Cell<A>> {
        Arc::downgrade(&self.cell)
    }

    /// The cell, type-erased: whoever holds it keeps the actor's mailbox open.
    pub(crate) fn cell_arc(&self) -> Arc<dyn std::any::Any + Send + Sync> {
        Arc::clone(&self.cell) as Arc<dyn std::any::Any + Send + Sync>
    }

    /// A weak ref: it names the actor without keeping it alive.
    pub fn downgrade(&self) -> WeakActorRef<A> {
        WeakActorRef { cell: Arc::downgrade(&self.cell), ctl: Arc::clone(self.cell.owner()) }
    }

    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.cell.ctl().id
    }

    /// `true` until the actor has stopped (its `on_stop` has run).
    pub fn is_alive(&self) -> bool {
        !self.cell.ctl().is_dead()
    }

    /// A request for `msg`: `.await` it to ask (wait for the reply), or call
    /// [`tell`](Request::tell), [`try_tell`](Request::try_tell),
    /// [`try_ask`](Request::try_ask) or [`timeout`](Request::timeout) on it.
    ///
    /// This is the type `#[actor]`'s generated methods return:
    /// `counter.get()` is `counter.ask(Get)`.
    ///
    /// An actor that asks itself from its own handler (through
    /// `ctx.ask(&ctx.actor_ref(), ..)` or a ref to itself it keeps) would
    /// wait forever for a reply only it can give: the ask fails at once with
    /// [`is_deadlock`](Error::is_deadlock), and nothing is sent.
    pub fn ask<M: Message<A>>(&self, msg: M) -> Request<'_, A, M> {
        Request::new(self, msg, None)
    }

    /// Sends `msg` without waiting for it to be handled. Waits only for room
    /// in a bounded mailbox (back-pressure); never waits on an unbounded one.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits for room drops the message
    /// unsent.
    pub fn tell<M: Message<A>>(&self, msg: M) -> Tell<'_, A, M> {
        Request::new(self, msg, None).tell()
    }

    /// Sends `msg` if there is room now; otherwise hands it back in the
    /// error. Never waits.
    pub fn try_tell<M: Message<A>>(&self, msg: M) -> Result<(), TrySendError<M>> {
        Request::new(self, msg, None).try_tell()
    }

    /// Asks without waiting for room: a full mailbox is an immediate
    /// [`is_full`](Error::is_full) error that hands the message back; once
    /// delivered, waits for the reply.
    pub fn try_ask<M: Message<A>>(&self, msg: M) -> TryAsk<'_, A, M> {
        Request::new(self, msg, None).try_ask()
    }

    /// Stops the actor gracefully and waits until it has stopped: sends made
    /// after this call fail, messages already queued are handled, children
    /// are stopped, then `on_stop` runs, then this resolves.
    ///
    /// Idempotent: on an actor that has stopped (for whatever reason) it
    /// resolves `Ok(())` at once, and two `stop()`s racing each other both
    /// resolve once `on_stop` has run. From inside the actor, use
    /// [`Context::stop`](crate::Context::stop) instead: an actor awaiting its
    /// own `stop()` waits for itself.
    ///
    /// # Cancel safety
    ///
    /// The stop is requested on the first poll; dropping the future after
    /// that does not take it back, it only stops waiting.
    pub async fn stop(&self) -> Result<(), Error> {
        let ctl = self.cell.ctl();
        if !ctl.is_dead() {
            ctl.request_stop();
            ctl.wait().await;
        }
        Ok(())
    }

    /// Stops the actor now: the handler in flight is dropped (even one
    /// parked forever, or a hung `on_start`), its asker and every queued ask
    /// get [`is_stopped`](Error::is_stopped), and `on_stop` still runs.
    /// Returns at once; [`wait`](ActorRef::wait) for the end.
    pub fn kill(&self) {
        self.cell.ctl().kill();
    }

    /// Resolves to the [`StopReason`] once the actor has stopped.
    pub async fn wait(&self) -> StopReason {
        self.cell.ctl().wait().await
    }
}

impl<A: Actor> Clone for ActorRef<A> {
    fn clone(&self) -> Self {
        ActorRef { cell: Arc::clone(&self.cell) }
    }
}

impl<A: Actor> PartialEq for ActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<A: Actor> Eq for ActorRef<A> {}

impl<A: Actor> Hash for ActorRef<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<A: Actor> fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorRef<{}>({})", short_type_name(type_name::<A>()), self.id())
    }
}

impl<A: Actor> ActorRef<A> {
    pub(crate) fn into_cell(self) -> Arc<Cell<A>> {
        self.cell
    }
}
