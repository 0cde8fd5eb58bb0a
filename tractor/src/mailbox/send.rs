//! The sending side: [`Sender`] over a flume queue and the state word.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

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
        send_now(
            self.state(),
            item,
            |item| {
                self.tx().try_send(item).map_err(|e| match e {
                    flume::TrySendError::Full(item) => Refused::Full(item),
                    flume::TrySendError::Disconnected(item) => Refused::Stopped(item),
                })
            },
            || discard(&self.rx),
        )
    }

    /// Enqueue an item that [`try_send`](Sender::try_send) refused as full,
    /// waiting for room. Gives the item back only when refused before any
    /// wait (the actor was stopped); `Err(None)` when it was dropped unhandled
    /// (the actor died while it waited).
    pub(crate) async fn send_waiting(&self, mut item: T) -> Result<(), Option<T>> {
        // The send counts as in flight until its first poll has put the
        // message where the actor's receiver finds it (the queue, or flume's
        // list of waiting sends, which `try_recv` pulls from): from then on a
        // graceful drain handles it.
        if self.state().enter_send() == Entry::Closed {
            return Err(Some(item));
        }
        let in_flight = InFlight(self);
        // A waiting send completes when the actor pulls the message, which
        // both a graceful drain (to handle it) and the final discard of a
        // killed actor do. The acknowledgement tells the two apart.
        let mut handled = item.acknowledge();
        let mut send = self.tx().send_async(item);
        let first = poll_fn(|cx| Poll::Ready(Pin::new(&mut send).poll(cx))).await;
        drop(in_flight);
        let waited = match first {
            Poll::Ready(Ok(())) => Waited::Sent,
            Poll::Ready(Err(flume::SendError(item))) => Waited::Refused(item),
            Poll::Pending => {
                let died = self.owner.mailbox().dead.notified();
                tokio::pin!(died);
                died.as_mut().enable();
                tokio::select! {
                    biased;
                    sent = &mut send => match sent {
                        Ok(()) => Waited::Sent,
                        Err(flume::SendError(item)) => Waited::Refused(item),
                    },
                    // The actor died. The message was handled if its
                    // acknowledgement fired; else it is dropped with the
                    // pending send (and an ask's reply slot with it, which
                    // resolves to `is_stopped`).
                    () = &mut died => if handled.try_recv().is_ok() { Waited::Handled } else { Waited::Dropped },
                }
            }
        };
        match waited {
            Waited::Sent if self.state().is_dead() => {
                // It may have landed after the final discard: discard again.
                discard(&self.rx);
                handled.await.map_err(|_| None)
            }
            Waited::Sent | Waited::Handled => Ok(()),
            Waited::Refused(item) => Err(Some(item)),
            Waited::Dropped => Err(None),
        }
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

/// How a send that waited for room ended.
enum Waited<T> {
    Sent,
    Handled,
    Refused(T),
    Dropped,
}

/// A registered send; finishes on drop, so a cancelled wait still finishes.
struct InFlight<'a, T: Letter, O: Owner>(&'a Sender<T, O>);

impl<T: Letter, O: Owner> Drop for InFlight<'_, T, O> {
    fn drop(&mut self) {
        // Counted as pushed even if refused: an overcount only makes the
        // actor look at its queue when it could have known it was empty.
        if self.0.state().finish_send(Pushed::Yes) == Liveness::Dead {
            discard(&self.0.rx);
        }
    }
}

/// Drop everything queued: asks resolve to `is_stopped`.
pub(crate) fn discard<T: Letter>(rx: &flume::Receiver<T>) {
    while let Ok(item) = rx.try_recv() {
        tracing::debug!(message = item.describe(), "discarding a message sent to a stopped actor");
        drop(item);
    }
}
