//! The state shared between an actor's task and everything that refers to it.
//!
//! Two pieces:
//! - [`Control`] is type-erased: id, lifecycle flags, the stop reason and the
//!   actor task's waker. The runtime and parents hold it to stop actors
//!   without keeping their mailboxes open.
//! - [`Cell<A>`] is what an [`ActorRef`](crate::ActorRef) points at: the
//!   mailbox's sending side plus the `Control`. When the last `Cell` goes (all
//!   refs dropped) the mailbox disconnects and the actor stops gracefully.
//!
//! # Stop protocol
//!
//! flume cannot be closed while senders exist, so tractor keeps its own
//! state word: the flags `CLOSED`, `STOP`, `KILL`, `DEAD` in the low byte and
//! the number of sends in flight above it.
//!
//! - A send first registers itself and checks `CLOSED` in one atomic
//!   `fetch_add`; a closed actor refuses it at once. It leaves after its push
//!   (or, when it waits for room, after the wait).
//! - A graceful stop sets `CLOSED`, then drains: it ends only when no send is
//!   in flight *and* the queue is empty. So a send that was accepted is
//!   handled: none can slip in behind the drain.
//! - A kill does not drain. After `on_stop` the actor sets `DEAD` and
//!   discards what is queued (dropping an ask's reply slot answers it
//!   `is_stopped`); a send in flight that leaves after `DEAD` discards the
//!   queue itself, so no ask is left in a queue nobody reads.
//! - A send that waited for room carries an acknowledgement fired when
//!   handling starts: a dead actor's final discard also completes waiting
//!   sends, and the acknowledgement tells "handled" from "discarded".
//!
//! # Waking the actor
//!
//! The actor does not wait in flume's `recv_async` (which allocates a waiting
//! hook per wait and keeps it for the actor's life). It takes messages with
//! `try_recv`. The state word's top 32 bits count the sends that have left
//! (wrapping); a send leaves with one atomic add that both ends its
//! in-flight registration and bumps that count, and reads `PARKED`.
//!
//! - Before looking at the queue the actor reads the count. It also counts
//!   what it took: when no send is in flight and as many have left (having
//!   pushed) as it took, the queue is empty and it does not look. If the
//!   queue is empty it stores its waker in `Control` and sets `PARKED`,
//!   which returns the count again.
//! - Unchanged: every send that left before the flag was set had pushed
//!   before the first look, so the queue really is empty; any later one sees
//!   `PARKED`, clears it and wakes the actor. The actor sleeps.
//! - Changed: a send came in between; the actor looks again.
//!
//! So parking costs one atomic on the state word and no second look at the
//! queue, and an idle actor costs a sender nothing extra. Dropping the last
//! ref disconnects flume and then bumps the count the same way, so a parked
//! actor wakes and sees the disconnection. A rendezvous mailbox
//! (`Mailbox::bounded(0)`) keeps flume's own wait: a non-waiting send to it
//! succeeds only into a receiver that is waiting there.

use std::any::type_name;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Poll, Waker};

use tokio::sync::Notify;

use crate::actor::{Actor, StopReason};
use crate::actor_ref::ActorId;
use crate::error::{Error, TrySendError};
use crate::message::{Envelope, Message};

const CLOSED: u64 = 1;
const STOP: u64 = 2;
const KILL: u64 = 4;
const DEAD: u64 = 8;
/// The actor waits for mail (see "Waking the actor").
const PARKED: u64 = 16;
/// Set once at spawn: the mailbox is a rendezvous (`Mailbox::bounded(0)`).
const RENDEZVOUS: u64 = 32;
/// The mail waker is not the task's own; only the actor reads or writes it.
const MAIL_FOREIGN: u64 = 64;
/// One send in flight, counted in bits 8..32.
const SENDER: u64 = 1 << 8;
const IN_FLIGHT: u64 = 0xFFFF_FF00;
/// One send that has left, counted (wrapping) in bits 32..64.
const LEFT: u64 = 1 << 32;

/// Type-erased lifecycle state of one actor.
pub(crate) struct Control {
    pub(crate) id: ActorId,
    pub(crate) type_name: &'static str,
    /// Flags in the low byte, sends in flight above (see the module docs).
    state: AtomicU64,
    wakers: Mutex<Wakers>,
    done: Notify,
    reason: OnceLock<StopReason>,
}

impl Control {
    pub(crate) fn new(id: ActorId, type_name: &'static str, rendezvous: bool) -> Self {
        Control {
            id,
            type_name,
            state: AtomicU64::new(if rendezvous { RENDEZVOUS } else { 0 }),
            wakers: Mutex::new(Wakers { task: None, mail: None }),
            done: Notify::new(),
            reason: OnceLock::new(),
        }
    }

    /// A panic while the lock was held cannot leave two wakers inconsistent.
    fn wakers(&self) -> MutexGuard<'_, Wakers> {
        self.wakers.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn has(&self, flag: u64) -> bool {
        self.state.load(Ordering::SeqCst) & flag != 0
    }

    /// Registers a send; `false` (and not registered) if the actor is closed.
    fn enter_send(&self) -> bool {
        let prev = self.state.fetch_add(SENDER, Ordering::SeqCst);
        if prev & CLOSED != 0 {
            self.state.fetch_sub(SENDER, Ordering::SeqCst);
            return false;
        }
        true
    }

    /// Ends a send that `pushed` its message or not, waking the actor if it
    /// waits for mail; `true` if the actor died meanwhile.
    fn leave_send(&self, pushed: bool) -> bool {
        if !pushed {
            return self.state.fetch_sub(SENDER, Ordering::SeqCst) & DEAD != 0;
        }
        // One add: one fewer in flight, one more that has left.
        let prev = self.state.fetch_add(LEFT - SENDER, Ordering::SeqCst);
        if prev & PARKED != 0 {
            self.wake_mail();
        }
        prev & DEAD != 0
    }

    /// What the actor reads before it looks at the queue (see "Waking the
    /// actor"): the count of sends that have left, and whether a send is in
    /// flight.
    pub(crate) fn sends_left(&self) -> (u32, bool) {
        let state = self.state.load(Ordering::SeqCst);
        ((state >> 32) as u32, state & IN_FLIGHT != 0)
    }

    /// Registers `waker` to be woken by the next send and marks the actor
    /// parked. `true`: nothing happened since `seen` (from
    /// [`sends_left`](Control::sends_left) before the queue was found
    /// empty), so the actor may sleep. `false`: a send left or a stop came
    /// meanwhile; the flag is cleared again and the caller must look again.
    pub(crate) fn park(&self, waker: &Waker, seen: u32, task_waker: bool) -> bool {
        self.watch_mail(waker, task_waker);
        let prev = self.state.fetch_or(PARKED, Ordering::SeqCst);
        if (prev >> 32) as u32 == seen && prev & STOP == 0 {
            return true;
        }
        self.state.fetch_and(!PARKED, Ordering::SeqCst);
        false
    }

    /// Puts `waker` in the mail slot, which a stop or kill wakes (and, once
    /// parked, a send). `task_waker`: `waker` is the task's own, which the
    /// slot holds unless `recv` was last polled under another one; then the
    /// slot is left alone without taking its lock.
    #[inline]
    pub(crate) fn watch_mail(&self, waker: &Waker, task_waker: bool) {
        if !task_waker || self.has(MAIL_FOREIGN) {
            self.store_mail_waker(waker, task_waker);
        }
    }

    #[cold]
    fn store_mail_waker(&self, waker: &Waker, task_waker: bool) {
        let mut wakers = self.wakers();
        match wakers.mail.as_ref() {
            Some(w) if w.will_wake(waker) => {}
            _ => wakers.mail = Some(waker.clone()),
        }
        if task_waker {
            self.state.fetch_and(!MAIL_FOREIGN, Ordering::SeqCst);
        } else {
            self.state.fetch_or(MAIL_FOREIGN, Ordering::SeqCst);
        }
    }

    /// Counts as a send that left (waking a parked actor): used when the
    /// last ref goes, so the actor looks at the queue and sees it
    /// disconnected.
    fn notify_mail(&self) {
        if self.state.fetch_add(LEFT, Ordering::SeqCst) & PARKED != 0 {
            self.wake_mail();
        }
    }

    /// Wakes the actor if it is parked waiting for mail.
    fn wake_mail(&self) {
        if self.state.fetch_and(!PARKED, Ordering::SeqCst) & PARKED != 0
            && let Some(w) = self.wakers().mail.as_ref()
        {
            w.wake_by_ref();
        }
    }

    /// `true` when no send is between its registration and its push.
    pub(crate) fn no_send_in_flight(&self) -> bool {
        self.state.load(Ordering::SeqCst) & IN_FLIGHT == 0
    }

    /// The mailbox is a rendezvous: the actor waits inside flume.
    pub(crate) fn is_rendezvous(&self) -> bool {
        self.has(RENDEZVOUS)
    }

    pub(crate) fn stop_requested(&self) -> bool {
        self.has(STOP)
    }

    pub(crate) fn is_killed(&self) -> bool {
        self.has(KILL)
    }

    pub(crate) fn is_dead(&self) -> bool {
        self.has(DEAD)
    }

    /// Refuse new sends from now on.
    pub(crate) fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::SeqCst);
    }

    /// Graceful stop: new sends fail, queued messages are still handled.
    pub(crate) fn request_stop(&self) {
        self.state.fetch_or(CLOSED | STOP, Ordering::SeqCst);
        self.wake();
    }

    /// Drop the work in flight and stop.
    pub(crate) fn kill(&self) {
        self.state.fetch_or(CLOSED | STOP | KILL, Ordering::SeqCst);
        self.wake();
    }

    /// Registers the task's waker, for stop and kill and as the mail waker.
    pub(crate) fn set_waker(&self, waker: &Waker) {
        *self.wakers() = Wakers { task: Some(waker.clone()), mail: Some(waker.clone()) };
    }

    /// Wakes the task wherever it waits, and `recv` if it is polled under
    /// another waker (a user's `step` may poll it inside its own futures),
    /// parked or waiting in flume (a rendezvous).
    fn wake(&self) {
        self.state.fetch_and(!PARKED, Ordering::SeqCst);
        let wakers = self.wakers();
        if let Some(w) = wakers.task.as_ref() {
            w.wake_by_ref();
        }
        if let Some(w) = wakers.mail.as_ref()
            && !wakers.task.as_ref().is_some_and(|task| task.will_wake(w))
        {
            w.wake_by_ref();
        }
    }

    /// Record the end of the actor: sends fail, waiters wake.
    pub(crate) fn finish(&self, reason: StopReason) {
        let _ = self.reason.set(reason);
        self.state.fetch_or(CLOSED | DEAD, Ordering::SeqCst);
        // Release the task's wakers: they keep the task allocation alive.
        *self.wakers() = Wakers { task: None, mail: None };
        self.done.notify_waiters();
    }

    /// Resolves once [`finish`](Control::finish) has run.
    pub(crate) async fn wait(&self) -> StopReason {
        loop {
            let notified = self.done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(reason) = self.reason.get() {
                return reason.clone();
            }
            notified.await;
        }
    }
}

/// Why a non-waiting send was refused; the envelope comes back.
pub(crate) enum Refused<A: Actor> {
    Full(Envelope<A>),
    Stopped(Envelope<A>),
}

impl<A: Actor> Refused<A> {
    /// The refusal as the user sees it: the error, with `M` handed back.
    pub(crate) fn into_try_error<M: Message<A>>(self, ctl: &Control) -> TrySendError<M> {
        let (error, env) = match self {
            Refused::Full(env) => (Error::full(ctl.id, ctl.type_name, type_name::<M>()), env),
            Refused::Stopped(env) => (Error::stopped(ctl.id, ctl.type_name, type_name::<M>()), env),
        };
        TrySendError::new(error, env.into_message::<M>())
    }
}

/// The two wakers of an actor.
struct Wakers {
    /// The actor task's own, registered once when the task starts, so a stop
    /// or kill can wake it wherever it is parked.
    task: Option<Waker>,
    /// Whoever waits in `Context::recv` (see "Waking the actor"); usually
    /// the task's own.
    mail: Option<Waker>,
}

/// What an [`ActorRef`](crate::ActorRef) points at.
pub(crate) struct Cell<A: Actor> {
    /// Always `Some` until the drop, which disconnects it before waking the
    /// actor.
    tx: Option<flume::Sender<Envelope<A>>>,
    /// A second receiver, used only to discard messages that land after the
    /// actor died (see the module docs).
    rx: flume::Receiver<Envelope<A>>,
    pub(crate) ctl: Arc<Control>,
}

impl<A: Actor> Cell<A> {
    pub(crate) fn new(tx: flume::Sender<Envelope<A>>, rx: flume::Receiver<Envelope<A>>, ctl: Arc<Control>) -> Self {
        Cell { tx: Some(tx), rx, ctl }
    }

    fn tx(&self) -> &flume::Sender<Envelope<A>> {
        self.tx.as_ref().expect("the sender lives as long as the cell")
    }

    /// Enqueue without waiting.
    pub(crate) fn try_send(&self, env: Envelope<A>) -> Result<(), Refused<A>> {
        if !self.ctl.enter_send() {
            return Err(Refused::Stopped(env));
        }
        let sent = self.tx().try_send(env);
        if self.ctl.leave_send(sent.is_ok()) {
            discard(&self.rx);
        }
        match sent {
            Ok(()) => Ok(()),
            Err(flume::TrySendError::Full(env)) => Err(Refused::Full(env)),
            Err(flume::TrySendError::Disconnected(env)) => Err(Refused::Stopped(env)),
        }
    }

    /// Enqueue an envelope that [`try_send`](Cell::try_send) refused as
    /// full, waiting for room. Gives the envelope back only when refused
    /// before any wait (the actor was stopped).
    pub(crate) async fn send_waiting(&self, mut env: Envelope<A>) -> Result<(), Option<Envelope<A>>> {
        // Wait for room, or for the actor to die. The send counts
        // as in flight until its first poll has put the message where the
        // actor's receiver finds it (the queue, or flume's list of waiting
        // sends, which `try_recv` pulls from): from then on a graceful drain
        // handles it.
        if !self.ctl.enter_send() {
            return Err(Some(env));
        }
        let in_flight = InFlight(self);
        // A waiting send completes when the actor pulls the message, which
        // both a graceful drain (to handle it) and the final discard of a
        // killed actor do. The acknowledgement tells the two apart.
        let mut handled = env.acknowledge();
        let mut send = self.tx().send_async(env);
        let first = poll_fn(|cx| Poll::Ready(Pin::new(&mut send).poll(cx))).await;
        drop(in_flight);
        let waited = match first {
            Poll::Ready(Ok(())) => Waited::Sent,
            Poll::Ready(Err(flume::SendError(env))) => Waited::Refused(env),
            Poll::Pending => {
                let died = self.ctl.done.notified();
                tokio::pin!(died);
                died.as_mut().enable();
                tokio::select! {
                    biased;
                    sent = &mut send => match sent {
                        Ok(()) => Waited::Sent,
                        Err(flume::SendError(env)) => Waited::Refused(env),
                    },
                    // The actor was killed. The message was handled if its
                    // acknowledgement fired; else it is dropped with the
                    // pending send, and an ask's reply slot with it, which
                    // resolves to `is_stopped`.
                    () = &mut died => if handled.try_recv().is_ok() { Waited::Handled } else { Waited::Dropped },
                }
            }
        };
        match waited {
            Waited::Sent if self.ctl.is_dead() => {
                // It may have landed after the final discard: discard again.
                discard(&self.rx);
                handled.await.map_err(|_| None)
            }
            Waited::Sent | Waited::Handled => Ok(()),
            Waited::Refused(env) => Err(Some(env)),
            Waited::Dropped => Err(None),
        }
    }
}

impl<A: Actor> Drop for Cell<A> {
    fn drop(&mut self) {
        // The last ref is gone: disconnect, then wake a parked actor so it
        // sees the disconnection (see "Waking the actor").
        drop(self.tx.take());
        self.ctl.notify_mail();
    }
}

/// How a send that waited for room ended.
enum Waited<A: Actor> {
    Sent,
    Handled,
    Refused(Envelope<A>),
    Dropped,
}

/// A registered send; leaves on drop, so a cancelled wait still leaves.
struct InFlight<'a, A: Actor>(&'a Cell<A>);

impl<A: Actor> Drop for InFlight<'_, A> {
    fn drop(&mut self) {
        // Counted as pushed even if refused: an overcount only makes the
        // actor look at its queue when it could have known it was empty.
        if self.0.ctl.leave_send(true) {
            discard(&self.0.rx);
        }
    }
}

/// Drop everything queued: asks resolve to `is_stopped`.
pub(crate) fn discard<A: Actor>(rx: &flume::Receiver<Envelope<A>>) {
    while let Ok(env) = rx.try_recv() {
        tracing::debug!(message = env.message_type(), "discarding a message sent to a stopped actor");
        drop(env);
    }
}
