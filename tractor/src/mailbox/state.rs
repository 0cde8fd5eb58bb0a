//! The state word: one `u64` that senders, the actor and whoever stops it
//! agree through. Everything else in the mailbox is built on the operations
//! here; `loom` models of them are in `mailbox/model.rs`.
//!
//! # Layout
//!
//! | bits   | what |
//! |--------|------|
//! | 0..8   | flags: `CLOSED`, `STOP`, `KILL`, `DEAD`, `PARKED`, `RENDEZVOUS`, `MAIL_FOREIGN` |
//! | 8..32  | sends in flight: registered, not yet finished |
//! | 32..64 | sends finished, wrapping: each one that pushed (or may have) adds one |
//!
//! # Stop protocol
//!
//! flume cannot be closed while senders exist, so the state word decides who
//! may still send.
//!
//! - A send registers first ([`State::enter_send`]) and reads `CLOSED` in the
//!   same `fetch_add`; a closed mailbox refuses it at once. It finishes after
//!   its push, or when it gives up (see "Waiting for room").
//! - A graceful stop sets `CLOSED`, then drains: it ends only when no send is
//!   in flight *and* the queue is empty. So a send that was accepted is
//!   handled: none can slip in behind the drain.
//! - A kill does not drain. When the actor is over it sets `DEAD`
//!   ([`State::mark_dead`]) and discards what is queued; a send that
//!   finishes after `DEAD` is told so ([`Liveness::Dead`]) and discards the
//!   queue itself, so no ask is left in a queue nobody reads.
//!
//! # Restarts
//!
//! A supervised actor's instance can end while its mailbox lives on (see
//! `supervision`). [`State::retire`] sets `STOP` alone: the receiver sees a
//! stop and the instance ends, but `CLOSED` is not set, so sends are still
//! registered and pushed, and wait in the queue. [`State::resume`] clears
//! `STOP` for the next instance in one compare-and-swap that also reads
//! `CLOSED`: a stop or kill from outside that came first wins (the actor
//! stops for good), and one that comes after is seen by the new instance,
//! whose receiver finds `STOP` set again. A crashed instance that will be
//! restarted is not abandoned: its queue is the next one's.
//!
//! [`State::abort`] is a retire that does not wait for the handler in
//! flight: `STOP | KILL` without `CLOSED` (a supervisor's shutdown timeout
//! ran out). The instance gives up its work as for a kill, but sends are
//! still accepted and sends waiting for room go on waiting (a kill from
//! outside is `KILL` *with* `CLOSED`: [`State::refuses_waiting`] tells the
//! two apart); [`State::resume`] clears both bits.
//!
//! # Waking the actor
//!
//! The actor takes messages with `try_recv` and parks on this word instead
//! of waiting inside flume.
//!
//! - Before it looks at the queue the actor reads the finished count
//!   ([`State::observe`]). It also counts what it took: when no send is in
//!   flight and as many have finished as it took, the queue is empty and it
//!   does not look. If the queue is empty it stores its waker and sets
//!   `PARKED` ([`State::park`]), which returns the count again.
//! - Unchanged: every send that finished before the flag was set had pushed
//!   before the first look, so the queue really is empty; any later one sees
//!   `PARKED`, clears it and wakes the actor ([`Park::Asleep`]).
//! - Changed (or a stop came): a send came in between; the actor looks again
//!   ([`Park::LookAgain`]).
//!
//! So parking costs one atomic on the state word and no second look at the
//! queue, and an idle actor costs a sender nothing extra. Dropping the last
//! sender disconnects flume and then counts as a finished send
//! ([`State::disconnected`]), so a parked actor wakes and sees the
//! disconnection. A rendezvous mailbox (`Mailbox::bounded(0)`) keeps flume's
//! own wait: a non-waiting send to it succeeds only into a receiver waiting
//! there.
//!
//! # Waiting for room
//!
//! A send that found a bounded mailbox full waits for room without giving
//! its message to anyone: it pushes only with a non-waiting push, inside a
//! poll, and is done in that same poll. So a waiting send whose future is
//! dropped has delivered nothing, and one that pushed has returned.
//!
//! - It registers as in flight ([`State::enter_send`]) and as waiting
//!   ([`State::start_waiting`]) for its whole wait, so a graceful drain
//!   waits for it (see below) and the receiver knows to signal room.
//! - Each round: it enables a [`State::room`] wakeup, reads `KILL`/`DEAD`
//!   (then it gives up, its message unsent), and pushes; full, it waits for
//!   the wakeup and goes round again.
//! - The receiver signals room ([`State::made_room`]: one load, and a
//!   `notify_one` only while a send waits) after each take from a bounded
//!   mailbox, and, in a rendezvous, each time it starts waiting inside flume.
//!   The waiting count goes up before the push and the signal is read after
//!   the take, and both pushes and takes hold the queue's lock: either the
//!   push comes after the take and finds its room, or the take comes after
//!   the push and sees the count. A wakeup sent before the send registered
//!   with the `Notify` is kept as its one permit; one given to a send that is
//!   then dropped passes on to the next (tokio's `Notified` does that for
//!   `notify_one`); a send woken for room another took goes round again.
//! - A kill and the actor's end wake every waiting send at once
//!   (`notify_waiters`, read against `KILL`/`DEAD` after the enable).
//! - A graceful drain ends only when no send is in flight, so it waits for
//!   the waiting sends, making room for them as it takes: it parks
//!   ([`State::park_drain`]) until a send in flight ends, pushed or given
//!   up; each end wakes it. A waiting send is handled by the drain, or
//!   dropped with its future, unsent; while its future is kept but not
//!   polled it holds the drain up, as a held tokio `Permit` does.

use std::sync::atomic::Ordering::SeqCst;
use std::task::Waker;

use super::sync::{AtomicU32, AtomicU64, Notified, Notify};
use super::wakers::Wakers;

/// Refuse new sends.
const CLOSED: u64 = 1;
/// A stop was asked for (graceful or not).
const STOP: u64 = 2;
/// A kill was asked for.
const KILL: u64 = 4;
/// The actor is over: nothing will read the queue again.
const DEAD: u64 = 8;
/// The actor waits for mail (see "Waking the actor").
const PARKED: u64 = 16;
/// Set once at spawn: the mailbox is a rendezvous (`Mailbox::bounded(0)`).
const RENDEZVOUS: u64 = 32;
/// The mail waker is not the task's own; only the actor reads or writes it.
const MAIL_FOREIGN: u64 = 64;
/// The actor will take no more messages (it crashed or failed to start and
/// winds down): sends are refused and waiting sends give up, though it is
/// not dead until its `on_stop` has run.
const ABANDONED: u64 = 128;
/// One send in flight, counted in bits 8..32.
const ONE_SENDING: u64 = 1 << 8;
/// All the bits of the in-flight count.
const SENDING: u64 = 0xFFFF_FF00;
/// One send that has finished, counted (wrapping) in bits 32..64.
const ONE_FINISHED: u64 = 1 << 32;

/// Whether the receiver is still there, as a send that finished saw it.
#[must_use = "a send that sees `Dead` must discard the queue"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Liveness {
    /// The actor may still read the queue.
    Alive,
    /// The actor died meanwhile: nothing reads the queue, discard it.
    Dead,
}

/// Whether a send was registered.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// Registered: push, then [`State::finish_send`].
    Open,
    /// The mailbox is closed; nothing was registered.
    Closed,
}

/// How a registered send ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// The message is (or may be) where the receiver finds it.
    Yes,
    /// Nothing was pushed (the queue was full or disconnected).
    No,
}

/// What the actor read before looking at its queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    /// Sends finished so far (wrapping).
    pub(crate) finished: u32,
    /// Sends between their registration and their end.
    pub(crate) in_flight: u32,
}

impl Seen {
    /// Some send is between its registration and its end.
    #[inline]
    pub(crate) fn sending(&self) -> bool {
        self.in_flight != 0
    }
}

/// Which waker the receiver is polled under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WakerKind {
    /// The actor task's own (registered with [`State::set_task_waker`]).
    Task,
    /// Another one: a user's `step` polls `recv` inside its own futures.
    Foreign,
}

/// What [`State::park`] decided.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Park {
    /// Nothing happened since the look: sleep, the next send wakes the waker.
    Asleep,
    /// A send finished or a stop came meanwhile: look at the queue again.
    LookAgain,
}

/// The state word, the wakers it wakes, and (bounded mailboxes only) the
/// room signal of the sends that wait for room.
pub(crate) struct State {
    word: AtomicU64,
    wakers: Wakers,
    /// `Some` for a bounded mailbox: only there can a send find it full
    /// and wait. Boxed, so that an unbounded mailbox (the default) pays one
    /// word for it.
    room: Option<Box<Room>>,
}

/// The room signal of a bounded mailbox (see "Waiting for room").
struct Room {
    /// Sends waiting for room.
    waiting: AtomicU32,
    /// Room for one waiting send (`notify_one`), or the end of all waits (a
    /// kill, the actor's end: `notify_waiters`).
    notify: Notify,
}

impl State {
    /// The state of a mailbox of `capacity` (`None`: unbounded; `Some(0)`:
    /// a rendezvous).
    pub(crate) fn new(capacity: Option<usize>) -> Self {
        State {
            word: AtomicU64::new(if capacity == Some(0) { RENDEZVOUS } else { 0 }),
            wakers: Wakers::new(),
            room: capacity.map(|_| Box::new(Room { waiting: AtomicU32::new(0), notify: Notify::new() })),
        }
    }

    /// The room signal. Only a bounded mailbox refuses a send as full, so
    /// only there does a send wait for room.
    fn waiting_room(&self) -> &Room {
        self.room.as_deref().expect("only a bounded mailbox has sends waiting for room")
    }

    /// Ends every wait for room: nothing will make room any more.
    fn end_waits(&self) {
        if let Some(room) = &self.room {
            room.notify.notify_waiters();
        }
    }

    #[inline]
    fn has(&self, flag: u64) -> bool {
        self.word.load(SeqCst) & flag != 0
    }

    // ---- send side ----

    /// Registers a send, unless the mailbox is closed.
    #[inline]
    pub(crate) fn enter_send(&self) -> Entry {
        let prev = self.word.fetch_add(ONE_SENDING, SeqCst);
        if prev & CLOSED != 0 {
            // A drain may have seen this send in flight and parked for it.
            if self.word.fetch_sub(ONE_SENDING, SeqCst) & PARKED != 0 {
                self.wake_mail();
            }
            return Entry::Closed;
        }
        Entry::Open
    }

    /// Ends a send registered by [`enter_send`](State::enter_send). One that
    /// pushed counts as finished and wakes a parked actor.
    #[inline]
    pub(crate) fn finish_send(&self, pushed: Pushed) -> Liveness {
        let prev = match pushed {
            Pushed::No => self.word.fetch_sub(ONE_SENDING, SeqCst),
            // One add: one fewer in flight, one more finished.
            Pushed::Yes => self.word.fetch_add(ONE_FINISHED - ONE_SENDING, SeqCst),
        };
        // Either end wakes a parked actor: a graceful drain waits for the
        // sends in flight, pushed or not (see "Waiting for room").
        if prev & PARKED != 0 {
            self.wake_mail();
        }
        if prev & DEAD != 0 { Liveness::Dead } else { Liveness::Alive }
    }

    /// A registered send starts waiting for room: from now on the receiver
    /// signals room.
    pub(crate) fn start_waiting(&self) {
        self.waiting_room().waiting.fetch_add(1, SeqCst);
    }

    /// A send stops waiting for room (pushed, or gave up).
    pub(crate) fn stop_waiting(&self) {
        self.waiting_room().waiting.fetch_sub(1, SeqCst);
    }

    /// The wakeup of a send waiting for room; enable it before the push
    /// that may find the mailbox full.
    pub(crate) fn room(&self) -> Notified<'_> {
        self.waiting_room().notify.notified()
    }

    /// `true` once a waiting send must give up: the actor was killed or is
    /// over, nothing will make room.
    #[inline]
    pub(crate) fn refuses_waiting(&self) -> bool {
        let word = self.word.load(SeqCst);
        word & (DEAD | ABANDONED) != 0 || word & (KILL | CLOSED) == KILL | CLOSED
    }

    /// The last sender is gone (the queue is disconnected): counts as a
    /// finished send, so a parked actor wakes and sees the disconnection.
    pub(crate) fn disconnected(&self) {
        if self.word.fetch_add(ONE_FINISHED, SeqCst) & PARKED != 0 {
            self.wake_mail();
        }
    }

    // ---- receive side ----

    /// What the actor reads before it looks at the queue.
    #[inline]
    pub(crate) fn observe(&self) -> Seen {
        counts(self.word.load(SeqCst))
    }

    /// Room was made (a take from a bounded mailbox, or a rendezvous
    /// receiver waiting inside flume): wake one waiting send, if any. Call
    /// it after the take, so that it reads the waiting count after the
    /// queue's lock.
    #[inline]
    pub(crate) fn made_room(&self) {
        if let Some(room) = &self.room
            && room.waiting.load(SeqCst) != 0
        {
            room.notify.notify_one();
        }
    }

    /// Registers `waker` for the next send and marks the actor parked, if
    /// nothing happened since `seen` (read with [`observe`](State::observe)
    /// before the queue was found empty).
    #[inline]
    pub(crate) fn park(&self, waker: &Waker, seen: Seen, kind: WakerKind) -> Park {
        self.watch_mail(waker, kind);
        let prev = self.word.fetch_or(PARKED, SeqCst);
        if (prev >> 32) as u32 == seen.finished && prev & STOP == 0 {
            return Park::Asleep;
        }
        self.word.fetch_and(!PARKED, SeqCst);
        Park::LookAgain
    }

    /// During a graceful drain, with the queue found empty while sends were
    /// in flight: registers `waker` and parks until one of them ends (or a
    /// kill), if none did since `seen`.
    pub(crate) fn park_drain(&self, waker: &Waker, seen: Seen, kind: WakerKind) -> Park {
        self.watch_mail(waker, kind);
        let prev = self.word.fetch_or(PARKED, SeqCst);
        if counts(prev) == seen && prev & KILL == 0 {
            return Park::Asleep;
        }
        self.word.fetch_and(!PARKED, SeqCst);
        Park::LookAgain
    }

    /// Puts `waker` in the mail slot, which a stop or kill wakes (and, once
    /// parked, a send). The task's own waker is there already unless `recv`
    /// was last polled under another one; then the slot is left alone
    /// without taking its lock.
    #[inline]
    pub(crate) fn watch_mail(&self, waker: &Waker, kind: WakerKind) {
        if kind == WakerKind::Foreign || self.has(MAIL_FOREIGN) {
            self.store_mail_waker(waker, kind);
        }
    }

    #[cold]
    fn store_mail_waker(&self, waker: &Waker, kind: WakerKind) {
        self.wakers.set_mail(waker);
        match kind {
            WakerKind::Task => self.word.fetch_and(!MAIL_FOREIGN, SeqCst),
            WakerKind::Foreign => self.word.fetch_or(MAIL_FOREIGN, SeqCst),
        };
    }

    /// Wakes the actor if it is parked waiting for mail.
    fn wake_mail(&self) {
        if self.word.fetch_and(!PARKED, SeqCst) & PARKED != 0 {
            self.wakers.wake_mail();
        }
    }

    /// The mailbox is a rendezvous: the actor waits inside flume.
    #[inline]
    pub(crate) fn is_rendezvous(&self) -> bool {
        self.has(RENDEZVOUS)
    }

    // ---- lifecycle ----

    /// Registers the task's waker, for stop and kill and as the mail waker.
    pub(crate) fn set_task_waker(&self, waker: &Waker) {
        self.wakers.set_task(waker);
    }

    #[inline]
    pub(crate) fn stop_requested(&self) -> bool {
        self.has(STOP)
    }

    #[inline]
    pub(crate) fn is_killed(&self) -> bool {
        self.has(KILL)
    }

    #[inline]
    pub(crate) fn is_dead(&self) -> bool {
        self.has(DEAD)
    }

    /// Refuse new sends from now on.
    pub(crate) fn close(&self) {
        self.word.fetch_or(CLOSED, SeqCst);
    }

    /// Graceful stop: new sends fail, queued messages are still handled.
    pub(crate) fn request_stop(&self) {
        self.word.fetch_or(CLOSED | STOP, SeqCst);
        self.wake();
    }

    /// `true` once new sends are refused.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.has(CLOSED)
    }

    /// Ends the actor's current instance without closing the mailbox (see
    /// "Restarts"): `STOP` without `CLOSED`. Sends go on being accepted and
    /// stay queued for the next instance; the receiver sees a stop.
    pub(crate) fn retire(&self) {
        self.word.fetch_or(STOP, SeqCst);
        self.wake();
    }

    /// A [`retire`](State::retire) that also gives up the work in flight, as
    /// a kill does, still without closing the mailbox (see "Restarts").
    pub(crate) fn abort(&self) {
        self.word.fetch_or(STOP | KILL, SeqCst);
        self.wake();
    }

    /// Takes back a [`retire`](State::retire) or an [`abort`](State::abort)
    /// so that the next instance receives, unless the mailbox was closed
    /// meanwhile (a stop or kill from outside, which a restart must never
    /// undo): then `false`, and the stop stands.
    pub(crate) fn resume(&self) -> bool {
        let mut word = self.word.load(SeqCst);
        loop {
            if word & (CLOSED | DEAD | ABANDONED) != 0 {
                return false;
            }
            match self.word.compare_exchange(word, word & !(STOP | KILL), SeqCst, SeqCst) {
                Ok(_) => return true,
                Err(now) => word = now,
            }
        }
    }

    /// Drop the work in flight and stop; sends waiting for room give up.
    pub(crate) fn kill(&self) {
        self.word.fetch_or(CLOSED | STOP | KILL, SeqCst);
        self.wake();
        self.end_waits();
    }

    /// The actor takes no more messages (it winds down after a crash or a
    /// failed start): new sends are refused, and sends waiting for room give
    /// up at once (none will come), before the actor waits for its children,
    /// who may be among them.
    pub(crate) fn abandon(&self) {
        self.word.fetch_or(CLOSED | ABANDONED, SeqCst);
        self.end_waits();
    }

    /// Wakes the task wherever it waits, and `recv` if it is polled under
    /// another waker (parked, or waiting in flume for a rendezvous).
    fn wake(&self) {
        self.word.fetch_and(!PARKED, SeqCst);
        self.wakers.wake_all();
    }

    /// The actor is over: sends fail, and one that finishes from now on is
    /// told [`Liveness::Dead`]. Releases the wakers, which keep the task's
    /// allocation alive.
    pub(crate) fn mark_dead(&self) {
        self.word.fetch_or(CLOSED | DEAD, SeqCst);
        self.wakers.clear();
        self.end_waits();
    }
}

/// The counts of a state word.
#[inline]
fn counts(word: u64) -> Seen {
    Seen { finished: (word >> 32) as u32, in_flight: ((word & SENDING) >> 8) as u32 }
}
