//! Mailboxes: bounded mailboxes refuse `try_*` when full and hand the
//! message back, `tell`/`ask` wait for room, unbounded mailboxes never
//! refuse, `Mailbox::bounded(0)` is a rendezvous, request timeouts, sends to
//! a stopped actor, and the `TrySendError` → `Error` conversion.

mod support;

use std::future::{Future, IntoFuture, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use support::within;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{Notify, mpsc, oneshot};
use tractor::prelude::*;

// ---------------------------------------------------------------------------
// Sink: handles numbered items, can be held on a `Notify` or parked forever.

struct Sink {
    log: Vec<u32>,
    /// Each item's number, as it is handled.
    handled: mpsc::UnboundedSender<u32>,
}

fn sink() -> (Sink, mpsc::UnboundedReceiver<u32>) {
    let (handled, rx) = mpsc::unbounded_channel();
    (Sink { log: Vec::new(), handled }, rx)
}

impl Actor for Sink {}

/// A numbered item. Deliberately not `Debug`.
struct Item(u32);

impl Message<Sink> for Item {
    type Reply = u32;

    async fn handle(self, sink: &mut Sink, _: &mut Context<Sink>) -> u32 {
        sink.log.push(self.0);
        let _ = sink.handled.send(self.0);
        self.0
    }
}

/// Replies with the items handled so far.
struct Log;

impl Message<Sink> for Log {
    type Reply = Vec<u32>;

    async fn handle(self, sink: &mut Sink, _: &mut Context<Sink>) -> Vec<u32> {
        sink.log.clone()
    }
}

/// Signals `started`, then parks until `release` is notified.
struct Hold {
    started: oneshot::Sender<()>,
    release: Arc<Notify>,
}

impl Message<Sink> for Hold {
    type Reply = ();

    async fn handle(self, _: &mut Sink, _: &mut Context<Sink>) {
        let _ = self.started.send(());
        self.release.notified().await;
    }
}

fn hold() -> (Hold, oneshot::Receiver<()>, Arc<Notify>) {
    let (started, started_rx) = oneshot::channel();
    let release = Arc::new(Notify::new());
    (Hold { started, release: Arc::clone(&release) }, started_rx, release)
}

/// Signals `started`, then never finishes.
struct Forever(oneshot::Sender<()>);

impl Message<Sink> for Forever {
    type Reply = u32;

    async fn handle(self, _: &mut Sink, _: &mut Context<Sink>) -> u32 {
        let _ = self.0.send(());
        std::future::pending().await
    }
}

/// Spawns a sink and parks it in a `Hold` handler; returns the release.
async fn held_sink(runtime: &Runtime, mailbox: Mailbox) -> (ActorRef<Sink>, mpsc::UnboundedReceiver<u32>, Arc<Notify>) {
    let (actor, handled) = sink();
    let sink = runtime.spawn_with(actor, mailbox);
    let (msg, started, release) = hold();
    within(sink.tell(msg)).await.unwrap();
    within(started).await.unwrap();
    (sink, handled, release)
}

// ---------------------------------------------------------------------------
// Relay: sends from inside an actor.

struct Relay;

impl Actor for Relay {}

/// `ctx.tell(&to, Item(n))`.
struct TellVia(ActorRef<Sink>, u32);

impl Message<Relay> for TellVia {
    type Reply = Result<(), Error>;

    async fn handle(self, _: &mut Relay, ctx: &mut Context<Relay>) -> Result<(), Error> {
        ctx.tell(&self.0, Item(self.1)).await
    }
}

/// `ctx.ask(&to, Item(n))`.
struct AskVia(ActorRef<Sink>, u32);

impl Message<Relay> for AskVia {
    type Reply = Result<u32, Error>;

    async fn handle(self, _: &mut Relay, ctx: &mut Context<Relay>) -> Result<u32, Error> {
        ctx.ask(&self.0, Item(self.1)).await
    }
}

/// `ctx.try_tell(&to, Item(n))`, handing the item's number back on refusal.
struct TryTellVia(ActorRef<Sink>, u32);

impl Message<Relay> for TryTellVia {
    type Reply = Result<(), (Error, u32)>;

    async fn handle(self, _: &mut Relay, ctx: &mut Context<Relay>) -> Self::Reply {
        ctx.try_tell(&self.0, Item(self.1)).map_err(|e| (e.error().clone(), e.into_inner().0))
    }
}

/// Polls `fut` exactly once, from the calling task.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

/// Asserts `fut` is still pending after several polls with the scheduler
/// given a chance to run everything else in between.
async fn stays_pending<F: Future + Unpin>(fut: &mut F, what: &str) {
    for _ in 0..20 {
        assert!(poll_once(fut).await.is_pending(), "{what} finished early");
        tokio::task::yield_now().await;
    }
}

/// Takes the numbers handled so far without waiting.
fn drain(handled: &mut mpsc::UnboundedReceiver<u32>) -> Vec<u32> {
    std::iter::from_fn(|| handled.try_recv().ok()).collect()
}

// ---------------------------------------------------------------------------
// Tests

on_both_runtimes!(
    bounded_refuses_try_sends_when_full_and_hands_the_message_back,
    tell_and_ask_wait_for_room,
    unbounded_never_refuses,
    ask_timeout_gives_is_timeout,
    timeout_also_bounds_waiting_for_room,
    rendezvous_mailbox,
    every_send_to_a_stopped_actor_fails_at_once,
    ask_waiting_for_room_fails_when_the_actor_is_killed,
    tell_waiting_for_room_is_handled_by_a_graceful_stop,
    a_cancelled_waiting_tell_is_never_delivered,
    try_send_error_converts_into_error,
);

async fn bounded_refuses_try_sends_when_full_and_hands_the_message_back() {
    let runtime = Runtime::new();
    let (sink, mut handled, release) = held_sink(&runtime, Mailbox::bounded(2)).await;
    sink.try_tell(Item(1)).unwrap();
    sink.try_tell(Item(2)).unwrap();

    let refused = sink.try_tell(Item(3)).unwrap_err();
    assert!(refused.is_full() && !refused.is_stopped(), "{refused:?}");
    assert!(refused.error().is_full());
    assert_eq!(refused.error().actor_id(), sink.id());
    let shown = refused.to_string();
    assert!(shown.contains("full") && shown.contains("Sink"), "{shown}");
    assert_eq!(refused.into_inner().0, 3);

    let refused = within(sink.try_ask(Item(4))).await.unwrap_err();
    assert!(refused.is_full(), "{refused:?}");
    assert_eq!(refused.into_inner().map(|Item(n)| n), Some(4));
    let refused = within(sink.ask(Item(5)).try_ask()).await.unwrap_err();
    assert_eq!(refused.into_inner().map(|Item(n)| n), Some(5));
    let refused = sink.ask(Item(6)).try_tell().unwrap_err();
    assert_eq!(refused.into_inner().0, 6);
    let refused = runtime.try_tell(&sink, Item(7)).unwrap_err();
    assert_eq!(refused.into_inner().0, 7);
    let refused = within(runtime.try_ask(&sink, Item(8))).await.unwrap_err();
    assert_eq!(refused.into_inner().map(|Item(n)| n), Some(8));
    let erased: Sender<Item, u32> = Sender::from(&sink);
    let refused = erased.try_tell(Item(9)).unwrap_err();
    assert!(refused.is_full());
    assert_eq!(refused.into_inner().0, 9);
    let relay = runtime.spawn(Relay);
    let (error, back) = within(relay.ask(TryTellVia(sink.clone(), 10))).await.unwrap().unwrap_err();
    assert!(error.is_full(), "{error:?}");
    assert_eq!(back, 10);

    // Nothing refused was delivered; room comes back once the actor runs.
    release.notify_one();
    assert_eq!(within(sink.ask(Log)).await.unwrap(), vec![1, 2]);
    sink.try_tell(Item(11)).unwrap();
    assert_eq!(within(sink.try_ask(Item(12))).await.unwrap(), 12);
    assert_eq!(drain(&mut handled), vec![1, 2, 11, 12]);
    within(runtime.shutdown()).await;
}

/// Back-pressure: on a full mailbox `tell` and `ask` (through a ref or a
/// `Sender`) stay pending until the actor takes a message.
async fn tell_and_ask_wait_for_room() {
    let runtime = Runtime::new();
    let (sink, mut handled, release) = held_sink(&runtime, Mailbox::bounded(1)).await;
    sink.try_tell(Item(1)).unwrap();

    let erased: Sender<Item, u32> = Sender::from(&sink);
    let mut tell = Box::pin(sink.tell(Item(2)));
    stays_pending(&mut tell, "tell on a full mailbox").await;
    let mut ask = sink.ask(Item(3)).into_future();
    stays_pending(&mut ask, "ask on a full mailbox").await;
    let mut sender_tell = Box::pin(erased.tell(Item(4)));
    stays_pending(&mut sender_tell, "Sender::tell on a full mailbox").await;
    let mut sender_ask = Box::pin(erased.ask(Item(5)));
    stays_pending(&mut sender_ask, "Sender::ask on a full mailbox").await;
    // Still nothing handled but the held message.
    assert_eq!(handled.try_recv(), Err(TryRecvError::Empty));

    release.notify_one();
    within(tell).await.unwrap();
    assert_eq!(within(ask).await.unwrap(), 3);
    within(sender_tell).await.unwrap();
    assert_eq!(within(sender_ask).await.unwrap(), 5);
    let mut log = within(sink.ask(Log)).await.unwrap();
    assert_eq!(log.remove(0), 1, "the queued item first");
    log.sort_unstable();
    assert_eq!(log, vec![2, 3, 4, 5], "every waiting send got through");
    within(runtime.shutdown()).await;
}

async fn unbounded_never_refuses() {
    let runtime = Runtime::new();
    assert_eq!(runtime.default_mailbox().capacity(), None, "the default mailbox is unbounded");
    assert_eq!(Mailbox::unbounded().capacity(), None);

    for mailbox in [runtime.default_mailbox(), Mailbox::unbounded()] {
        let (sink, mut handled, release) = held_sink(&runtime, mailbox).await;
        for n in 0..5_000 {
            sink.try_tell(Item(n)).unwrap();
        }
        // `tell` on an unbounded mailbox never waits: ready on first poll.
        let mut tell = Box::pin(sink.tell(Item(5_000)));
        assert!(matches!(poll_once(&mut tell).await, Poll::Ready(Ok(()))));
        let mut ask = Box::pin(sink.ask(Item(5_001)).try_ask());
        assert!(poll_once(&mut ask).await.is_pending(), "delivered, waiting for the reply");

        release.notify_one();
        assert_eq!(within(ask).await.unwrap(), 5_001);
        let log = within(sink.ask(Log)).await.unwrap();
        assert_eq!(log, (0..=5_001).collect::<Vec<_>>());
        assert_eq!(drain(&mut handled).len(), 5_002);
    }
    within(runtime.shutdown()).await;
}

/// An ask whose handler never finishes times out with `is_timeout`.
async fn ask_timeout_gives_is_timeout() {
    let runtime = Runtime::new();
    let (actor, _handled) = sink();
    let sink = runtime.spawn(actor);
    let (started, started_rx) = oneshot::channel();

    let err = within(sink.ask(Forever(started)).timeout(Duration::from_millis(30))).await.unwrap_err();
    assert!(err.is_timeout() && !err.is_stopped(), "{err:?}");
    assert_eq!(err.actor_id(), sink.id());
    assert!(err.to_string().contains("timed out"), "{err}");
    within(started_rx).await.unwrap();

    // Queued behind the parked handler, with or without `try_ask`.
    let err = within(sink.ask(Item(1)).timeout(Duration::from_millis(30))).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let refused = within(sink.ask(Item(2)).timeout(Duration::from_millis(30)).try_ask()).await.unwrap_err();
    assert!(refused.error().is_timeout(), "{refused:?}");
    assert!(refused.into_inner().is_none(), "a delivered message is not handed back");

    // A timeout that does not run out changes nothing.
    let (other, _) = self::sink();
    let other = runtime.spawn(other);
    assert_eq!(within(other.ask(Item(3)).timeout(Duration::from_secs(5))).await.unwrap(), 3);

    sink.kill();
    assert!(matches!(within(sink.wait()).await, StopReason::Killed));
    within(runtime.shutdown()).await;
}

/// `timeout` bounds waiting for room too, for `tell` and for `ask`; a
/// timed-out ask that was already delivered is still handled.
async fn timeout_also_bounds_waiting_for_room() {
    let runtime = Runtime::new();
    let (sink, mut handled, release) = held_sink(&runtime, Mailbox::bounded(1)).await;
    sink.try_tell(Item(1)).unwrap();

    let err = within(sink.ask(Item(2)).timeout(Duration::from_millis(30)).tell()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let err = within(sink.ask(Item(3)).timeout(Duration::from_millis(30))).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");

    release.notify_one();
    assert_eq!(within(sink.ask(Log)).await.unwrap(), vec![1], "timed-out sends never got room");

    // An ask delivered before its time runs out is still handled.
    let (msg, started, held) = hold();
    let err = within(sink.ask(msg).timeout(Duration::from_millis(30))).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    within(started).await.unwrap();
    held.notify_one();
    assert_eq!(within(sink.ask(Item(4))).await.unwrap(), 4);
    assert_eq!(drain(&mut handled), vec![1, 4]);
    sink.kill();
    assert!(matches!(within(sink.wait()).await, StopReason::Killed));
    within(runtime.shutdown()).await;
}

/// `Mailbox::bounded(0)`: nothing is queued. A `tell` completes once the
/// actor takes the message; a `try_tell` succeeds only while the actor is
/// idle; a busy actor refuses `try_*` with `is_full`.
async fn rendezvous_mailbox() {
    assert_eq!(Mailbox::bounded(0).capacity(), Some(0));
    let runtime = Runtime::new();
    let (sink, mut handled, first_release) = held_sink(&runtime, Mailbox::bounded(0)).await;

    // Busy: nothing can be left in the mailbox.
    let refused = sink.try_tell(Item(1)).unwrap_err();
    assert!(refused.is_full(), "{refused:?}");
    assert_eq!(refused.into_inner().0, 1);
    assert!(within(sink.try_ask(Item(2))).await.unwrap_err().is_full());
    let erased: Sender<Item, u32> = Sender::from(&sink);
    assert!(erased.try_tell(Item(3)).unwrap_err().is_full());

    // A tell waits until the actor takes the message, i.e. after the hold.
    let (second, second_started, second_release) = hold();
    let mut tell = Box::pin(sink.tell(second));
    stays_pending(&mut tell, "tell to a busy rendezvous actor").await;
    first_release.notify_one();
    within(tell).await.unwrap();
    // Taken, so the actor is in the second hold now: still nothing queued.
    within(second_started).await.unwrap();
    assert!(sink.try_tell(Item(4)).unwrap_err().is_full());

    // Idle: a try_tell goes through once the actor waits for its next message.
    second_release.notify_one();
    within(async {
        loop {
            match sink.try_tell(Item(5)) {
                Ok(()) => break,
                Err(refused) => {
                    assert!(refused.is_full(), "{refused:?}");
                    tokio::task::yield_now().await;
                }
            }
        }
    })
    .await;
    assert_eq!(within(handled.recv()).await, Some(5));
    assert_eq!(within(sink.ask(Item(6))).await.unwrap(), 6);
    assert_eq!(within(sink.ask(Log)).await.unwrap(), vec![5, 6]);
    within(runtime.shutdown()).await;
}

/// Every kind of send to a stopped actor (stopped, killed, or one whose
/// rendezvous mailbox would also be "full") is `is_stopped` on the first
/// poll.
async fn every_send_to_a_stopped_actor_fails_at_once() {
    let runtime = Runtime::new();
    let relay = runtime.spawn(Relay);
    for (how, mailbox) in [("stop", Mailbox::unbounded()), ("kill", Mailbox::bounded(1)), ("stop", Mailbox::bounded(0))]
    {
        let (actor, _) = sink();
        let sink = runtime.spawn_with(actor, mailbox);
        if how == "kill" {
            sink.kill();
        } else {
            within(sink.stop()).await.unwrap();
        }
        within(sink.wait()).await;
        assert!(!sink.is_alive());
        let ctx = format!("after {how}, {mailbox:?}");

        let stopped = |e: &Error| assert!(e.is_stopped() && e.actor_id() == sink.id(), "{ctx}: {e:?}");
        let Poll::Ready(Err(e)) = poll_once(&mut Box::pin(sink.tell(Item(1)))).await else { panic!("{ctx}: tell") };
        stopped(&e);
        let Poll::Ready(Err(e)) = poll_once(&mut sink.ask(Item(2)).into_future()).await else { panic!("{ctx}: ask") };
        stopped(&e);
        let Poll::Ready(Err(e)) = poll_once(&mut sink.ask(Item(3)).timeout(Duration::from_secs(5)).into_future()).await
        else {
            panic!("{ctx}: ask with timeout")
        };
        stopped(&e);
        let Poll::Ready(Err(e)) = poll_once(&mut Box::pin(sink.ask(Item(4)).tell())).await else {
            panic!("{ctx}: request tell")
        };
        stopped(&e);
        let Poll::Ready(Err(e)) = poll_once(&mut Box::pin(runtime.tell(&sink, Item(5)))).await else {
            panic!("{ctx}: runtime tell")
        };
        stopped(&e);

        let refused = sink.try_tell(Item(6)).unwrap_err();
        stopped(refused.error());
        assert!(refused.is_stopped() && !refused.is_full(), "{ctx}");
        assert_eq!(refused.into_inner().0, 6, "{ctx}");
        let Poll::Ready(Err(refused)) = poll_once(&mut Box::pin(sink.try_ask(Item(7)))).await else {
            panic!("{ctx}: try_ask")
        };
        stopped(refused.error());
        assert_eq!(refused.into_inner().map(|Item(n)| n), Some(7), "{ctx}");
        let refused = runtime.try_tell(&sink, Item(8)).unwrap_err();
        assert_eq!(refused.into_inner().0, 8, "{ctx}");

        let erased: Sender<Item, u32> = Sender::from(&sink);
        assert!(!erased.is_alive());
        let Poll::Ready(Err(e)) = poll_once(&mut Box::pin(erased.tell(Item(9)))).await else {
            panic!("{ctx}: Sender::tell")
        };
        stopped(&e);
        let Poll::Ready(Err(e)) = poll_once(&mut Box::pin(erased.ask(Item(10)))).await else {
            panic!("{ctx}: Sender::ask")
        };
        stopped(&e);
        let refused = erased.try_tell(Item(11)).unwrap_err();
        stopped(refused.error());
        assert_eq!(refused.into_inner().0, 11, "{ctx}");

        // From inside another actor, through its context.
        stopped(&within(relay.ask(TellVia(sink.clone(), 12))).await.unwrap().unwrap_err());
        stopped(&within(relay.ask(AskVia(sink.clone(), 13))).await.unwrap().unwrap_err());
        let (e, back) = within(relay.ask(TryTellVia(sink.clone(), 14))).await.unwrap().unwrap_err();
        stopped(&e);
        assert_eq!(back, 14, "{ctx}");

        // Stopping again is no error (it is stopped, as asked); the reason stays.
        within(sink.stop()).await.unwrap();
        sink.kill();
        let reason = within(sink.wait()).await;
        assert_eq!(matches!(reason, StopReason::Killed), how == "kill", "{ctx}: {reason:?}");
    }
    within(runtime.shutdown()).await;
}

/// An ask waiting for room when the actor is killed resolves to
/// `is_stopped` (nothing hangs).
async fn ask_waiting_for_room_fails_when_the_actor_is_killed() {
    let runtime = Runtime::new();
    let (sink, _handled, _release) = held_sink(&runtime, Mailbox::bounded(1)).await;
    sink.try_tell(Item(1)).unwrap();
    let mut ask = sink.ask(Item(2)).into_future();
    stays_pending(&mut ask, "ask on a full mailbox").await;
    let erased: Sender<Item, u32> = Sender::from(&sink);
    let mut sender_ask = Box::pin(erased.ask(Item(3)));
    stays_pending(&mut sender_ask, "Sender::ask on a full mailbox").await;

    sink.kill();
    assert!(matches!(within(sink.wait()).await, StopReason::Killed));
    let err = within(ask).await.unwrap_err();
    assert!(err.is_stopped(), "{err:?}");
    let err = within(sender_ask).await.unwrap_err();
    assert!(err.is_stopped(), "{err:?}");
    within(runtime.shutdown()).await;
}

/// A `tell` waiting for room when the actor is killed must not report
/// success for a message that is then thrown away: it resolves to
/// `is_stopped`.
#[tokio::test(flavor = "current_thread")]
async fn tell_waiting_for_room_when_the_actor_is_killed_is_not_lost_silently() {
    let runtime = Runtime::new();
    let (sink, mut handled, _release) = held_sink(&runtime, Mailbox::bounded(1)).await;
    sink.try_tell(Item(1)).unwrap();
    let mut tell = Box::pin(sink.tell(Item(2)));
    stays_pending(&mut tell, "tell on a full mailbox").await;
    let erased: Sender<Item, u32> = Sender::from(&sink);
    let mut sender_tell = Box::pin(erased.tell(Item(3)));
    stays_pending(&mut sender_tell, "Sender::tell on a full mailbox").await;

    sink.kill();
    assert!(matches!(within(sink.wait()).await, StopReason::Killed));
    let tell = within(tell).await;
    let sender_tell = within(sender_tell).await;
    let handled = drain(&mut handled);
    assert!(handled.is_empty(), "killed while held: nothing was handled, got {handled:?}");
    assert!(
        tell.as_ref().is_err_and(Error::is_stopped) && sender_tell.as_ref().is_err_and(Error::is_stopped),
        "messages dropped unhandled, yet ActorRef::tell reported {tell:?} and Sender::tell reported {sender_tell:?}"
    );
    within(runtime.shutdown()).await;
}

/// A graceful stop handles what is queued, and a tell that was waiting for
/// room when `stop()` was called is handled too: the drain makes room for
/// it, and it reports `Ok`. (It is polled alongside the stop: a waiting
/// tell pushes only when polled.)
async fn tell_waiting_for_room_is_handled_by_a_graceful_stop() {
    let runtime = Runtime::new();
    let (sink, mut handled, release) = held_sink(&runtime, Mailbox::bounded(1)).await;
    sink.try_tell(Item(1)).unwrap();
    let mut tell = Box::pin(sink.tell(Item(2)));
    stays_pending(&mut tell, "tell on a full mailbox").await;

    let mut stop = Box::pin(sink.stop());
    assert!(poll_once(&mut stop).await.is_pending(), "the actor is still held");
    assert!(poll_once(&mut tell).await.is_pending(), "the mailbox is still full");
    release.notify_one();
    let (stopped, told) = within(async { tokio::join!(stop, tell) }).await;
    stopped.unwrap();
    assert!(told.is_ok(), "a tell waiting for room when the stop came must be handled: {told:?}");
    assert_eq!(drain(&mut handled), vec![1, 2], "the queued item, then the waiting one");
    within(runtime.shutdown()).await;
}

/// Items the flood sends to keep a mailbox full; the rounds use `0..ROUNDS`.
const FLOOD: u32 = 1 << 31;

/// A `tell` cancelled while it waits for room is never delivered: dropped
/// by a timeout of 0-50 µs, or after a few polls, while the actor takes
/// messages and a flood of other waiting tells competes for the room. A
/// caller that retries after a cancel must never get a duplicate. Every
/// tell that returned `Ok` is handled, once (the final graceful stop drains
/// them).
async fn a_cancelled_waiting_tell_is_never_delivered() {
    const ROUNDS: u32 = 2_000;
    let runtime = Runtime::new();
    let (actor, mut handled) = sink();
    let sink = runtime.spawn_with(actor, Mailbox::bounded(1));
    let flooding = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flood = tokio::spawn({
        let (sink, flooding) = (sink.clone(), Arc::clone(&flooding));
        async move {
            let mut n = FLOOD;
            while flooding.load(std::sync::atomic::Ordering::Relaxed) {
                within(sink.tell(Item(n))).await.unwrap();
                n += 1;
            }
        }
    });

    let (mut cancelled, mut told) = (Vec::new(), Vec::new());
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    for round in 0..ROUNDS {
        // xorshift: a different cancel point each round, the same each run.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut tell = Box::pin(sink.tell(Item(round)));
        let outcome = if seed.is_multiple_of(2) {
            let limit = Duration::from_micros(seed % 51);
            within(tokio::time::timeout(limit, &mut tell)).await.ok()
        } else {
            let mut outcome = None;
            for _ in 0..(seed >> 8) % 4 + 1 {
                if let Poll::Ready(out) = poll_once(&mut tell).await {
                    outcome = Some(out);
                    break;
                }
                tokio::task::yield_now().await;
            }
            outcome
        };
        drop(tell);
        match outcome {
            Some(Ok(())) => told.push(round),
            Some(Err(e)) => panic!("round {round}: a tell to a live actor failed: {e:?}"),
            None => cancelled.push(round),
        }
    }
    flooding.store(false, std::sync::atomic::Ordering::Relaxed);
    within(flood).await.unwrap();
    within(sink.stop()).await.unwrap();

    let mut seen = std::collections::HashMap::new();
    for n in drain(&mut handled).into_iter().filter(|&n| n < FLOOD) {
        *seen.entry(n).or_insert(0_u32) += 1;
    }
    let delivered: Vec<u32> = cancelled.iter().copied().filter(|n| seen.contains_key(n)).collect();
    assert!(
        delivered.is_empty(),
        "{} of {} cancelled tells were delivered anyway (first: {:?}); {} told",
        delivered.len(),
        cancelled.len(),
        &delivered[..delivered.len().min(10)],
        told.len(),
    );
    for n in &told {
        assert_eq!(seen.get(n), Some(&1), "told item {n} handled {:?} times", seen.get(n));
    }
    assert!(!cancelled.is_empty(), "no round cancelled a waiting tell: the test tests nothing");
    within(runtime.shutdown()).await;
}

fn send_now(sink: &ActorRef<Sink>, n: u32) -> Result<(), Error> {
    sink.try_tell(Item(n))?;
    Ok(())
}

async fn ask_now(sink: &ActorRef<Sink>, n: u32) -> Result<u32, Error> {
    Ok(sink.try_ask(Item(n)).await?)
}

fn send_now_boxed(sink: &ActorRef<Sink>, n: u32) -> Result<(), Box<dyn std::error::Error>> {
    sink.try_tell(Item(n))?;
    Ok(())
}

/// `?` turns a `TrySendError` into an `Error`; its `Debug` works although
/// `Item` is not `Debug`.
async fn try_send_error_converts_into_error() {
    let runtime = Runtime::new();
    let (sink, _handled, release) = held_sink(&runtime, Mailbox::bounded(1)).await;
    send_now(&sink, 1).unwrap();

    let err = send_now(&sink, 2).unwrap_err();
    assert!(err.is_full(), "{err:?}");
    assert_eq!(err.actor_id(), sink.id());
    let err = within(ask_now(&sink, 3)).await.unwrap_err();
    assert!(err.is_full(), "{err:?}");
    let err = send_now_boxed(&sink, 4).unwrap_err();
    assert!(err.to_string().contains("full"), "{err}");

    let refused = sink.try_tell(Item(5)).unwrap_err();
    let debug = format!("{refused:?}");
    assert!(debug.contains("TrySendError") && debug.contains("Item"), "{debug}");
    assert_eq!(refused.to_string(), refused.error().to_string());
    let err: Error = refused.into();
    assert!(err.is_full());
    assert!(format!("{err:?}").contains("Full") || format!("{err:?}").contains("full"), "{err:?}");

    release.notify_one();
    assert_eq!(within(sink.ask(Log)).await.unwrap(), vec![1]);
    assert_eq!(within(ask_now(&sink, 6)).await.unwrap(), 6);
    within(sink.stop()).await.unwrap();
    let err = send_now(&sink, 7).unwrap_err();
    assert!(err.is_stopped(), "{err:?}");
    within(runtime.shutdown()).await;
}

// ---------------------------------------------------------------------------
// The refusal types: `try_tell` hands back `M` itself, `try_ask` an
// `Option<M>`; both convert into `Error` with `?`.

/// Fails with the refusal of `try_tell`, through `?`.
fn try_tell_with_question_mark(sink: &ActorRef<Sink>, n: u32) -> Result<(), Error> {
    sink.try_tell(Item(n))?;
    Ok(())
}

/// Fails with the refusal of `try_ask`, through `?`.
async fn try_ask_with_question_mark(sink: &ActorRef<Sink>, n: u32) -> Result<u32, Error> {
    Ok(sink.try_ask(Item(n)).await?)
}

async fn refusals_hand_the_message_back_and_convert_with_question_mark() {
    let runtime = Runtime::new();
    let (sink, _handled, release) = held_sink(&runtime, Mailbox::bounded(1)).await;
    sink.try_tell(Item(1)).unwrap();

    let refused: TrySendError<Item> = sink.try_tell(Item(2)).unwrap_err();
    let Item(back) = refused.into_inner();
    assert_eq!(back, 2, "try_tell hands back the message itself");
    let refused: TryAskError<Item> = within(sink.try_ask(Item(3))).await.unwrap_err();
    assert!(refused.is_full() && !refused.is_stopped() && !refused.is_panicked(), "{refused:?}");
    assert_eq!(refused.into_inner().map(|Item(n)| n), Some(3));

    assert!(try_tell_with_question_mark(&sink, 4).unwrap_err().is_full());
    assert!(within(try_ask_with_question_mark(&sink, 5)).await.unwrap_err().is_full());
    release.notify_one();
    within(runtime.shutdown()).await;
}

on_both_runtimes!(refusals_hand_the_message_back_and_convert_with_question_mark);
