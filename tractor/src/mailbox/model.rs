//! loom models of the mailbox protocol (`state.rs`, and the send and receive
//! loops of `send.rs` and `recv.rs` that run over it).
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test --release -p tractor --lib
//! ```
//!
//! flume is not loom-aware, so the models run the real protocol code
//! ([`send_now`], [`send_waiting_with`], [`poll_take`], [`take_from`],
//! [`poll_rendezvous`], [`poll_drain`], [`watch_stop`]) over a small queue of
//! their own, a loom mutex around a `VecDeque` that, at capacity 0, hands an
//! item over only to a receiver waiting inside it (as flume's `bounded(0)`
//! does). tokio's `Notify` is not loom-aware either: the waiting send runs
//! over `model_notify`, a loom copy of what it relies on. A lost wakeup shows
//! as a loom deadlock (every thread blocked), a lost, stranded or
//! cancelled-yet-delivered message as a failed count.
//!
//! `LOOM_MAX_PREEMPTIONS` bounds the search (default here: 3).
//!
//! Which models cover which part of `state.rs`:
//! - sending, parking and waking: `concurrent_senders_wake_a_parking_receiver`,
//!   `one_sender_keeps_its_order`, `last_sender_dropped_while_the_receiver_parks`,
//!   `a_refused_send_leaves_the_counts_alone`, the three `..foreign_waker..` ones;
//! - stop and kill: `a_stop_racing_a_send_loses_no_accepted_message`,
//!   `a_kill_racing_a_send_strands_nothing`, `a_stop_reaches_a_rendezvous_wait`;
//! - waiting for room (the `Room` box of bounded mailboxes): every
//!   `..waiting_send..` model, and `an_abandoned_mailbox_ends_a_waiting_send`;
//! - restarts (`retire`, `abort`, `resume`): `a_send_during_a_retire_reaches_the_next_instance`,
//!   `a_stop_racing_a_resume_is_never_lost`, `a_kill_racing_a_resume_is_never_lost`,
//!   `a_retire_wakes_recv_under_a_foreign_waker`, `a_send_during_an_abort_reaches_the_next_instance`,
//!   `a_kill_racing_a_resume_after_an_abort_is_never_lost`, `a_waiting_send_survives_an_abort`.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::Mutex;
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::thread;

use super::Refused;
use super::recv::{Take, Watch, poll_drain, poll_rendezvous, poll_take, take_from, watch_stop};
use super::send::{send_now, send_waiting_with};
use super::state::{State, WakerKind};
use super::sync::AtomicU32;

/// Runs `f` under loom with a bounded number of preemptions.
///
/// The models share their state through std's `Arc`, not loom's: a failing
/// model panics, and loom's `Arc` dropped while that panic unwinds would
/// abort the whole test binary instead of failing the one model.
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    builder.check(f);
}

/// The queue a mailbox's flume channel stands for.
struct Queue {
    inner: Mutex<Inner>,
}

struct Inner {
    items: VecDeque<u32>,
    capacity: Option<usize>,
    connected: bool,
    /// A receiver waiting inside the queue (a rendezvous), as flume's list
    /// of waiting receivers holds it.
    receiver: Option<Waker>,
}

impl Queue {
    fn new(capacity: Option<usize>) -> Self {
        Queue { inner: Mutex::new(Inner { items: VecDeque::new(), capacity, connected: true, receiver: None }) }
    }

    fn push(&self, item: u32) -> Result<(), Refused<u32>> {
        let mut q = self.inner.lock().unwrap();
        if !q.connected {
            return Err(Refused::Stopped(item));
        }
        // flume hands an item to a waiting receiver by queueing it past the
        // capacity and waking that receiver.
        if let Some(receiver) = q.receiver.take() {
            q.items.push_back(item);
            receiver.wake();
            return Ok(());
        }
        if q.capacity.is_some_and(|c| q.items.len() >= c) {
            return Err(Refused::Full(item));
        }
        q.items.push_back(item);
        Ok(())
    }

    /// One poll of a wait inside the queue (flume's `recv_async`).
    fn wait_inside(&self, waker: &Waker) -> Poll<Option<u32>> {
        let mut q = self.inner.lock().unwrap();
        if let Some(item) = q.items.pop_front() {
            q.receiver = None;
            return Poll::Ready(Some(item));
        }
        if !q.connected {
            return Poll::Ready(None);
        }
        q.receiver = Some(waker.clone());
        Poll::Pending
    }

    fn take(&self) -> Take<u32> {
        let mut q = self.inner.lock().unwrap();
        match q.items.pop_front() {
            Some(item) => Take::Item(item),
            None if q.connected => Take::Empty,
            None => Take::Disconnected,
        }
    }

    /// The last sender is gone.
    fn disconnect(&self) {
        self.inner.lock().unwrap().connected = false;
    }

    /// Drops everything queued; returns how many.
    fn discard(&self) -> usize {
        let mut q = self.inner.lock().unwrap();
        let n = q.items.len();
        q.items.clear();
        n
    }

    fn len(&self) -> usize {
        self.inner.lock().unwrap().items.len()
    }
}

/// What parks the receiving thread until a waker made from it is woken: the
/// actor task's own waker, or a user's future's.
struct Parker(loom::sync::Notify);

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.0.notify();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.notify();
    }
}

/// Polls `poll` under `parker`'s waker until it is ready, parking in
/// between: a wakeup that never comes is a loom deadlock.
fn block_on<T>(parker: &Arc<Parker>, mut poll: impl FnMut(&mut Context<'_>) -> Poll<T>) -> T {
    let waker = Waker::from(Arc::clone(parker));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = poll(&mut cx) {
            return v;
        }
        parker.0.wait();
    }
}

/// One mailbox: the state word, the queue, what the receiver took, and the
/// receiver's two wakers.
struct Mailbox {
    state: State,
    queue: Queue,
    taken: AtomicU32,
    /// Items a send discarded after the receiver died.
    discarded: AtomicUsize,
    /// The actor task's waker, registered as at spawn.
    task: Arc<Parker>,
    /// Another waker, as a user's `step` polls `recv` under.
    foreign: Arc<Parker>,
}

impl Mailbox {
    fn new(capacity: Option<usize>) -> Arc<Self> {
        let mb = Mailbox {
            state: State::new(capacity),
            queue: Queue::new(capacity),
            taken: AtomicU32::new(0),
            discarded: AtomicUsize::new(0),
            task: Arc::new(Parker(loom::sync::Notify::new())),
            foreign: Arc::new(Parker(loom::sync::Notify::new())),
        };
        mb.state.set_task_waker(&Waker::from(Arc::clone(&mb.task)));
        Arc::new(mb)
    }

    fn parker(&self, kind: WakerKind) -> &Arc<Parker> {
        match kind {
            WakerKind::Task => &self.task,
            WakerKind::Foreign => &self.foreign,
        }
    }

    /// The non-waiting send of `send.rs`, over the model queue.
    fn send(&self, item: u32) -> bool {
        send_now(
            &self.state,
            item,
            |item| self.queue.push(item),
            || {
                self.discarded.fetch_add(self.queue.discard(), SeqCst);
            },
        )
        .is_ok()
    }

    /// The waiting send of `send.rs`, over the model queue: the future.
    fn send_waiting(&self, item: u32) -> impl Future<Output = Result<(), u32>> + '_ {
        send_waiting_with(
            &self.state,
            item,
            |item| self.queue.push(item),
            || {
                self.discarded.fetch_add(self.queue.discard(), SeqCst);
            },
        )
    }

    /// A waiting send run to its end on this thread.
    fn send_waiting_to_the_end(&self, item: u32) -> Result<(), u32> {
        let parker = Arc::new(Parker(loom::sync::Notify::new()));
        let mut send = pin!(self.send_waiting(item));
        block_on(&parker, |cx| send.as_mut().poll(cx))
    }

    /// A waiting send polled once, then (if still waiting) dropped, as a
    /// cancelled `tell`; `registered` is set between the two. `true` if it
    /// was delivered (its poll returned `Ok`).
    fn send_waiting_then_cancel(&self, item: u32, registered: &AtomicBool) -> bool {
        let parker = Arc::new(Parker(loom::sync::Notify::new()));
        let waker = Waker::from(parker);
        let mut send = pin!(self.send_waiting(item));
        let polled = send.as_mut().poll(&mut Context::from_waker(&waker));
        registered.store(true, SeqCst);
        matches!(polled, Poll::Ready(Ok(())))
    }

    fn bounded(&self) -> bool {
        self.queue.inner.lock().unwrap().capacity.is_some()
    }

    /// A take of `recv.rs` (with its room signal), over the model queue.
    fn take(&self, bounded: bool) -> Take<u32> {
        take_from(&self.state, bounded, || self.queue.take())
    }

    /// The receive loop of `recv.rs` under `kind`: waits for the next item,
    /// `None` on a stop or a disconnection.
    fn recv(&self, kind: WakerKind) -> Option<u32> {
        let bounded = self.bounded();
        block_on(self.parker(kind), |cx| {
            if self.state.is_rendezvous() {
                return poll_rendezvous(&self.state, cx, kind, |cx| self.queue.wait_inside(cx.waker()));
            }
            poll_take(&self.state, &self.taken, cx.waker(), || kind, || self.take(bounded))
        })
    }

    /// A graceful drain, as the actor loop runs it: the items it handled.
    fn drain_items(&self) -> Vec<u32> {
        let bounded = self.bounded();
        let mut handled = Vec::new();
        while let Some(item) = block_on(&self.task, |cx| {
            poll_drain(&self.state, cx, WakerKind::Task, || self.take(bounded), |cx| self.queue.wait_inside(cx.waker()))
        }) {
            handled.push(item);
        }
        handled
    }

    fn drain(&self) -> usize {
        self.drain_items().len()
    }

    /// The actor loop: messages until `recv` says stop, then close and
    /// drain, then the end (the final discard of `wind_down`). What it
    /// handled, and what it discarded.
    fn run_actor(&self) -> (Vec<u32>, usize) {
        let mut handled = Vec::new();
        while let Some(item) = self.recv(WakerKind::Task) {
            handled.push(item);
        }
        self.state.close();
        handled.extend(self.drain_items());
        self.state.mark_dead();
        (handled, self.queue.discard())
    }
}

/// Spins (yielding to loom) until `flag` is set.
fn wait_for(flag: &AtomicBool) {
    while !flag.load(SeqCst) {
        thread::yield_now();
    }
}

/// Two senders and a receiver that parks between their messages: both
/// messages arrive, in no lost wakeup.
#[test]
fn concurrent_senders_wake_a_parking_receiver() {
    model(|| {
        let mb = Mailbox::new(None);
        let senders: Vec<_> = (0..2)
            .map(|i| {
                let mb = mb.clone();
                thread::spawn(move || assert!(mb.send(i)))
            })
            .collect();
        let mut got = [mb.recv(WakerKind::Task).unwrap(), mb.recv(WakerKind::Task).unwrap()];
        got.sort();
        assert_eq!(got, [0, 1]);
        for s in senders {
            s.join().unwrap();
        }
    });
}

/// One sender sends twice while the receiver parks: per-sender order holds.
#[test]
fn one_sender_keeps_its_order() {
    model(|| {
        let mb = Mailbox::new(None);
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || {
                assert!(mb.send(1));
                assert!(mb.send(2));
            })
        };
        assert_eq!(mb.recv(WakerKind::Task), Some(1));
        assert_eq!(mb.recv(WakerKind::Task), Some(2));
        sender.join().unwrap();
    });
}

/// A graceful stop racing a send: the send is refused, or it is handled
/// (by the receive loop or by the drain); never accepted and lost.
#[test]
fn a_stop_racing_a_send_loses_no_accepted_message() {
    model(|| {
        let mb = Mailbox::new(None);
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send(7))
        };
        let stopper = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.request_stop())
        };
        // The actor loop: messages until `recv` says stop, then close and drain.
        let mut handled = 0;
        while mb.recv(WakerKind::Task).is_some() {
            handled += 1;
        }
        mb.state.close();
        handled += mb.drain();
        mb.state.mark_dead();
        let accepted = sender.join().unwrap();
        stopper.join().unwrap();
        assert_eq!(handled, usize::from(accepted), "accepted {accepted}, handled {handled}");
        assert_eq!(mb.queue.len(), 0);
    });
}

/// A kill racing a send: the actor handles nothing more, and a message that
/// lands after it died is discarded, not left in a queue nobody reads.
#[test]
fn a_kill_racing_a_send_strands_nothing() {
    model(|| {
        let mb = Mailbox::new(None);
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send(7))
        };
        mb.state.kill();
        // Killed: the loop ends without a drain (`poll_drain` says done),
        // the actor dies and discards what is queued.
        assert!(mb.recv(WakerKind::Task).is_none());
        assert_eq!(mb.drain(), 0);
        mb.state.mark_dead();
        let discarded_by_actor = mb.queue.discard();
        let accepted = sender.join().unwrap();
        let discarded = discarded_by_actor + mb.discarded.load(SeqCst);
        assert_eq!(mb.queue.len(), 0, "a message was stranded");
        assert_eq!(discarded, usize::from(accepted));
    });
}

/// The last sender goes while the receiver parks: it wakes, takes what was
/// sent, then sees the disconnection.
#[test]
fn last_sender_dropped_while_the_receiver_parks() {
    model(|| {
        let mb = Mailbox::new(None);
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || {
                assert!(mb.send(1));
                // What dropping the last `Sender` does.
                mb.queue.disconnect();
                mb.state.disconnected();
            })
        };
        assert_eq!(mb.recv(WakerKind::Task), Some(1));
        assert_eq!(mb.recv(WakerKind::Task), None);
        sender.join().unwrap();
    });
}

/// A bounded mailbox: a send refused as full leaves the counts as they were,
/// so the receiver neither misses the accepted one nor parks on a phantom.
#[test]
fn a_refused_send_leaves_the_counts_alone() {
    model(|| {
        let mb = Mailbox::new(Some(1));
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || [mb.send(1), mb.send(2)])
        };
        let first = mb.recv(WakerKind::Task);
        let sent = sender.join().unwrap();
        assert!(sent[0]);
        assert_eq!(first, Some(1));
        if sent[1] {
            assert_eq!(mb.recv(WakerKind::Task), Some(2));
        }
        mb.state.request_stop();
        assert_eq!(mb.recv(WakerKind::Task), None);
    });
}

/// A rendezvous receiver waits inside flume, outside the state word: a stop
/// must still reach it, whichever comes first.
#[test]
fn a_stop_reaches_a_rendezvous_wait() {
    model(|| {
        let mb = Mailbox::new(Some(0));
        let stopper = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.request_stop())
        };
        // The flume wait never completes here (nobody sends): only the stop
        // can end it.
        block_on(&mb.foreign, |cx| match watch_stop(&mb.state, cx.waker(), WakerKind::Foreign) {
            Watch::Stopped => Poll::Ready(()),
            Watch::Waiting => Poll::Pending,
        });
        stopper.join().unwrap();
    });
}

/// `recv` polled under a waker that is not the task's (a user's `step`
/// polls it inside its own futures): a send wakes that waker, and so does a
/// stop.
#[test]
fn a_send_wakes_recv_under_a_foreign_waker() {
    model(|| {
        let mb = Mailbox::new(None);
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || assert!(mb.send(1)))
        };
        assert_eq!(mb.recv(WakerKind::Foreign), Some(1));
        sender.join().unwrap();
    });
}

/// Under a foreign waker, then a stop: the stop wakes the foreign waker.
#[test]
fn a_stop_wakes_recv_under_a_foreign_waker() {
    model(|| {
        let mb = Mailbox::new(None);
        let stopper = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.request_stop())
        };
        assert_eq!(mb.recv(WakerKind::Foreign), None);
        stopper.join().unwrap();
    });
}

/// Back from a foreign waker to the task's own: the mail slot is set back,
/// so a send wakes the task again.
#[test]
fn back_to_the_task_waker_after_a_foreign_one() {
    model(|| {
        let mb = Mailbox::new(None);
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || {
                assert!(mb.send(1));
                assert!(mb.send(2));
            })
        };
        assert_eq!(mb.recv(WakerKind::Foreign), Some(1));
        assert_eq!(mb.recv(WakerKind::Task), Some(2));
        sender.join().unwrap();
    });
}

// ---- the waiting send ----

/// A send waiting for room in a full bounded mailbox gets the room the
/// receiver's take makes: it is woken, pushes, and is received.
///
/// Mutations caught: `take_from` without `made_room` (the take signals no
/// room); the waiting count raised only after the first push: both
/// deadlock.
#[test]
fn a_waiting_send_gets_the_room_a_take_makes() {
    model(|| {
        let mb = Mailbox::new(Some(1));
        assert!(mb.send(1));
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send_waiting_to_the_end(2))
        };
        assert_eq!(mb.recv(WakerKind::Task), Some(1));
        assert_eq!(mb.recv(WakerKind::Task), Some(2));
        assert_eq!(sender.join().unwrap(), Ok(()));
    });
}

/// Two sends wait for room; one is cancelled after its first poll. The
/// cancelled one is delivered only if that poll returned `Ok` (never behind
/// the back of a dropped future), and the other still gets room, even when
/// the wakeup went to the cancelled one.
///
/// Mutation caught: the `Notify` copy not passing a `notify_one` wakeup on
/// when a notified `Notified` is dropped (what tokio's does and this design
/// relies on): deadlock.
#[test]
fn a_cancelled_waiting_send_is_not_delivered_and_passes_its_room_on() {
    model(|| {
        let mb = Mailbox::new(Some(1));
        assert!(mb.send(1));
        let registered = Arc::new(AtomicBool::new(false));
        let cancelled = {
            let (mb, registered) = (mb.clone(), Arc::clone(&registered));
            thread::spawn(move || mb.send_waiting_then_cancel(2, &registered))
        };
        let waiting = {
            let mb = mb.clone();
            thread::spawn(move || mb.send_waiting_to_the_end(3))
        };
        let mut got = vec![mb.recv(WakerKind::Task).unwrap()];
        while !got.contains(&3) {
            got.push(mb.recv(WakerKind::Task).unwrap());
        }
        let delivered = cancelled.join().unwrap();
        assert_eq!(waiting.join().unwrap(), Ok(()));
        mb.state.request_stop();
        let (rest, discarded) = mb.run_actor();
        got.extend(rest);
        assert_eq!(discarded, 0);
        assert_eq!(got.contains(&2), delivered, "cancelled send: delivered {delivered}, received {got:?}");
    });
}

/// A graceful stop that comes while a send waits for room: the drain waits
/// for it and makes room for it, and it is handled (`Ok`, never "refused").
///
/// Mutations caught: `poll_drain` ending once the queue is empty whatever
/// is in flight (the waiting send lands after the end: not handled);
/// `finish_send(Pushed::Yes)` not waking a parked drain: deadlock.
#[test]
fn a_graceful_drain_handles_a_waiting_send() {
    model(|| {
        let mb = Mailbox::new(Some(1));
        assert!(mb.send(1));
        let registered = Arc::new(AtomicBool::new(false));
        let sender = {
            let (mb, registered) = (mb.clone(), Arc::clone(&registered));
            thread::spawn(move || {
                let parker = Arc::new(Parker(loom::sync::Notify::new()));
                let mut send = pin!(mb.send_waiting(2));
                let waker = Waker::from(Arc::clone(&parker));
                let first = send.as_mut().poll(&mut Context::from_waker(&waker));
                registered.store(true, SeqCst);
                match first {
                    Poll::Ready(out) => out,
                    Poll::Pending => block_on(&parker, |cx| send.as_mut().poll(cx)),
                }
            })
        };
        let stopper = {
            let (mb, registered) = (mb.clone(), Arc::clone(&registered));
            thread::spawn(move || {
                wait_for(&registered);
                mb.state.request_stop();
            })
        };
        let (handled, discarded) = mb.run_actor();
        assert_eq!(sender.join().unwrap(), Ok(()));
        stopper.join().unwrap();
        assert_eq!((handled, discarded), (vec![1, 2], 0));
    });
}

/// A waiting send cancelled during a graceful drain ends it: the drain,
/// parked waiting for that send, wakes and finishes.
///
/// Mutations caught: `finish_send(Pushed::No)` not waking a parked actor;
/// `park_drain` comparing only the finished count (a cancel changes only
/// the in-flight one): both deadlock.
#[test]
fn a_cancelled_waiting_send_ends_the_drain() {
    model(|| {
        let mb = Mailbox::new(Some(1));
        assert!(mb.send(1));
        let registered = Arc::new(AtomicBool::new(false));
        let cancelled = {
            let (mb, registered) = (mb.clone(), Arc::clone(&registered));
            thread::spawn(move || mb.send_waiting_then_cancel(2, &registered))
        };
        let stopper = {
            let (mb, registered) = (mb.clone(), Arc::clone(&registered));
            thread::spawn(move || {
                wait_for(&registered);
                mb.state.request_stop();
            })
        };
        let (handled, discarded) = mb.run_actor();
        stopper.join().unwrap();
        // Delivered only if its one poll found room (the actor took 1 first).
        let delivered = cancelled.join().unwrap();
        let expected = if delivered { vec![1, 2] } else { vec![1] };
        assert_eq!((handled, discarded), (expected, 0));
    });
}

/// A kill wakes a send waiting for room at once (before the actor ends: no
/// room is ever made here) and it gives up, its message unsent.
///
/// Mutations caught: `kill` without `notify_waiters` on the room; the
/// waiting send not reading `KILL` after its enable: both deadlock.
#[test]
fn a_kill_ends_a_waiting_send_at_once() {
    model(|| {
        let mb = Mailbox::new(Some(1));
        assert!(mb.send(1));
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send_waiting_to_the_end(2))
        };
        let killer = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.kill())
        };
        // The actor is stuck in a handler until the kill; it ends only once
        // the waiting send has.
        killer.join().unwrap();
        assert_eq!(sender.join().unwrap(), Err(2));
        assert_eq!(mb.recv(WakerKind::Task), None);
        assert_eq!(mb.drain(), 0);
        mb.state.mark_dead();
        assert_eq!(mb.queue.discard() + mb.discarded.load(SeqCst), 1);
    });
}

/// An actor that crashed takes no more messages: a send waiting for room in
/// its full mailbox gives up once it is abandoned, before the actor goes on
/// to wait for its children (who may be that sender).
///
/// Mutation caught: `refuses_waiting` not looking at `ABANDONED`: deadlock.
#[test]
fn an_abandoned_mailbox_ends_a_waiting_send() {
    model(|| {
        let mb = Mailbox::new(Some(1));
        assert!(mb.send(1));
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send_waiting_to_the_end(2))
        };
        mb.state.abandon();
        // The actor waits for the sender (a child of its) before it ends.
        assert_eq!(sender.join().unwrap(), Err(2));
        mb.state.mark_dead();
        assert_eq!(mb.queue.discard() + mb.discarded.load(SeqCst), 1);
    });
}

/// A rendezvous: a waiting send meets a receiver that starts waiting inside
/// the queue, which signals room.
///
/// Mutation caught: `poll_rendezvous` not signalling room when it starts
/// waiting: deadlock.
#[test]
fn a_waiting_send_meets_a_rendezvous_receiver() {
    model(|| {
        let mb = Mailbox::new(Some(0));
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send_waiting_to_the_end(1))
        };
        assert_eq!(mb.recv(WakerKind::Foreign), Some(1));
        assert_eq!(sender.join().unwrap(), Ok(()));
    });
}

/// A rendezvous drained by a graceful stop while a send waits: the drain
/// waits inside the queue, so the send hands its item over and it is
/// handled.
///
/// Mutation caught: `poll_drain` not waiting inside the queue for a
/// rendezvous: deadlock.
#[test]
fn a_rendezvous_drain_takes_a_waiting_send() {
    model(|| {
        let mb = Mailbox::new(Some(0));
        let registered = Arc::new(AtomicBool::new(false));
        let sender = {
            let (mb, registered) = (mb.clone(), Arc::clone(&registered));
            thread::spawn(move || {
                let parker = Arc::new(Parker(loom::sync::Notify::new()));
                let mut send = pin!(mb.send_waiting(1));
                let waker = Waker::from(Arc::clone(&parker));
                let first = send.as_mut().poll(&mut Context::from_waker(&waker));
                registered.store(true, SeqCst);
                match first {
                    Poll::Ready(out) => out,
                    Poll::Pending => block_on(&parker, |cx| send.as_mut().poll(cx)),
                }
            })
        };
        wait_for(&registered);
        mb.state.request_stop();
        let (handled, discarded) = mb.run_actor();
        assert_eq!(sender.join().unwrap(), Ok(()));
        assert_eq!((handled, discarded), (vec![1], 0));
    });
}

/// A retire (a supervised restart) racing a send: the send is accepted,
/// since the mailbox stays open, and the next instance takes it after the
/// resume; the instance that retired is woken by the retire, never stuck.
#[test]
fn a_send_during_a_retire_reaches_the_next_instance() {
    model(|| {
        let mb = Mailbox::new(None);
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send(7))
        };
        let retirer = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.retire())
        };
        // The first instance: messages until `recv` says stop.
        let mut handled = 0;
        while mb.recv(WakerKind::Task).is_some() {
            handled += 1;
        }
        retirer.join().unwrap();
        assert!(!mb.state.is_closed(), "a retire closed the mailbox");
        assert!(mb.state.resume(), "nothing but a retire came: the resume goes through");
        // The next instance gets what the first did not take.
        let accepted = sender.join().unwrap();
        assert!(accepted, "a send to a retiring actor was refused");
        if handled == 0 {
            assert_eq!(mb.recv(WakerKind::Task), Some(7));
        }
        assert_eq!(mb.queue.len(), 0);
    });
}

/// A stop from outside racing a resume: either the resume sees it and
/// fails (the actor stops for good), or it lands after and the next
/// instance's receiver sees the stop. A stop is never undone by a restart.
#[test]
fn a_stop_racing_a_resume_is_never_lost() {
    model(|| {
        let mb = Mailbox::new(None);
        mb.state.retire();
        assert!(mb.recv(WakerKind::Task).is_none());
        let stopper = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.request_stop())
        };
        let resumed = mb.state.resume();
        stopper.join().unwrap();
        assert!(mb.state.is_closed());
        if resumed {
            // The new instance is told to stop.
            assert!(mb.state.stop_requested(), "the stop was undone by the resume");
            assert!(mb.recv(WakerKind::Task).is_none());
        }
    });
}

/// A kill racing a resume: the same, for a kill.
#[test]
fn a_kill_racing_a_resume_is_never_lost() {
    model(|| {
        let mb = Mailbox::new(None);
        mb.state.retire();
        let killer = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.kill())
        };
        let resumed = mb.state.resume();
        killer.join().unwrap();
        assert!(mb.state.is_killed());
        if resumed {
            assert!(mb.state.stop_requested(), "the kill was undone by the resume");
        }
    });
}

/// A retire reaches an instance parked for mail under a foreign waker
/// (a user's `step`), as a stop does.
#[test]
fn a_retire_wakes_recv_under_a_foreign_waker() {
    model(|| {
        let mb = Mailbox::new(None);
        let retirer = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.retire())
        };
        assert_eq!(mb.recv(WakerKind::Foreign), None);
        retirer.join().unwrap();
    });
}

/// An abort (a supervisor's shutdown timeout) racing a send: the send is
/// accepted, since the mailbox stays open, the aborted instance is woken and
/// told to give up, and after the resume the next instance takes the
/// message.
#[test]
fn a_send_during_an_abort_reaches_the_next_instance() {
    model(|| {
        let mb = Mailbox::new(None);
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send(7))
        };
        let aborter = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.abort())
        };
        let mut handled = 0;
        while mb.recv(WakerKind::Task).is_some() {
            handled += 1;
        }
        aborter.join().unwrap();
        assert!(mb.state.is_killed() && !mb.state.is_closed());
        assert!(!mb.state.refuses_waiting(), "an abort made waiting sends give up");
        assert!(mb.state.resume());
        assert!(!mb.state.is_killed(), "the resume left KILL set");
        assert!(sender.join().unwrap(), "a send to an aborted instance was refused");
        if handled == 0 {
            assert_eq!(mb.recv(WakerKind::Task), Some(7));
        }
    });
}

/// A kill from outside racing the resume after an abort: never undone.
#[test]
fn a_kill_racing_a_resume_after_an_abort_is_never_lost() {
    model(|| {
        let mb = Mailbox::new(None);
        mb.state.abort();
        let killer = {
            let mb = mb.clone();
            thread::spawn(move || mb.state.kill())
        };
        let resumed = mb.state.resume();
        killer.join().unwrap();
        assert!(mb.state.is_killed() && mb.state.is_closed());
        assert!(mb.state.refuses_waiting());
        if resumed {
            assert!(mb.state.stop_requested());
        }
    });
}

/// A send waiting for room on a full mailbox goes on waiting through an
/// abort, and is handled by the next instance.
#[test]
fn a_waiting_send_survives_an_abort() {
    model(|| {
        let mb = Mailbox::new(Some(1));
        assert!(mb.send(1));
        let sender = {
            let mb = mb.clone();
            thread::spawn(move || mb.send_waiting_to_the_end(2))
        };
        mb.state.abort();
        assert!(mb.state.resume());
        assert_eq!(mb.recv(WakerKind::Task), Some(1));
        assert_eq!(mb.recv(WakerKind::Task), Some(2));
        assert_eq!(sender.join().unwrap(), Ok(()));
    });
}
