//! The receiving side: [`Receiver`], which only the actor's task uses.

use std::future::{Future, poll_fn};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll, Waker};

use super::state::{Park, State, WakerKind};
use super::sync::AtomicU32;
use super::{Letter, Owner};

/// One look at a queue.
pub(crate) enum Take<T> {
    Item(T),
    Empty,
    /// Every sender is gone and the queue is empty.
    Disconnected,
}

/// One poll of the receive loop, over any queue (see `state`, "Waking the
/// actor"): `Some` with the next item, `None` once a stop was asked for or
/// every sender is gone and the queue is empty, `Pending` once parked under
/// `waker`, whose `kind` is asked only then (a message waiting needs no
/// look at the waker). `taken` counts what this receiver took, wrapping.
#[inline]
pub(crate) fn poll_take<T>(
    state: &State,
    taken: &AtomicU32,
    waker: &Waker,
    kind: impl Fn() -> WakerKind,
    mut take: impl FnMut() -> Take<T>,
) -> Poll<Option<T>> {
    if state.stop_requested() {
        return Poll::Ready(None);
    }
    loop {
        let seen = state.observe();
        if seen.sending() || seen.finished != taken.load(Relaxed) {
            match take() {
                Take::Item(item) => {
                    taken.store(taken.load(Relaxed).wrapping_add(1), Relaxed);
                    return Poll::Ready(Some(item));
                }
                Take::Disconnected => return Poll::Ready(None),
                // Empty: every send counted in `seen` pushed before it was
                // read, and the look found none of them, so the two counts
                // agree again (an overcount, from a waiting send that was
                // cancelled, ends here).
                Take::Empty => taken.store(seen.finished, Relaxed),
            }
        }
        match state.park(waker, seen, kind()) {
            Park::Asleep => return Poll::Pending,
            Park::LookAgain if state.stop_requested() => return Poll::Ready(None),
            Park::LookAgain => {}
        }
    }
}

/// Whether a receiver that waits outside the state word (a rendezvous waits
/// inside flume) may wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Watch {
    /// A stop was asked for: stop instead.
    Stopped,
    /// `waker` is registered: a stop from now on wakes it.
    Waiting,
}

/// Registers `waker` so that a stop reaches a wait outside the state word:
/// look at the flag, register, look again (a stop between the first look
/// and the registration would find no waker to wake).
pub(crate) fn watch_stop(state: &State, waker: &Waker, kind: WakerKind) -> Watch {
    if state.stop_requested() {
        return Watch::Stopped;
    }
    state.watch_mail(waker, kind);
    if state.stop_requested() { Watch::Stopped } else { Watch::Waiting }
}

/// One look at a queue through [`take`](Take), then the room signal: a
/// take from a bounded mailbox made room for a waiting send (see `state`,
/// "Waiting for room").
#[inline]
pub(crate) fn take_from<T>(state: &State, bounded: bool, take: impl FnOnce() -> Take<T>) -> Take<T> {
    let took = take();
    if bounded && matches!(took, Take::Item(_)) {
        state.made_room();
    }
    took
}

/// One poll of a rendezvous receive, which waits inside the queue
/// (`wait_inside`): a stop reaches it ([`watch_stop`]), and each time it
/// starts waiting there it has room for one waiting send.
#[inline]
pub(crate) fn poll_rendezvous<T>(
    state: &State,
    cx: &mut Context<'_>,
    kind: WakerKind,
    wait_inside: impl FnOnce(&mut Context<'_>) -> Poll<Option<T>>,
) -> Poll<Option<T>> {
    if watch_stop(state, cx.waker(), kind) == Watch::Stopped {
        return Poll::Ready(None);
    }
    let next = wait_inside(cx);
    if next.is_pending() {
        state.made_room();
    }
    next
}

/// One poll of a graceful drain, over any queue: `Some` with the next
/// item, `None` once the queue is empty and no send is in flight (none can
/// start: the mailbox is closed), or on a kill; `Pending`, parked under
/// `waker`, while a send in flight has yet to push or give up. A rendezvous
/// drain also waits inside the queue (`wait_inside`), so that a waiting send
/// can hand its item over.
#[inline]
pub(crate) fn poll_drain<T>(
    state: &State,
    cx: &mut Context<'_>,
    kind: WakerKind,
    mut take: impl FnMut() -> Take<T>,
    mut wait_inside: impl FnMut(&mut Context<'_>) -> Poll<Option<T>>,
) -> Poll<Option<T>> {
    loop {
        if state.is_killed() {
            return Poll::Ready(None);
        }
        // Read the in-flight count before the queue: once it is zero no send
        // can start (closed), so an empty queue then is the end.
        let seen = state.observe();
        if let Take::Item(item) = take() {
            return Poll::Ready(Some(item));
        }
        if !seen.sending() {
            return Poll::Ready(None);
        }
        if state.is_rendezvous() {
            match wait_inside(cx) {
                Poll::Ready(Some(item)) => return Poll::Ready(Some(item)),
                // Disconnected: no send can be in flight; look again.
                Poll::Ready(None) => {}
                Poll::Pending => state.made_room(),
            }
        }
        match state.park_drain(cx.waker(), seen, kind) {
            Park::Asleep => return Poll::Pending,
            Park::LookAgain => {}
        }
    }
}

/// The receiving side of an actor's mailbox, owned by the actor's task.
pub(crate) struct Receiver<T, O> {
    rx: flume::Receiver<T>,
    owner: Arc<O>,
    /// The task's waker: `recv` polled under it parks without a lock.
    task_waker: Option<Waker>,
    /// Items `recv` took, wrapping: with the sends that have finished it
    /// tells an empty queue without a look.
    taken: AtomicU32,
    /// The mailbox has a capacity: a take makes room for a waiting send.
    bounded: bool,
}

impl<T: Letter, O: Owner> Receiver<T, O> {
    pub(crate) fn new(rx: flume::Receiver<T>, owner: Arc<O>) -> Self {
        let bounded = rx.capacity().is_some();
        Receiver { rx, owner, task_waker: None, taken: AtomicU32::new(0), bounded }
    }

    /// What the mailbox belongs to.
    pub(crate) fn owner(&self) -> &Arc<O> {
        &self.owner
    }

    fn state(&self) -> &State {
        &self.owner.mailbox().state
    }

    /// Registers the task's waker (once, when the task starts).
    pub(crate) fn set_task_waker(&mut self, waker: Waker) {
        self.state().set_task_waker(&waker);
        self.task_waker = Some(waker);
    }

    fn waker_kind(&self, waker: &Waker) -> WakerKind {
        match &self.task_waker {
            Some(w) if w.will_wake(waker) => WakerKind::Task,
            _ => WakerKind::Foreign,
        }
    }

    #[inline]
    fn take(&self) -> Take<T> {
        take_from(self.state(), self.bounded, || match self.rx.try_recv() {
            Ok(item) => Take::Item(item),
            Err(flume::TryRecvError::Empty) => Take::Empty,
            Err(flume::TryRecvError::Disconnected) => Take::Disconnected,
        })
    }

    /// Waits for the next item: `None` once a stop was asked for, or once
    /// every sender is gone and the queue is empty. Cancel safe: an item is
    /// taken only when this resolves.
    #[inline]
    pub(crate) fn recv(&self) -> impl Future<Output = Option<T>> + Send + Unpin + '_
    where
        O: Sync,
    {
        // Only a rendezvous mailbox waits inside flume.
        let mut rendezvous = None;
        poll_fn(move |cx| {
            let state = self.state();
            if !state.is_rendezvous() {
                let waker = cx.waker();
                return poll_take(state, &self.taken, waker, || self.waker_kind(waker), || self.take());
            }
            // Boxed: a rendezvous is rare, and every actor's task has room
            // for this future.
            let next = rendezvous.get_or_insert_with(|| Box::pin(self.rx.recv_async()));
            let kind = self.waker_kind(cx.waker());
            poll_rendezvous(state, cx, kind, |cx| next.as_mut().poll(cx).map(Result::ok))
        })
    }

    /// The next item of a graceful drain; `None` once the queue is empty and
    /// no send is in flight, or on a kill.
    pub(crate) async fn drain_next(&self) -> Option<T> {
        // A rendezvous drain waits inside flume too (see `poll_drain`).
        let mut rendezvous = None;
        poll_fn(move |cx| {
            let kind = self.waker_kind(cx.waker());
            poll_drain(
                self.state(),
                cx,
                kind,
                || self.take(),
                |cx| {
                    let next = rendezvous.get_or_insert_with(|| Box::pin(self.rx.recv_async()));
                    let polled = next.as_mut().poll(cx).map(Result::ok);
                    if polled.is_ready() {
                        rendezvous = None;
                    }
                    polled
                },
            )
        })
        .await
    }

    /// Every sender is gone: nothing new can arrive.
    pub(crate) fn is_disconnected(&self) -> bool {
        self.rx.is_disconnected()
    }

    /// Drops everything queued: asks resolve to `is_stopped`.
    pub(crate) fn discard(&self) {
        super::send::discard(&self.rx);
    }
}
