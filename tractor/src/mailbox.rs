//! Mailbox configuration.

/// The shape of an actor's mailbox: bounded (with back-pressure) or unbounded.
///
/// Mailboxes are [flume](https://docs.rs/flume) channels.
///
/// - [`Mailbox::unbounded`] (the default): `tell` never waits and `try_*`
///   is never refused for room.
/// - [`Mailbox::bounded(n)`](Mailbox::bounded): at most `n` queued messages.
///   `tell` and `ask` wait for room (back-pressure); `try_tell` and
///   `try_ask` are refused at once with an [`is_full`](crate::Error::is_full)
///   error that hands the message back.
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

    pub(crate) fn channel<T>(&self) -> (flume::Sender<T>, flume::Receiver<T>) {
        match self.capacity {
            Some(n) => flume::bounded(n),
            None => flume::unbounded(),
        }
    }
}
