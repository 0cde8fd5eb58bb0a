//! loom models of the mailbox protocol (`state.rs`, and the send and receive
//! loops of `send.rs` and `recv.rs` that run over it).
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test --release -p tractor --lib
//! ```
//!
//! flume is not loom-aware, so the models run the real protocol code
//! ([`send_now`], [`poll_take`], [`drain_step`], [`watch_stop`]) over a small
//! queue of their own, a loom mutex around a `VecDeque`. A lost wakeup shows
//! as a loom deadlock (every thread blocked), a lost or stranded message as a
//! failed count.
//!
//! `LOOM_MAX_PREEMPTIONS` bounds the search (default here: 3).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::Mutex;
use loom::sync::atomic::AtomicUsize;
use loom::thread;

use super::Refused;
use super::recv::{Drain, Take, Watch, drain_step, poll_take, watch_stop};
use super::send::send_now;
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
}

impl Queue {
    fn new(capacity: Option<usize>) -> Self {
        Queue { inner: Mutex::new(Inner { items: VecDeque::new(), capacity, connected: true }) }
    }

    fn push(&self, item: u32) -> Result<(), Refused<u32>> {
        let mut q = self.inner.lock().unwrap();
        if !q.connected {
            return Err(Refused::Stopped(item));
        }
        if q.capacity.is_some_and(|c| q.items.len() >= c) {
            return Err(Refused::Full(item));
        }
        q.items.push_back(item);
        Ok(())
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
            state: State::new(capacity == Some(0)),
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

    /// The receive loop of `recv.rs` under `kind`: waits for the next item,
    /// `None` on a stop or a disconnection.
    fn recv(&self, kind: WakerKind) -> Option<u32> {
        block_on(self.parker(kind), |cx| poll_take(&self.state, &self.taken, cx.waker(), kind, || self.queue.take()))
    }

    /// A graceful drain, as the actor loop runs it: what it handled.
    fn drain(&self) -> usize {
        let mut handled = 0;
        loop {
            match drain_step(&self.state, || self.queue.take()) {
                Drain::Item(_) => handled += 1,
                Drain::Done => return handled,
                Drain::Wait => thread::yield_now(),
            }
        }
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
        // Killed: the loop ends without a drain (`drain_step` says done),
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
