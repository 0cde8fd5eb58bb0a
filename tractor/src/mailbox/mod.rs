//! The mailbox: a flume queue plus the state word that decides who may send,
//! when the actor sleeps and when it is over.
//!
//! This module depends on nothing else in the crate. Its pieces:
//! - [`state`]: the state word and its protocol (the one place that owns it);
//! - [`send`]: the sending side every ref shares;
//! - [`recv`]: the receiving side the actor's task owns;
//! - [`wakers`]: the two wakers the protocol wakes;
//! - `model` (under `--cfg loom`): loom models of the protocol.
//!
//! And [`Mailbox`], the public configuration.

pub(crate) mod recv;
pub(crate) mod send;
pub(crate) mod state;
mod sync;
mod wakers;

#[cfg(all(test, loom))]
mod model;
#[cfg(all(test, loom))]
mod model_notify;

pub(crate) use self::recv::Receiver;
pub(crate) use self::send::Sender;
use self::state::State;

/// What a mailbox's two sides share: the state word (with the wakers and
/// the room signal it goes with).
pub(crate) struct Shared {
    pub(crate) state: State,
}

impl Shared {
    pub(crate) fn new(mailbox: Mailbox) -> Self {
        Shared { state: State::new(mailbox.capacity) }
    }
}

/// What a mailbox belongs to: whatever holds its [`Shared`] part (the
/// actor's control block), so both sides reach it through one `Arc`.
pub(crate) trait Owner: Send + Sync + 'static {
    fn mailbox(&self) -> &Shared;
}

/// What a mailbox carries.
pub(crate) trait Letter: Send + 'static {
    /// What to call it in a log line.
    fn describe(&self) -> &'static str;
}

/// Why a non-waiting send was refused; the item comes back.
pub(crate) enum Refused<T> {
    Full(T),
    Stopped(T),
}

/// The two sides of a new mailbox of shape `mailbox`, belonging to `owner`.
pub(crate) fn channel<T: Letter, O: Owner>(
    mailbox: Mailbox,
    owner: &std::sync::Arc<O>,
) -> (Sender<T, O>, Receiver<T, O>) {
    let (tx, rx) = match mailbox.capacity {
        Some(n) => flume::bounded(n),
        None => flume::unbounded(),
    };
    (Sender::new(tx, rx.clone(), std::sync::Arc::clone(owner)), Receiver::new(rx, std::sync::Arc::clone(owner)))
}

/// The shape of an actor's mailbox: bounded (with back-pressure) or unbounded.
///
/// Mailboxes are [flume](https://docs.rs/flume) channels.
///
/// - [`Mailbox::unbounded`] (the default): `tell` never waits and `try_*`
///   is never refused for room.
/// - [`Mailbox::bounded(n)`](Mailbox::bounded): at most `n` queued messages.
///   `tell` and `ask` wait for room (back-pressure); `try_tell` and
///   `try_ask` are refused at once with an `is_full` error that hands the
///   message back.
/// - `Mailbox::bounded(0)` is a *rendezvous* mailbox: nothing is queued, a
///   `tell` completes only when the actor takes the message, and a
///   `try_tell` succeeds only while the actor is idle, waiting for its next
///   message.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Worker;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let runtime = Runtime::builder().default_mailbox(Mailbox::bounded(1024)).build();
/// let a = runtime.spawn(Worker);                                // bounded(1024)
/// let b = runtime.spawn_with(Worker, Mailbox::unbounded());     // this one only
/// # runtime.shutdown().await;
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Mailbox {
    capacity: Option<usize>,
}

impl Mailbox {
    /// A mailbox holding at most `capacity` messages; `0` makes a rendezvous
    /// mailbox (see the type's docs).
    pub const fn bounded(capacity: usize) -> Self {
        Mailbox { capacity: Some(capacity) }
    }

    /// A mailbox without a limit.
    pub const fn unbounded() -> Self {
        Mailbox { capacity: None }
    }

    /// The capacity, `None` when unbounded.
    pub const fn capacity(&self) -> Option<usize> {
        self.capacity
    }
}
