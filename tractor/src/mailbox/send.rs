//! The sending side: [`Sender`] over a flume queue and the state word.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::Arc;

use super::state::{Entry, Liveness, Pushed, State};
use super::{Letter, Owner, Refused};

/// The non-waiting send, over any queue: register, `push`, finish; a send
/// that finds the actor died meanwhile runs `discard`.
#[inline]
pub(crate) fn send_now<T>(
    state: &State,
    item: T,
    push: impl FnOnce(T) -> Result<(), Refused<T>>,
    discard: impl FnOnce(),
) -> Result<(), Refused<T>> {
    if state.enter_send() == Entry::Closed {
        return Err(Refused::Stopped(item));
    }
    let sent = push(item);
    let pushed = if sent.is_ok() { Pushed::Yes } else { Pushed::No };
    if state.finish_send(pushed) == Liveness::Dead {
        discard();
    }
    sent
}

/// The sending side of an actor's mailbox: what every ref to the actor
/// shares. When it is dropped (the last ref is gone) the queue disconnects
/// and the actor drains and stops.
pub(crate) struct Sender<T, O: Owner> {
    /// Always `Some` until the drop, which disconnects it before waking the
    /// actor.
    tx: Option<flume::Sender<T>>,
    /// A second receiver, used only to discard messages that land after the
    /// actor died (see `state`, "Stop protocol").
    rx: flume::Receiver<T>,
    owner: Arc<O>,
}

impl<T: Letter, O: Owner> Sender<T, O> {
    pub(crate) fn new(tx: flume::Sender<T>, rx: flume::Receiver<T>, owner: Arc<O>) -> Self {
        Sender { tx: Some(tx), rx, owner }
    }

    /// What the mailbox belongs to.
    pub(crate) fn owner(&self) -> &Arc<O> {
        &self.owner
    }

    fn state(&self) -> &State {
        &self.owner.mailbox().state
    }

    fn tx(&self) -> &flume::Sender<T> {
        self.tx.as_ref().expect("the sender lives as long as the mailbox handle")
    }

    /// Enqueue without waiting.
    #[inline]
    pub(crate) fn try_send(&self, item: T) -> Result<(), Refused<T>> {
        send_now(self.state(), item, |item| self.push(item), || discard(&self.rx))
    }

    /// Enqueue an item that [`try_send`](Sender::try_send) refused as full,
    /// waiting for room (see `state`, "Waiting for room"). The item is
    /// handed to flume only by a push that cannot wait, inside a poll that
    /// then returns `Ok`: dropping the future while it waits drops the item
    /// unsent. `Err` hands the item back, never delivered: the mailbox was
    /// closed before the wait, or the actor was killed or ended during it.
    /// (Always `Some`: the `Option` is the callers' shape.)
    pub(crate) async fn send_waiting(&self, item: T) -> Result<(), T> {
        send_waiting_with(self.state(), item, |item| self.push(item), || discard(&self.rx)).await
    }

    #[inline]
    fn push(&self, item: T) -> Result<(), Refused<T>> {
        self.tx().try_send(item).map_err(|e| match e {
            flume::TrySendError::Full(item) => Refused::Full(item),
            flume::TrySendError::Disconnected(item) => Refused::Stopped(item),
        })
    }
}

/// The waiting send, over any queue (see `state`, "Waiting for room"):
/// registered as in flight and as waiting for its whole wait, it pushes
/// with the non-waiting `push` only, so whatever it has not pushed when it
/// is dropped is dropped with it. `Ok` once pushed (a send that finds the
/// actor died meanwhile runs `discard`, as [`send_now`] does); `Err` with the
/// item, unsent, when the mailbox was closed before it registered, or the
/// actor was killed or ended while it waited.
pub(crate) async fn send_waiting_with<T>(
    state: &State,
    mut item: T,
    mut push: impl FnMut(T) -> Result<(), Refused<T>>,
    discard: impl FnOnce(),
) -> Result<(), T> {
    if state.enter_send() == Entry::Closed {
        return Err(item);
    }
    let waiting = Waiting::new(state);
    loop {
        // Enabled before the push: room made after the push found the
        // mailbox full wakes this one (or is passed on if it is dropped).
        let mut room = pin!(state.room());
        room.as_mut().enable();
        if state.refuses_waiting() {
            return Err(item);
        }
        match push(item) {
            Ok(()) => {
                if waiting.pushed() == Liveness::Dead {
                    discard();
                }
                return Ok(());
            }
            Err(Refused::Full(back)) => item = back,
            Err(Refused::Stopped(back)) => return Err(back),
        }
        room.await;
    }
}

/// A send registered as in flight and as waiting for room; a drop before
/// [`pushed`](Waiting::pushed) (a cancel, or giving up) ends it unpushed.
struct Waiting<'a> {
    state: &'a State,
}

impl<'a> Waiting<'a> {
    fn new(state: &'a State) -> Self {
        state.start_waiting();
        Waiting { state }
    }

    /// The push succeeded: ends the send as pushed.
    fn pushed(self) -> Liveness {
        let state = self.state;
        std::mem::forget(self);
        state.stop_waiting();
        state.finish_send(Pushed::Yes)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.state.stop_waiting();
        // Nothing was pushed, so nothing of this send is left to discard.
        let _ = self.state.finish_send(Pushed::No);
    }
}

impl<T, O: Owner> Drop for Sender<T, O> {
    fn drop(&mut self) {
        // The last ref is gone: disconnect, then wake a parked actor so it
        // sees the disconnection.
        drop(self.tx.take());
        self.owner.mailbox().state.disconnected();
    }
}

/// Drop everything queued: asks resolve to `is_stopped`. A message whose
/// `Drop` panics does not stop the rest from being discarded, nor unwind out
/// of here (the actor's task, or a sender, is discarding on behalf of
/// nobody in particular).
pub(crate) fn discard<T: Letter>(rx: &flume::Receiver<T>) {
    while let Ok(item) = rx.try_recv() {
        let message = item.describe();
        tracing::debug!(message, "discarding a message sent to a stopped actor");
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(item))) {
            tracing::error!(message, "dropping a discarded message panicked");
            drop_payload(payload);
        }
    }
}

/// Drops a panic's payload, unless its own drop panics too: that payload is
/// forgotten (leaked), rather than unwinding.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}
