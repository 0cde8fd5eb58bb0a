//! One timer or attached stream: the [`Entry`] its handle, its task, the
//! registry and its queued ticks or items share, the tasks that feed the
//! mailbox, and how they send into it without keeping the actor alive.

use std::any::Any;
use std::future::poll_fn;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::task::Poll;
use std::time::Duration;

use futures_core::Stream;
use tokio::sync::Notify;
use tokio::task::AbortHandle;

use super::message::{StreamItem, TimerTick};
use crate::actor::Actor;
use crate::handle::{ActorId, Cell};
use crate::mailbox::state::State;
use crate::mailbox::{Owner, Refused};
use crate::message::{Envelope, Message};
use crate::runtime::Control;
use crate::util::drop_quietly;

/// What one timer or stream's handle, task, registry slot and queued ticks
/// or items share. `S` is its source: the message of a `tell_after`, the
/// closure of a `tell_every`, the stream of an `attach`.
pub(crate) struct Entry<S> {
    /// The actor's incarnation it was started in (see `Timers`).
    incarnation: u64,
    /// Set first thing by a cancel: a tick or item of a cancelled entry is
    /// dropped when the actor takes it.
    cancelled: AtomicBool,
    /// Taken (and dropped) by a cancel, by the end of a stream, and by the
    /// handling of a `tell_after`'s tick. `None`: the entry is over.
    source: Mutex<Option<S>>,
    /// The task that sleeps or polls, aborted by a cancel.
    task: OnceLock<AbortHandle>,
    /// `tell_every`: the actor took the last tick, the next period starts.
    taken: Notify,
}

impl<S> Entry<S> {
    pub(crate) fn new(incarnation: u64, source: S) -> Arc<Self> {
        Arc::new(Entry {
            incarnation,
            cancelled: AtomicBool::new(false),
            source: Mutex::new(Some(source)),
            task: OnceLock::new(),
            taken: Notify::new(),
        })
    }

    /// Records the task that feeds this entry, so that a cancel aborts it.
    pub(crate) fn set_task(&self, task: AbortHandle) {
        let _ = self.task.set(task);
    }

    /// Drops the source (quietly: this runs on the entry's task, which has
    /// nobody to report a panic to but the log).
    fn release(&self) {
        let source = lock(&self.source).take();
        if let Some(text) = drop_quietly(source) {
            tracing::error!("dropping an attached stream panicked: {text}");
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How the registry and the handles end an entry, whatever its source.
pub(crate) trait Switch: Send + Sync {
    /// No tick or item of it is handled from now on, even one already
    /// queued; its task is aborted and its source dropped, here.
    fn cancel(&self);
    /// Not cancelled, and its source is still there.
    fn is_active(&self) -> bool;
}

impl<S: Send> Switch for Entry<S> {
    fn cancel(&self) {
        self.cancelled.store(true, SeqCst);
        if let Some(task) = self.task.get() {
            task.abort();
        }
        // Taken under the lock (which the task holds only while it polls a
        // stream), dropped outside it.
        let source = lock(&self.source).take();
        drop(source);
    }

    fn is_active(&self) -> bool {
        !self.cancelled.load(SeqCst) && lock(&self.source).is_some()
    }
}

/// What a queued tick or item asks of its entry when the actor takes it.
pub(crate) trait Live: Send + Sync {
    fn incarnation(&self) -> u64;
    fn is_cancelled(&self) -> bool;
}

impl<S: Send> Live for Entry<S> {
    fn incarnation(&self) -> u64 {
        self.incarnation
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(SeqCst)
    }
}

/// A timer whose tick is being handled: its message, if it still has one.
pub(crate) trait Due<M>: Send + Sync {
    fn incarnation(&self) -> u64;
    fn is_cancelled(&self) -> bool;
    /// The message of this tick; `None` if the timer is over.
    fn take(&self) -> Option<M>;
}

/// The source of a `tell_after`: its one message.
pub(crate) struct Once<M>(pub(crate) M);

/// The source of a `tell_every`: the closure that makes each tick's message.
pub(crate) struct Every<F>(pub(crate) F);

impl<M: Send> Due<M> for Entry<Once<M>> {
    fn incarnation(&self) -> u64 {
        self.incarnation
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(SeqCst)
    }

    fn take(&self) -> Option<M> {
        lock(&self.source).take().map(|Once(msg)| msg)
    }
}

impl<M, F: FnMut() -> M + Send> Due<M> for Entry<Every<F>> {
    fn incarnation(&self) -> u64 {
        self.incarnation
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(SeqCst)
    }

    fn take(&self) -> Option<M> {
        // The next period runs from now (see `every`).
        self.taken.notify_one();
        // Called on the actor, inside its handling, and out of the lock: the
        // closure may cancel its own timer. A panic in it is the actor's,
        // with its usual isolation, and the closure stays for the next tick.
        let mut every = lock(&self.source).take()?;
        let made = catch_unwind(AssertUnwindSafe(|| (every.0)()));
        let mut slot = lock(&self.source);
        if self.cancelled.load(SeqCst) {
            // Cancelled while it ran: dropped here, out of the lock.
            drop(slot);
            drop(every);
        } else {
            *slot = Some(every);
        }
        match made {
            Ok(msg) => Some(msg),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }
}

/// The actor's mailbox as a timer's or a stream's task sees it: through a
/// weak handle, so that it keeps the actor alive at no moment longer than
/// one non-waiting push.
pub(crate) struct Inbox<A: Actor> {
    cell: Weak<Cell<A>>,
    /// For the room signal: the control block keeps no mailbox open.
    ctl: Arc<Control>,
    id: ActorId,
}

/// Why a task stops sending: the actor is stopping or gone.
pub(crate) struct Gone;

/// How one non-waiting push went.
enum Push<A: Actor> {
    Sent,
    Full(Envelope<A>),
    Gone,
}

impl<A: Actor> Inbox<A> {
    pub(crate) fn new(cell: Weak<Cell<A>>, ctl: Arc<Control>) -> Self {
        let id = ctl.id;
        Inbox { cell, ctl, id }
    }

    /// An envelope for `msg` from the actor itself: a tick or an item is
    /// handled like a tell the actor sent itself.
    fn envelope<M: Message<A>>(&self, msg: M) -> Envelope<A> {
        Envelope::new(msg, None, Some(self.id))
    }

    fn push(&self, env: Envelope<A>) -> Push<A> {
        let Some(cell) = self.cell.upgrade() else { return Push::Gone };
        match cell.try_send(env) {
            Ok(()) => Push::Sent,
            Err(Refused::Full(env)) => Push::Full(env),
            Err(Refused::Stopped(_)) => Push::Gone,
        }
    }

    /// Puts `env` into the mailbox, waiting for room in a full bounded one.
    ///
    /// The waiting send of the mailbox (`send_waiting`) stays registered as
    /// in flight for its whole wait and borrows the actor's cell, which
    /// would keep the actor alive (two streams waiting in turn could do it
    /// for ever) and hold up a graceful stop. This one follows the same
    /// room protocol (see `mailbox::state`, "Waiting for room") but is
    /// registered only for each non-waiting push, upgrading its weak handle
    /// just for that push: a stop closes the mailbox to it, and the last
    /// ref's drop disconnects the mailbox while it waits.
    async fn deliver(&self, env: Envelope<A>) -> Result<(), Gone> {
        let mut env = match self.push(env) {
            Push::Sent => return Ok(()),
            Push::Gone => return Err(Gone),
            Push::Full(env) => env,
        };
        let state = &self.ctl.mailbox().state;
        let mut waiting = Waiting::new(state);
        loop {
            // Enabled before the push: room made after a push found the
            // mailbox full wakes this wait.
            let mut room = pin!(state.room());
            room.as_mut().enable();
            if state.refuses_waiting() {
                return Err(Gone);
            }
            env = match self.push(env) {
                Push::Sent => {
                    waiting.pushed = true;
                    return Ok(());
                }
                Push::Gone => return Err(Gone),
                Push::Full(env) => env,
            };
            room.await;
        }
    }
}

/// Counted as a send waiting for room (so the actor signals room) until
/// dropped.
struct Waiting<'a> {
    state: &'a State,
    pushed: bool,
}

impl<'a> Waiting<'a> {
    fn new(state: &'a State) -> Self {
        state.start_waiting();
        Waiting { state, pushed: false }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.state.stop_waiting();
        if !self.pushed {
            // It gave up (the mailbox closed, or its task was aborted) and
            // may have taken a room signal meant for a send that still waits
            // (a tell held up by a graceful drain): pass one on. A send woken
            // for no room goes round again.
            self.state.made_room();
        }
    }
}

/// A `tell_after`'s task: sleeps, then sends its tick. The message stays in
/// the entry until the actor takes the tick, so a cancel drops it.
pub(crate) async fn after<A: Actor, M: Message<A>>(inbox: Inbox<A>, entry: Arc<Entry<Once<M>>>, delay: Duration) {
    tokio::time::sleep(delay).await;
    let _ = inbox.deliver(inbox.envelope(TimerTick::new(entry))).await;
}

/// A `tell_every`'s task: one tick in the mailbox at a time, the next sent
/// one period after the actor took the last (fixed delay; see
/// [`Context::tell_every`](crate::Context::tell_every)).
pub(crate) async fn every<A, M, F>(inbox: Inbox<A>, entry: Arc<Entry<Every<F>>>, period: Duration)
where
    A: Actor,
    M: Message<A>,
    F: FnMut() -> M + Send + 'static,
{
    loop {
        tokio::time::sleep(period).await;
        let tick = TimerTick::new(Arc::clone(&entry) as Arc<dyn Due<M>>);
        if inbox.deliver(inbox.envelope(tick)).await.is_err() {
            return;
        }
        // A tick the actor never takes (it stops first) leaves this waiting:
        // the actor's end cancels the entry, which aborts this task.
        entry.taken.notified().await;
    }
}

/// What one poll of an attached stream gave.
enum Next<T> {
    Item(T),
    Panicked(Box<dyn Any + Send>),
    End,
    /// Cancelled meanwhile.
    Gone,
}

/// An attached stream's task: the next item is pulled only once the last one
/// is in the mailbox, so a full bounded mailbox holds the stream back (one
/// item pulled ahead, waiting for room). A panic in the stream ends it and is
/// handed to the actor as its own (see `StreamItem`).
pub(crate) async fn feed<A, S>(inbox: Inbox<A>, entry: Arc<Entry<Pin<Box<S>>>>)
where
    A: Actor,
    S: Stream + Send + 'static,
    S::Item: Message<A>,
{
    loop {
        let next = poll_fn(|cx| {
            let mut source = lock(&entry.source);
            let Some(stream) = source.as_mut() else { return Poll::Ready(Next::Gone) };
            Poll::Ready(match catch_unwind(AssertUnwindSafe(|| stream.as_mut().poll_next(cx))) {
                Ok(Poll::Ready(Some(item))) => Next::Item(item),
                Ok(Poll::Ready(None)) => Next::End,
                Ok(Poll::Pending) => return Poll::Pending,
                Err(payload) => Next::Panicked(payload),
            })
        })
        .await;
        let item = match next {
            Next::Item(item) => Ok(item),
            Next::Panicked(payload) => {
                entry.release();
                Err(payload)
            }
            Next::End => return entry.release(),
            Next::Gone => return,
        };
        let last = item.is_err();
        let env = inbox.envelope(StreamItem::new(Arc::clone(&entry) as Arc<dyn Live>, item));
        if inbox.deliver(env).await.is_err() {
            // The actor is stopping: its end would drop the stream anyway.
            return entry.release();
        }
        if last {
            return;
        }
    }
}
