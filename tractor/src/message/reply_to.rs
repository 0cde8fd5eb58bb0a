//! Deferred replies: [`Context::reply_later`] and its [`ReplyTo`].
//!
//! A deferred reply is a [`Forward`] whose target is a rendezvous it shares
//! with a [`ReplyTo`]. Two things happen to it, in either order:
//!
//! - the runtime delivers the forward as soon as the handler returns it,
//!   with the asker's reply slot (none under a `tell`; dropping the forward
//!   unreturned is the same as no slot);
//! - the holder of the `ReplyTo` answers it, or drops it unanswered.
//!
//! Whichever comes second completes the reply, so an answer given before
//! the handler has even returned (from another thread, say) is not lost,
//! and a `ReplyTo` dropped at any point closes the asker's slot, which the
//! asker reads as [`is_stopped`](Error::is_stopped). Nothing here touches the
//! actor: the slot is the asker's own channel, so an answer reaches the
//! asker after the actor has stopped too. The rendezvous is one small
//! allocation, made only by `reply_later`.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::Forward;
use super::forward::{Deliver, Slot};
use crate::actor::{Actor, Context};
use crate::error::Error;
use crate::handle::ActorId;
use crate::handle::cell::Waiting;

/// The right to answer an ask later, from anywhere: the other half of
/// [`Context::reply_later`].
///
/// It is `Send + Sync + 'static`: keep it in the actor's state, move it into
/// a task or another actor, answer it at any time with
/// [`send`](ReplyTo::send).
///
/// - **Answered**: the asker gets the value, even if the actor that deferred
///   the reply has stopped meanwhile (the asker waits on its own reply
///   channel, not on the actor).
/// - **Dropped unanswered** (explicitly, or with the actor's state when the
///   actor stops): the asker gets an [`is_stopped`](Error::is_stopped) error.
///   Never a hang.
/// - **Under a `tell`**, or when the asker gave up (its ask was dropped or
///   timed out), or when the handler did not return the [`Forward`] that came
///   with it: there is nobody to answer, [`is_closed`](ReplyTo::is_closed) is
///   `true` and [`send`](ReplyTo::send) drops the value quietly.
///
/// `Debug` does not require `R: Debug`.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// /// A latch: `when_ready` is answered once `ready` has been told, at once
/// /// if it already was.
/// #[derive(Actor, Default)]
/// struct Gate {
///     value: Option<u32>,
///     waiting: Vec<ReplyTo<u32>>,
/// }
///
/// #[actor]
/// impl Gate {
///     #[message(reply = u32)]
///     fn when_ready(&mut self, ctx: &mut Context<Self>) -> Forward<u32> {
///         let (later, reply_to) = ctx.reply_later();
///         match self.value {
///             Some(value) => reply_to.send(value), // answered before returning: fine too
///             None => self.waiting.push(reply_to),
///         }
///         later // the gate is free at once; the asker waits for the answer
///     }
///
///     #[message]
///     fn ready(&mut self, value: u32) {
///         self.value = Some(value);
///         for reply_to in self.waiting.drain(..) {
///             reply_to.send(value);
///         }
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let gate = runtime.spawn(Gate::default());
/// let asker = tokio::spawn({
///     let gate = gate.clone();
///     async move { gate.when_ready().await }
/// });
/// gate.ready(7).tell().await?;
/// assert_eq!(asker.await.unwrap()?, 7);
/// assert_eq!(gate.when_ready().await?, 7);
/// # Ok(())
/// # }
/// ```
pub struct ReplyTo<R> {
    /// `None` once answered (so `Drop` knows).
    shared: Option<Arc<Rendezvous<R>>>,
    /// The actor that deferred the reply.
    from: ActorId,
}

/// What the forward and the `ReplyTo` share.
struct Rendezvous<R> {
    state: Mutex<State<R>>,
}

enum State<R> {
    /// Neither side has acted yet: the handler has not returned its forward,
    /// and the `ReplyTo` is neither answered nor dropped.
    Open,
    /// The runtime delivered the asker's slot; the answer is awaited.
    Waiting(Slot<R>),
    /// Answered (or failed) before the slot was delivered.
    Answered(Result<R, Error>),
    /// Dropped unanswered before the slot was delivered.
    Abandoned,
    /// Over: answered, abandoned, or nobody to answer (a tell, a forward
    /// dropped unreturned).
    Done,
}

impl<R> Rendezvous<R> {
    fn lock(&self) -> MutexGuard<'_, State<R>> {
        // No user code runs under the lock: a poisoned one is still coherent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<A: Actor> Context<A> {
    /// Defers the reply to the current message: return the [`Forward`] from
    /// the handler, and answer the asker later, from anywhere, with the
    /// [`ReplyTo`]. This actor is free at once and handles its next message
    /// while the reply is pending.
    ///
    /// The `Forward` may also be returned as `Ok(later)` from a handler
    /// returning `Result<Forward<R>, E>` (the asker gets `Ok(value)`), or as
    /// `Some(later)` from one returning `Option<Forward<R>>`.
    ///
    /// Only the `Forward` a handler returns is connected to its asker. A
    /// second `reply_later` in the same handler makes a second, independent
    /// pair: whichever `Forward` is not returned is dropped with the handler,
    /// and its `ReplyTo` is then closed (nobody to answer; `send` is a
    /// no-op). The same holds in `on_start`, `step` or any other hook, which
    /// have no asker to answer.
    ///
    /// A deferring handler called directly through [`Message::handle`](crate::Message::handle)
    /// (from a wrapper message, say) waits for its answer inside the caller:
    /// fine when something else answers (a task, another actor), but a
    /// `ReplyTo` that only this actor's next message would answer then never
    /// is, and the caller waits forever.
    ///
    /// # Examples
    ///
    /// Answering from a task, after the work is done:
    ///
    /// ```
    /// use tractor::prelude::*;
    ///
    /// #[derive(Actor)]
    /// struct Summer;
    ///
    /// #[actor]
    /// impl Summer {
    ///     /// Sums off the actor's task; the asker gets the result when it is ready.
    ///     #[message]
    ///     fn checksum(&mut self, ctx: &mut Context<Self>, data: Vec<u8>) -> Forward<u64> {
    ///         let (later, reply_to) = ctx.reply_later();
    ///         tokio::spawn(async move {
    ///             let sum = data.iter().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b)));
    ///             reply_to.send(sum);
    ///         });
    ///         later
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), tractor::Error> {
    /// let runtime = Runtime::new();
    /// let summer = runtime.spawn(Summer);
    /// assert_eq!(summer.checksum(vec![1, 2]).await?, 33);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "return the Forward from the handler, and answer the asker with the ReplyTo"]
    pub fn reply_later<R: Send + 'static>(&self) -> (Forward<R>, ReplyTo<R>) {
        let shared = Arc::new(Rendezvous { state: Mutex::new(State::Open) });
        let from = self.id();
        let later = Forward::from_box(Box::new(Deferred { shared: Some(Arc::clone(&shared)), from }));
        (later, ReplyTo { shared: Some(shared), from })
    }
}

impl<R: Send + 'static> ReplyTo<R> {
    /// Answers the asker with `value`. Under a `tell`, or if the asker gave
    /// up, or if the handler did not return this reply's [`Forward`], the
    /// value is dropped quietly (see [`is_closed`](ReplyTo::is_closed)).
    pub fn send(self, value: R) {
        self.settle(Ok(value));
    }

    /// Answers the asker with `error` instead of a value.
    pub(crate) fn fail(self, error: Error) {
        self.settle(Err(error));
    }

    fn settle(mut self, reply: Result<R, Error>) {
        let Some(shared) = self.shared.take() else { return };
        let mut state = shared.lock();
        match std::mem::replace(&mut *state, State::Done) {
            State::Open => *state = State::Answered(reply),
            State::Waiting(slot) => {
                drop(state);
                slot.send(reply);
            }
            // Nobody to answer: the value is dropped after the lock.
            State::Done => drop(state),
            State::Answered(_) | State::Abandoned => unreachable!("a ReplyTo is answered once"),
        }
    }

    /// `true` when an answer would reach nobody: under a `tell`, once the
    /// asker gave up (its ask was dropped, or its timeout ran out), or once
    /// the handler ended without returning this reply's [`Forward`].
    ///
    /// `false` while the handler that made it is still running (the asker is
    /// not known to the reply until the handler returns its `Forward`).
    /// Like tokio's `oneshot::Sender::is_closed`, a `false` can turn `true`
    /// at any moment; it lets long work be skipped for an asker who left.
    pub fn is_closed(&self) -> bool {
        let Some(shared) = &self.shared else { return true };
        match &*shared.lock() {
            State::Open => false,
            State::Waiting(slot) => slot.is_closed(),
            State::Done | State::Answered(_) | State::Abandoned => true,
        }
    }

    /// The id of the actor that deferred the reply.
    pub fn deferred_by(&self) -> ActorId {
        self.from
    }
}

/// Dropped unanswered: the asker's slot is closed, which it reads as
/// `is_stopped`.
impl<R> Drop for ReplyTo<R> {
    fn drop(&mut self) {
        let Some(shared) = self.shared.take() else { return };
        let mut state = shared.lock();
        match std::mem::replace(&mut *state, State::Done) {
            State::Open => *state = State::Abandoned,
            // Dropped after the lock: a mapped slot is a boxed closure.
            State::Waiting(slot) => {
                drop(state);
                drop(slot);
            }
            State::Done | State::Answered(_) | State::Abandoned => {}
        }
    }
}

impl<R> fmt::Debug for ReplyTo<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pending = self.shared.as_ref().map(|shared| match &*shared.lock() {
            State::Open => "open",
            State::Waiting(_) => "waiting",
            State::Done | State::Answered(_) | State::Abandoned => "closed",
        });
        f.debug_struct("ReplyTo").field("from", &self.from).field("state", &pending.unwrap_or("answered")).finish()
    }
}

/// The forward half: hands the asker's slot to the rendezvous.
struct Deferred<R: 'static> {
    /// `None` once delivered (so `Drop` knows).
    shared: Option<Arc<Rendezvous<R>>>,
    from: ActorId,
}

impl<R: 'static> Deferred<R> {
    /// The runtime delivered the forward with `slot` (`None`: nobody asked).
    fn settle(&mut self, slot: Option<Slot<R>>) {
        let Some(shared) = self.shared.take() else { return };
        let mut state = shared.lock();
        match std::mem::replace(&mut *state, State::Done) {
            State::Open => {
                if let Some(slot) = slot {
                    *state = State::Waiting(slot);
                }
            }
            State::Answered(reply) => {
                drop(state);
                if let Some(slot) = slot {
                    slot.send(reply);
                }
            }
            // Dropped unanswered first: dropping the slot tells the asker.
            State::Abandoned => drop(state),
            State::Waiting(_) | State::Done => unreachable!("a forward is delivered once"),
        }
    }
}

impl<R: Send + 'static> Deliver<R> for Deferred<R> {
    fn deliver(mut self: Box<Self>, reply: Option<Slot<R>>, _sender: Option<ActorId>) -> Option<Waiting<'static, ()>> {
        self.settle(reply);
        None
    }

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forward").field("deferred_by", &self.from).finish()
    }
}

/// Not returned by the handler (dropped with it, or made outside one):
/// nobody to answer.
impl<R: 'static> Drop for Deferred<R> {
    fn drop(&mut self) {
        self.settle(None);
    }
}
