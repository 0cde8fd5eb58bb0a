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
//! flags. `CLOSED` makes new sends fail at once; `DEAD` is set after
//! `on_stop`, right before the actor task discards whatever is still queued.
//! A send that raced past the `CLOSED` check may still land after that
//! discard: the sender checks `DEAD` after enqueueing and, if set, discards
//! the queue itself (dropping an ask's reply slot answers it with
//! `is_stopped`). A sender waiting for room also watches for death. So no
//! ask is ever left in a queue nobody reads.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Waker;

use tokio::sync::Notify;

use crate::actor::{Actor, StopReason};
use crate::actor_ref::ActorId;
use crate::message::Envelope;

const CLOSED: u8 = 1;
const STOP: u8 = 2;
const KILL: u8 = 4;
const DEAD: u8 = 8;

/// Type-erased lifecycle state of one actor.
pub(crate) struct Control {
    pub(crate) id: ActorId,
    pub(crate) type_name: &'static str,
    flags: AtomicU8,
    /// The actor task's waker, registered once when the task starts, so a
    /// stop or kill can wake it wherever it is parked.
    waker: Mutex<Option<Waker>>,
    done: Notify,
    reason: OnceLock<StopReason>,
}

impl Control {
    pub(crate) fn new(id: ActorId, type_name: &'static str) -> Self {
        Control {
            id,
            type_name,
            flags: AtomicU8::new(0),
            waker: Mutex::new(None),
            done: Notify::new(),
            reason: OnceLock::new(),
        }
    }

    fn has(&self, flag: u8) -> bool {
        self.flags.load(Ordering::SeqCst) & flag != 0
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.has(CLOSED)
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
        self.flags.fetch_or(CLOSED, Ordering::SeqCst);
    }

    /// Graceful stop: new sends fail, queued messages are still handled.
    pub(crate) fn request_stop(&self) {
        self.flags.fetch_or(CLOSED | STOP, Ordering::SeqCst);
        self.wake();
    }

    /// Drop the work in flight and stop.
    pub(crate) fn kill(&self) {
        self.flags.fetch_or(CLOSED | STOP | KILL, Ordering::SeqCst);
        self.wake();
    }

    pub(crate) fn set_waker(&self, waker: &Waker) {
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(waker.clone());
    }

    fn wake(&self) {
        if let Some(w) = self.waker.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            w.wake_by_ref();
        }
    }

    /// Record the end of the actor: sends fail, waiters wake.
    pub(crate) fn finish(&self, reason: StopReason) {
        let _ = self.reason.set(reason);
        self.flags.fetch_or(CLOSED | DEAD, Ordering::SeqCst);
        // Release the task's waker: it keeps the task allocation alive.
        self.waker.lock().unwrap_or_else(|e| e.into_inner()).take();
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

/// What an [`ActorRef`](crate::ActorRef) points at.
pub(crate) struct Cell<A: Actor> {
    tx: flume::Sender<Envelope<A>>,
    /// A second receiver, used only to discard messages that land after the
    /// actor died (see the module docs).
    rx: flume::Receiver<Envelope<A>>,
    pub(crate) ctl: Arc<Control>,
}

impl<A: Actor> Cell<A> {
    pub(crate) fn new(tx: flume::Sender<Envelope<A>>, rx: flume::Receiver<Envelope<A>>, ctl: Arc<Control>) -> Self {
        Cell { tx, rx, ctl }
    }

    /// Enqueue without waiting.
    pub(crate) fn try_send(&self, env: Envelope<A>) -> Result<(), Refused<A>> {
        if self.ctl.is_closed() {
            return Err(Refused::Stopped(env));
        }
        match self.tx.try_send(env) {
            Ok(()) => {
                self.after_send();
                Ok(())
            }
            Err(flume::TrySendError::Full(env)) => Err(Refused::Full(env)),
            Err(flume::TrySendError::Disconnected(env)) => Err(Refused::Stopped(env)),
        }
    }

    /// Enqueue, waiting for room in a bounded mailbox. Gives the envelope
    /// back only when refused before any wait (the actor was stopped).
    pub(crate) async fn send(&self, env: Envelope<A>) -> Result<(), Option<Envelope<A>>> {
        let mut env = match self.try_send(env) {
            Ok(()) => return Ok(()),
            Err(Refused::Stopped(env)) => return Err(Some(env)),
            Err(Refused::Full(env)) => env,
        };
        // Slow path: wait for room, or for the actor to die.
        let died = self.ctl.done.notified();
        tokio::pin!(died);
        died.as_mut().enable();
        if self.ctl.is_dead() {
            return Err(Some(env));
        }
        // A waiting send completes when the actor pulls the message, which
        // both a graceful drain (to handle it) and the final discard of a
        // dead actor do. The acknowledgement tells the two apart.
        let handled = env.acknowledge();
        tokio::select! {
            biased;
            sent = self.tx.send_async(env) => match sent {
                Ok(()) if self.ctl.is_dead() => {
                    discard(&self.rx);
                    // Resolves at once: the message was handled or dropped.
                    handled.await.map_err(|_| None)
                }
                Ok(()) => Ok(()),
                Err(flume::SendError(env)) => Err(Some(env)),
            },
            // The pending send is dropped with its message; an ask's reply
            // slot goes with it and resolves to `is_stopped`.
            () = &mut died => Err(None),
        }
    }

    fn after_send(&self) {
        if self.ctl.is_dead() {
            discard(&self.rx);
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
