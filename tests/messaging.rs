//! Messaging: spawn, ask and tell; per-sender ordering; sender identity
//! through `ctx.tell`/`ctx.ask`; type-erased `Sender`s and fan-out;
//! capability messages; custom `step` work sources; the traits of `ActorRef`
//! and `ActorId`.

mod support;

use std::collections::{BTreeSet, HashSet};
use std::fmt::{Debug, Display};
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use support::within;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{Notify, mpsc, oneshot};
use tractor::prelude::*;

// ---------------------------------------------------------------------------
// Recorder: remembers every number it is told, in arrival order.

#[derive(Default)]
struct Recorder {
    seen: Vec<u64>,
}

impl Actor for Recorder {}

/// Appends a number.
struct Push(u64);

impl Message<Recorder> for Push {
    type Reply = ();

    async fn handle(self, r: &mut Recorder, _: &mut Context<Recorder>) {
        r.seen.push(self.0);
    }
}

/// Replies with every number so far.
struct Seen;

impl Message<Recorder> for Seen {
    type Reply = Vec<u64>;

    async fn handle(self, r: &mut Recorder, _: &mut Context<Recorder>) -> Vec<u64> {
        r.seen.clone()
    }
}

/// Replies with the actor's own ref, as the context hands it out.
struct SelfRef;

impl Message<Recorder> for SelfRef {
    type Reply = ActorRef<Recorder>;

    async fn handle(self, _: &mut Recorder, ctx: &mut Context<Recorder>) -> ActorRef<Recorder> {
        ctx.actor_ref()
    }
}

// ---------------------------------------------------------------------------
// Relay: sends through its context, so receivers see it as the sender.

struct Relay;

impl Actor for Relay {}

/// Asks `target` with `ctx.ask` and hands back its answer.
struct AskVia<B: Actor, M>(ActorRef<B>, M);

impl<B: Actor, M: Message<B>> Message<Relay> for AskVia<B, M> {
    type Reply = Result<M::Reply, Error>;

    async fn handle(self, _: &mut Relay, ctx: &mut Context<Relay>) -> Self::Reply {
        let AskVia(target, msg) = self;
        ctx.ask(&target, msg).await
    }
}

/// Tells `target` with `ctx.tell`.
struct TellVia<B: Actor, M>(ActorRef<B>, M);

impl<B: Actor, M: Message<B>> Message<Relay> for TellVia<B, M> {
    type Reply = Result<(), Error>;

    async fn handle(self, _: &mut Relay, ctx: &mut Context<Relay>) -> Self::Reply {
        let TellVia(target, msg) = self;
        ctx.tell(&target, msg).await
    }
}

/// Tells `target` with `ctx.try_tell`.
struct TryTellVia<B: Actor, M>(ActorRef<B>, M);

impl<B: Actor, M: Message<B>> Message<Relay> for TryTellVia<B, M> {
    type Reply = Result<(), Error>;

    async fn handle(self, _: &mut Relay, ctx: &mut Context<Relay>) -> Self::Reply {
        let TryTellVia(target, msg) = self;
        Ok(ctx.try_tell(&target, msg)?)
    }
}

/// Tells `n` numbers to a recorder in a row from inside an actor, then asks
/// for what it saw.
struct Burst {
    to: ActorRef<Recorder>,
    n: u64,
}

impl Message<Relay> for Burst {
    type Reply = Vec<u64>;

    async fn handle(self, _: &mut Relay, ctx: &mut Context<Relay>) -> Vec<u64> {
        for i in 0..self.n {
            if i % 2 == 0 {
                ctx.tell(&self.to, Push(i)).await.unwrap();
            } else {
                ctx.try_tell(&self.to, Push(i)).unwrap();
            }
        }
        ctx.ask(&self.to, Seen).await.unwrap()
    }
}

// ---------------------------------------------------------------------------
// Echo: reports who sent what.

#[derive(Default)]
struct Echo {
    notes: Vec<Option<ActorId>>,
}

impl Actor for Echo {}

/// Replies with `ctx.sender()`.
struct WhoSent;

impl Message<Echo> for WhoSent {
    type Reply = Option<ActorId>;

    async fn handle(self, _: &mut Echo, ctx: &mut Context<Echo>) -> Option<ActorId> {
        ctx.sender()
    }
}

/// Notes `ctx.sender()` down.
struct Note;

impl Message<Echo> for Note {
    type Reply = ();

    async fn handle(self, echo: &mut Echo, ctx: &mut Context<Echo>) {
        echo.notes.push(ctx.sender());
    }
}

/// Replies with the senders noted so far.
struct Notes;

impl Message<Echo> for Notes {
    type Reply = Vec<Option<ActorId>>;

    async fn handle(self, echo: &mut Echo, _: &mut Context<Echo>) -> Vec<Option<ActorId>> {
        echo.notes.clone()
    }
}

// ---------------------------------------------------------------------------
// Gate: a handler that can be held on a `Notify`, and numbered marks.

struct Gate {
    marks: mpsc::UnboundedSender<u32>,
}

impl Actor for Gate {}

/// Signals `started`, then parks until `release` is notified.
struct Hold {
    started: oneshot::Sender<()>,
    release: Arc<Notify>,
}

impl Message<Gate> for Hold {
    type Reply = ();

    async fn handle(self, _: &mut Gate, _: &mut Context<Gate>) {
        let _ = self.started.send(());
        self.release.notified().await;
    }
}

/// Reports its number on the gate's channel and replies with it.
struct Mark(u32);

impl Message<Gate> for Mark {
    type Reply = u32;

    async fn handle(self, gate: &mut Gate, _: &mut Context<Gate>) -> u32 {
        gate.marks.send(self.0).unwrap();
        self.0
    }
}

fn hold() -> (Hold, oneshot::Receiver<()>, Arc<Notify>) {
    let (started, started_rx) = oneshot::channel();
    let release = Arc::new(Notify::new());
    (Hold { started, release: Arc::clone(&release) }, started_rx, release)
}

// ---------------------------------------------------------------------------
// Fan-out: one event type, two actor types.

struct Event(&'static str);

#[derive(Default)]
struct Screen {
    lines: Vec<&'static str>,
}

impl Actor for Screen {}

impl Message<Screen> for Event {
    type Reply = usize;

    /// Replies with the number of lines shown.
    async fn handle(self, screen: &mut Screen, _: &mut Context<Screen>) -> usize {
        screen.lines.push(self.0);
        screen.lines.len()
    }
}

#[derive(Default)]
struct Disk {
    bytes: usize,
}

impl Actor for Disk {}

impl Message<Disk> for Event {
    type Reply = usize;

    /// Replies with the number of bytes written.
    async fn handle(self, disk: &mut Disk, _: &mut Context<Disk>) -> usize {
        disk.bytes += self.0.len();
        disk.bytes
    }
}

// ---------------------------------------------------------------------------
// Capabilities: messages for every actor with `Health`.

trait Health {
    fn health(&self) -> u8;
    fn degrade(&mut self, by: u8);
}

struct Database {
    health: u8,
}

impl Actor for Database {}

impl Health for Database {
    fn health(&self) -> u8 {
        self.health
    }

    fn degrade(&mut self, by: u8) {
        self.health -= by;
    }
}

struct Cache {
    misses: u8,
}

impl Actor for Cache {}

impl Health for Cache {
    fn health(&self) -> u8 {
        100 - self.misses
    }

    fn degrade(&mut self, by: u8) {
        self.misses += by;
    }
}

/// Replies with the actor's health.
struct Ping;

impl<A: Actor + Health> Message<A> for Ping {
    type Reply = u8;

    async fn handle(self, actor: &mut A, _: &mut Context<A>) -> u8 {
        actor.health()
    }
}

/// Lowers the actor's health.
struct Degrade(u8);

impl<A: Actor + Health> Message<A> for Degrade {
    type Reply = ();

    async fn handle(self, actor: &mut A, _: &mut Context<A>) {
        actor.degrade(self.0);
    }
}

// ---------------------------------------------------------------------------
// Heart: a custom `step` over the mailbox and an interval ticker.

struct Heart {
    ticker: tokio::time::Interval,
    beats: u64,
    /// Each beat's number, as it happens.
    beat_tx: mpsc::UnboundedSender<u64>,
}

impl Heart {
    fn new(period: Duration, beat_tx: mpsc::UnboundedSender<u64>) -> Self {
        Heart { ticker: tokio::time::interval(period), beats: 0, beat_tx }
    }
}

impl Actor for Heart {
    async fn step(&mut self, ctx: &mut Context<Self>) -> Step<Self> {
        tokio::select! {
            biased;
            step = ctx.recv() => step,
            _ = self.ticker.tick() => {
                self.beats += 1;
                let _ = self.beat_tx.send(self.beats);
                Step::Continue
            }
        }
    }
}

/// Replies with the beats so far.
struct Beats;

impl Message<Heart> for Beats {
    type Reply = u64;

    async fn handle(self, heart: &mut Heart, _: &mut Context<Heart>) -> u64 {
        heart.beats
    }
}

/// Parks the heart's handler until `release` is notified.
struct Stall {
    started: oneshot::Sender<()>,
    release: Arc<Notify>,
}

impl Message<Heart> for Stall {
    type Reply = ();

    async fn handle(self, _: &mut Heart, _: &mut Context<Heart>) {
        let _ = self.started.send(());
        self.release.notified().await;
    }
}

/// Sends the beat count at the moment it is handled.
struct Record(oneshot::Sender<u64>);

impl Message<Heart> for Record {
    type Reply = ();

    async fn handle(self, heart: &mut Heart, _: &mut Context<Heart>) {
        let _ = self.0.send(heart.beats);
    }
}

/// An actor whose `step` also serves probes from a channel, outside any
/// handler; a probe reads `ctx.sender()` there.
struct Watcher {
    probes: mpsc::UnboundedReceiver<oneshot::Sender<Option<ActorId>>>,
}

impl Actor for Watcher {
    async fn step(&mut self, ctx: &mut Context<Self>) -> Step<Self> {
        tokio::select! {
            biased;
            step = ctx.recv() => step,
            Some(probe) = self.probes.recv() => {
                let _ = probe.send(ctx.sender());
                Step::Continue
            }
        }
    }
}

impl Message<Watcher> for WhoSent {
    type Reply = Option<ActorId>;

    async fn handle(self, _: &mut Watcher, ctx: &mut Context<Watcher>) -> Option<ActorId> {
        ctx.sender()
    }
}

// ---------------------------------------------------------------------------
// Picky: a `step` that polls `ctx.recv()` under a waker of its own and polls
// it again only once that waker was woken, as `FuturesUnordered` does with
// its futures. Waking only the actor's task would leave it asleep.

struct Picky {
    stopped: Option<oneshot::Sender<StopReason>>,
}

impl Actor for Picky {
    async fn step(&mut self, ctx: &mut Context<Self>) -> Step<Self> {
        OnlyWhenWoken::new(ctx.recv()).await
    }

    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        if let Some(tx) = self.stopped.take() {
            let _ = tx.send(reason.clone());
        }
    }
}

/// Answers with its number.
struct Said(u32);

impl Message<Picky> for Said {
    type Reply = u32;

    async fn handle(self, _: &mut Picky, _: &mut Context<Picky>) -> u32 {
        self.0
    }
}

struct OnlyWhenWoken<F> {
    inner: Pin<Box<F>>,
    flag: Arc<WokenFlag>,
    polled: bool,
}

#[derive(Default)]
struct WokenFlag {
    woken: AtomicBool,
    outer: Mutex<Option<Waker>>,
}

impl Wake for WokenFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        if let Some(outer) = self.outer.lock().unwrap().as_ref() {
            outer.wake_by_ref();
        }
    }
}

impl<F: Future> OnlyWhenWoken<F> {
    fn new(inner: F) -> Self {
        OnlyWhenWoken { inner: Box::pin(inner), flag: Arc::default(), polled: false }
    }
}

impl<F: Future> Future for OnlyWhenWoken<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        *this.flag.outer.lock().unwrap() = Some(cx.waker().clone());
        if this.polled && !this.flag.woken.swap(false, Ordering::SeqCst) {
            return Poll::Pending;
        }
        this.polled = true;
        let waker = Waker::from(Arc::clone(&this.flag));
        this.inner.as_mut().poll(&mut TaskContext::from_waker(&waker))
    }
}

// ---------------------------------------------------------------------------
// Tests

on_both_runtimes!(
    spawn_ask_tell,
    one_sender_arrives_in_order,
    one_sender_arrives_in_order_through_back_pressure,
    each_of_many_senders_arrives_in_order,
    ctx_tell_from_an_actor_arrives_in_order,
    ctx_sends_carry_sender_identity,
    sender_tell_returns_on_enqueue,
    sender_fans_out_to_two_actor_types,
    capability_message_reaches_two_actor_types,
    step_selects_over_mailbox_and_ticker,
    recv_wakes_the_waker_it_was_polled_with,
);

/// Every way of sending reaches the actor; `runtime.*` and `ActorRef::*` and
/// the `Request` methods are the same thing.
async fn spawn_ask_tell() {
    let runtime = Runtime::new();
    let rec = runtime.spawn(Recorder::default());
    assert!(rec.is_alive());
    assert_eq!(runtime.actor_count(), 1);

    within(rec.tell(Push(1))).await.unwrap();
    within(runtime.tell(&rec, Push(2))).await.unwrap();
    within(rec.ask(Push(3)).tell()).await.unwrap();
    rec.try_tell(Push(4)).unwrap();
    runtime.try_tell(&rec, Push(5)).unwrap();
    rec.ask(Push(6)).try_tell().unwrap();
    within(rec.ask(Push(7))).await.unwrap();
    within(runtime.ask(&rec, Push(8))).await.unwrap();
    within(rec.try_ask(Push(9))).await.unwrap();
    within(runtime.try_ask(&rec, Push(10))).await.unwrap();
    within(rec.ask(Push(11)).try_ask()).await.unwrap();

    assert_eq!(within(rec.ask(Seen)).await.unwrap(), (1..=11).collect::<Vec<_>>());
    assert_eq!(within(runtime.ask(&rec, Seen)).await.unwrap().len(), 11);

    within(rec.stop()).await.unwrap();
    assert!(!rec.is_alive());
    assert!(within(rec.wait()).await.is_normal());
    assert_eq!(runtime.actor_count(), 0);
    within(runtime.shutdown()).await;
}

async fn one_sender_arrives_in_order() {
    let runtime = Runtime::new();
    let rec = runtime.spawn(Recorder::default());
    for i in 0..600 {
        match i % 3 {
            0 => within(rec.tell(Push(i))).await.unwrap(),
            1 => rec.try_tell(Push(i)).unwrap(),
            _ => within(rec.ask(Push(i))).await.unwrap(),
        }
    }
    assert_eq!(within(rec.ask(Seen)).await.unwrap(), (0..600).collect::<Vec<_>>());
    within(runtime.shutdown()).await;
}

/// With a tiny bounded mailbox most tells wait for room; order still holds.
async fn one_sender_arrives_in_order_through_back_pressure() {
    let runtime = Runtime::new();
    let rec = runtime.spawn_with(Recorder::default(), Mailbox::bounded(2));
    for i in 0..500 {
        within(rec.tell(Push(i))).await.unwrap();
    }
    assert_eq!(within(rec.ask(Seen)).await.unwrap(), (0..500).collect::<Vec<_>>());
    within(runtime.shutdown()).await;
}

/// Concurrent senders interleave, but each one's messages keep their order.
async fn each_of_many_senders_arrives_in_order() {
    let runtime = Runtime::new();
    let rec = runtime.spawn_with(Recorder::default(), Mailbox::bounded(8));
    let senders: Vec<_> = (0..4u64)
        .map(|s| {
            let rec = rec.clone();
            tokio::spawn(async move {
                for i in 0..250 {
                    rec.tell(Push(s * 1000 + i)).await.unwrap();
                }
            })
        })
        .collect();
    for sender in senders {
        within(sender).await.unwrap();
    }
    let seen = within(rec.ask(Seen)).await.unwrap();
    assert_eq!(seen.len(), 1000);
    for s in 0..4u64 {
        let from_s: Vec<u64> = seen.iter().copied().filter(|n| n / 1000 == s).collect();
        assert_eq!(from_s, (s * 1000..s * 1000 + 250).collect::<Vec<_>>(), "sender {s} out of order");
    }
    within(runtime.shutdown()).await;
}

async fn ctx_tell_from_an_actor_arrives_in_order() {
    let runtime = Runtime::new();
    let rec = runtime.spawn(Recorder::default());
    let relay = runtime.spawn(Relay);
    let seen = within(relay.ask(Burst { to: rec.clone(), n: 300 })).await.unwrap();
    assert_eq!(seen, (0..300).collect::<Vec<_>>());
    within(runtime.shutdown()).await;
}

/// `ctx.ask`/`ctx.tell`/`ctx.try_tell` carry the sending actor's id; sends
/// from outside any actor carry `None`.
async fn ctx_sends_carry_sender_identity() {
    let runtime = Runtime::new();
    let echo = runtime.spawn(Echo::default());
    let relay = runtime.spawn(Relay);
    let other_relay = runtime.spawn(Relay);

    assert_eq!(within(echo.ask(WhoSent)).await.unwrap(), None);
    assert_eq!(within(runtime.ask(&echo, WhoSent)).await.unwrap(), None);
    let erased: Sender<WhoSent, Option<ActorId>> = Sender::from(&echo);
    assert_eq!(within(erased.ask(WhoSent)).await.unwrap(), None);

    let seen = within(relay.ask(AskVia(echo.clone(), WhoSent))).await.unwrap().unwrap();
    assert_eq!(seen, Some(relay.id()));
    let seen = within(other_relay.ask(AskVia(echo.clone(), WhoSent))).await.unwrap().unwrap();
    assert_eq!(seen, Some(other_relay.id()));
    // The next message from outside reads `None` again.
    assert_eq!(within(echo.ask(WhoSent)).await.unwrap(), None);

    within(relay.ask(TellVia(echo.clone(), Note))).await.unwrap().unwrap();
    within(other_relay.ask(TryTellVia(echo.clone(), Note))).await.unwrap().unwrap();
    within(echo.tell(Note)).await.unwrap();
    assert_eq!(within(echo.ask(Notes)).await.unwrap(), vec![Some(relay.id()), Some(other_relay.id()), None]);
    within(runtime.shutdown()).await;
}

/// `ctx.sender()` is documented as `None` outside a handler: in `step`,
/// after a message from another actor was handled, it must not still name
/// that actor.
#[tokio::test(flavor = "current_thread")]
async fn sender_is_none_in_step_outside_a_handler() {
    let runtime = Runtime::new();
    let (probe_tx, probes) = mpsc::unbounded_channel();
    let watcher = runtime.spawn(Watcher { probes });
    let relay = runtime.spawn(Relay);

    let (tx, rx) = oneshot::channel();
    probe_tx.send(tx).unwrap();
    assert_eq!(within(rx).await.unwrap(), None, "before any message");

    let seen = within(relay.ask(AskVia(watcher.clone(), WhoSent))).await.unwrap().unwrap();
    assert_eq!(seen, Some(relay.id()), "inside the handler");

    let (tx, rx) = oneshot::channel();
    probe_tx.send(tx).unwrap();
    assert_eq!(within(rx).await.unwrap(), None, "in `step`, after the handler returned");
    within(runtime.shutdown()).await;
}

/// `Sender::tell` returns once the message is enqueued, while the actor is
/// still blocked in an earlier handler.
async fn sender_tell_returns_on_enqueue() {
    let runtime = Runtime::new();
    let (marks_tx, mut marks) = mpsc::unbounded_channel();
    let gate = runtime.spawn(Gate { marks: marks_tx });
    let sender: Sender<Mark, u32> = Sender::from(gate.clone());
    assert_eq!(sender.id(), gate.id());
    assert!(sender.is_alive());

    let (msg, started, release) = hold();
    within(gate.tell(msg)).await.unwrap();
    within(started).await.unwrap();

    within(sender.tell(Mark(1))).await.unwrap();
    sender.try_tell(Mark(2)).unwrap();
    assert_eq!(marks.try_recv(), Err(TryRecvError::Empty), "the actor is still held: nothing handled yet");

    release.notify_one();
    assert_eq!(within(marks.recv()).await, Some(1));
    assert_eq!(within(marks.recv()).await, Some(2));
    assert_eq!(within(sender.ask(Mark(3))).await.unwrap(), 3);
    assert_eq!(within(marks.recv()).await, Some(3));

    let clone = sender.clone();
    assert_eq!(clone, sender);
    assert_eq!(clone.id(), gate.id());
    within(runtime.shutdown()).await;
    assert!(!sender.is_alive());
}

/// One list of `Sender<Event, usize>` reaches a `Screen` and a `Disk`.
async fn sender_fans_out_to_two_actor_types() {
    let runtime = Runtime::new();
    let screen = runtime.spawn(Screen::default());
    let disk = runtime.spawn(Disk::default());
    let listeners: Vec<Sender<Event, usize>> = vec![Sender::from(screen.clone()), Sender::from(&disk)];
    assert_eq!(listeners[0].id(), screen.id());
    assert_eq!(listeners[1].id(), disk.id());
    assert_ne!(listeners[0], listeners[1]);

    for l in &listeners {
        within(l.tell(Event("hello"))).await.unwrap();
        l.try_tell(Event("hi")).unwrap();
    }
    let mut replies = Vec::new();
    for l in &listeners {
        replies.push(within(l.ask(Event("abc"))).await.unwrap());
    }
    assert_eq!(replies, vec![3, 5 + 2 + 3], "three lines on the screen; ten bytes on the disk");
    // The typed refs see the same actors.
    assert_eq!(within(screen.ask(Event("!"))).await.unwrap(), 4);
    assert_eq!(within(disk.ask(Event("!"))).await.unwrap(), 11);

    // Senders compare and hash by actor.
    let set: HashSet<Sender<Event, usize>> = listeners.iter().cloned().chain([Sender::from(&screen)]).collect();
    assert_eq!(set.len(), 2);
    let debug = format!("{:?}", listeners[0]);
    assert!(debug.contains("Event") && debug.contains("Screen"), "{debug}");
    within(runtime.shutdown()).await;
}

/// `impl<A: Actor + Health> Message<A> for Ping` reaches two actor types,
/// directly, through `ctx.ask`, and through `Sender`.
async fn capability_message_reaches_two_actor_types() {
    let runtime = Runtime::new();
    let db = runtime.spawn(Database { health: 90 });
    let cache = runtime.spawn(Cache { misses: 0 });

    assert_eq!(within(db.ask(Ping)).await.unwrap(), 90);
    assert_eq!(within(cache.ask(Ping)).await.unwrap(), 100);
    within(db.tell(Degrade(10))).await.unwrap();
    within(cache.tell(Degrade(30))).await.unwrap();

    let relay = runtime.spawn(Relay);
    assert_eq!(within(relay.ask(AskVia(db.clone(), Ping))).await.unwrap().unwrap(), 80);

    let pings: Vec<Sender<Ping, u8>> = vec![Sender::from(&db), Sender::from(&cache)];
    let degrades: Vec<Sender<Degrade, ()>> = vec![Sender::from(&db), Sender::from(&cache)];
    for d in &degrades {
        within(d.tell(Degrade(5))).await.unwrap();
    }
    let mut health = Vec::new();
    for p in &pings {
        health.push(within(p.ask(Ping)).await.unwrap());
    }
    assert_eq!(health, vec![75, 65]);
    within(runtime.shutdown()).await;
}

/// A `step` with a biased `select!` over `ctx.recv()` and an interval: the
/// ticks happen, messages are still served, and `stop()` still ends it.
async fn step_selects_over_mailbox_and_ticker() {
    let runtime = Runtime::new();
    let (beat_tx, mut beats) = mpsc::unbounded_channel();
    let heart = runtime.spawn(Heart::new(Duration::from_millis(2), beat_tx));

    for expected in 1..=3 {
        assert_eq!(within(beats.recv()).await, Some(expected));
    }
    let counted = within(heart.ask(Beats)).await.unwrap();
    assert!(counted >= 3, "{counted} beats counted");
    // Ticks keep coming after a message.
    let next = within(beats.recv()).await.unwrap();
    assert!(next > 3);

    within(heart.stop()).await.unwrap();
    assert!(within(heart.wait()).await.is_normal());
    within(runtime.shutdown()).await;
}

/// `ctx.recv()` polled under another waker than the task's (inside a
/// user's own future combinator): a send, a `stop()` and dropping the last
/// ref each wake that waker, with an unbounded mailbox and with a
/// rendezvous (which waits differently).
async fn recv_wakes_the_waker_it_was_polled_with() {
    let runtime = Runtime::new();
    for mailbox in [Mailbox::unbounded(), Mailbox::bounded(0)] {
        let (stopped, stop_reason) = oneshot::channel();
        let picky = runtime.spawn_with(Picky { stopped: Some(stopped) }, mailbox);
        for n in 0..100 {
            assert_eq!(within(picky.ask(Said(n))).await.unwrap(), n);
        }
        within(picky.stop()).await.unwrap();
        assert!(within(stop_reason).await.unwrap().is_normal(), "{mailbox:?}: stopped while parked");

        let (stopped, stop_reason) = oneshot::channel();
        let picky = runtime.spawn_with(Picky { stopped: Some(stopped) }, mailbox);
        assert_eq!(within(picky.ask(Said(7))).await.unwrap(), 7);
        drop(picky);
        assert!(within(stop_reason).await.unwrap().is_normal(), "{mailbox:?}: the last ref dropped while parked");
    }
    within(runtime.shutdown()).await;
}

/// With time paused: when a message and a tick are both ready, the biased
/// `select!` takes the message first; the tick is not lost.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn step_biased_select_prefers_the_mailbox() {
    let runtime = Runtime::new();
    let (beat_tx, mut beats) = mpsc::unbounded_channel();
    let period = Duration::from_secs(3600);
    let heart = runtime.spawn(Heart::new(period, beat_tx));

    // An interval's first tick is immediate.
    assert_eq!(within(beats.recv()).await, Some(1));

    // Hold the actor in a handler while the next tick falls due and a
    // message is queued behind it.
    let (started, started_rx) = oneshot::channel();
    let release = Arc::new(Notify::new());
    within(heart.tell(Stall { started, release: Arc::clone(&release) })).await.unwrap();
    within(started_rx).await.unwrap();
    tokio::time::advance(period).await;
    let (recorded_tx, recorded) = oneshot::channel();
    heart.try_tell(Record(recorded_tx)).unwrap();
    release.notify_one();

    assert_eq!(within(recorded).await.unwrap(), 1, "the queued message came before the due tick");
    assert_eq!(within(beats.recv()).await, Some(2), "the due tick still fired");
    assert_eq!(within(heart.ask(Beats)).await.unwrap(), 2);
    within(runtime.shutdown()).await;
}

fn is_ref_like<T: Eq + Hash + Debug + Clone + Send + Sync + 'static>(_: &T) {}
fn is_id_like<T: Copy + Eq + Ord + Hash + Debug + Display + Send + Sync + 'static>(_: T) {}

/// `ActorRef` is `Eq + Hash + Debug + Clone`; `ActorId` is `Copy + Ord +
/// Display`, unique, and grows in spawn order.
#[tokio::test(flavor = "current_thread")]
// Refs hash by id only; clippy sees the mailbox's interior mutability.
#[allow(clippy::mutable_key_type)]
async fn refs_and_ids_compare_hash_and_print() {
    let runtime = Runtime::new();
    let a = runtime.spawn(Recorder::default());
    let b = runtime.spawn(Recorder::default());
    is_ref_like(&a);
    is_id_like(a.id());

    assert_eq!(a, a.clone());
    assert_ne!(a, b);
    let set: HashSet<ActorRef<Recorder>> = [a.clone(), a.clone(), b.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&a) && set.contains(&b));
    // The ref an actor hands out of its context is the same ref.
    let from_inside = within(a.ask(SelfRef)).await.unwrap();
    assert_eq!(from_inside, a);
    assert!(set.contains(&from_inside));

    let id = a.id();
    let copy = id;
    assert_eq!(id, copy);
    assert!(a.id() < b.id(), "ids grow in spawn order");
    let ids: BTreeSet<ActorId> = [b.id(), a.id(), a.id()].into_iter().collect();
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), vec![a.id(), b.id()]);

    let (shown_a, shown_b) = (a.id().to_string(), b.id().to_string());
    assert_ne!(shown_a, shown_b);
    assert!(shown_a.contains(&a.id().as_u64().to_string()), "{shown_a}");
    let debug = format!("{a:?}");
    assert!(debug.contains("Recorder") && debug.contains(&a.id().as_u64().to_string()), "{debug}");
    assert!(format!("{:?}", a.id()).contains(&a.id().as_u64().to_string()));
    within(runtime.shutdown()).await;
}

// ---------------------------------------------------------------------------
// An actor that asks itself fails at once with `is_deadlock`, never hangs.

#[derive(Default)]
struct Narcissus {
    me: Option<ActorRef<Narcissus>>,
    count: u64,
}

impl Actor for Narcissus {}

struct Count;

impl Message<Narcissus> for Count {
    type Reply = u64;

    async fn handle(self, n: &mut Narcissus, _: &mut Context<Narcissus>) -> u64 {
        n.count += 1;
        n.count
    }
}

/// How the actor asks itself.
#[derive(Clone, Copy, Debug)]
enum SelfAsk {
    /// `ctx.ask(&ctx.actor_ref(), ..)`.
    Context,
    /// `ctx.ask(..).try_ask()`.
    ContextTry,
    /// Through a ref to itself it keeps, with no sender attached.
    OwnRef,
    /// `ActorRef::try_ask` on that ref.
    OwnRefTry,
}

/// Asks itself `Count`; replies with what the ask gave (as text) and whether
/// it was a deadlock error.
struct AskMyself(SelfAsk);

impl Message<Narcissus> for AskMyself {
    type Reply = (bool, String);

    async fn handle(self, n: &mut Narcissus, ctx: &mut Context<Narcissus>) -> (bool, String) {
        let me = ctx.actor_ref();
        let result = match self.0 {
            SelfAsk::Context => ctx.ask(&me, Count).await.map_err(|e| (e.is_deadlock(), e.to_string())),
            SelfAsk::ContextTry => ctx
                .ask(&me, Count)
                .try_ask()
                .await
                .map_err(|e| (e.is_deadlock() && e.into_inner().is_some(), String::new())),
            SelfAsk::OwnRef => n.me.as_ref().unwrap().ask(Count).await.map_err(|e| (e.is_deadlock(), e.to_string())),
            SelfAsk::OwnRefTry => {
                n.me.as_ref().unwrap().try_ask(Count).await.map_err(|e| (e.is_deadlock(), e.to_string()))
            }
        };
        match result {
            Ok(v) => (false, format!("answered {v}")),
            Err((deadlock, text)) => (deadlock, text),
        }
    }
}

struct KeepMe(ActorRef<Narcissus>);

impl Message<Narcissus> for KeepMe {
    type Reply = ();

    async fn handle(self, n: &mut Narcissus, _: &mut Context<Narcissus>) {
        n.me = Some(self.0);
    }
}

async fn an_actor_that_asks_itself_fails_at_once() {
    let runtime = Runtime::new();
    let n = runtime.spawn(Narcissus::default());
    within(n.tell(KeepMe(n.clone()))).await.unwrap();
    for how in [SelfAsk::Context, SelfAsk::ContextTry, SelfAsk::OwnRef, SelfAsk::OwnRefTry] {
        let (deadlock, text) = within(n.ask(AskMyself(how))).await.unwrap();
        assert!(deadlock, "{how:?}: {text}");
        if !matches!(how, SelfAsk::ContextTry) {
            assert!(text.contains("to itself"), "{how:?}: {text}");
        }
    }
    // The actor is fine, and nothing was delivered by the refused asks.
    assert_eq!(within(n.ask(Count)).await.unwrap(), 1);
    // Asking it from outside, or from another actor, is no deadlock.
    let other = runtime.spawn(Narcissus::default());
    within(other.tell(KeepMe(n.clone()))).await.unwrap();
    let (deadlock, text) = within(other.ask(AskMyself(SelfAsk::OwnRef))).await.unwrap();
    assert!(!deadlock && text == "answered 2", "{text}");
    // Hold `n`'s ref in itself no longer, so that shutdown has nothing to wait on.
    n.kill();
    within(runtime.shutdown()).await;
}

on_both_runtimes!(an_actor_that_asks_itself_fails_at_once);

// ---------------------------------------------------------------------------
// Waiting on itself in other ways fails at once too: a `Sender` ask to
// itself, a tell into its own full mailbox (a rendezvous is always full).

#[derive(Default)]
struct Selfish {
    me: Option<Sender<Count2, u64>>,
}

impl Actor for Selfish {}

struct Count2;
impl Message<Selfish> for Count2 {
    type Reply = u64;
    async fn handle(self, _: &mut Selfish, _: &mut Context<Selfish>) -> u64 {
        7
    }
}

struct KeepSender(Sender<Count2, u64>);
impl Message<Selfish> for KeepSender {
    type Reply = ();
    async fn handle(self, e: &mut Selfish, _: &mut Context<Selfish>) {
        e.me = Some(self.0);
    }
}

/// Asks itself through its `Sender`.
struct SenderSelfAsk;
impl Message<Selfish> for SenderSelfAsk {
    type Reply = bool;
    async fn handle(self, e: &mut Selfish, _: &mut Context<Selfish>) -> bool {
        e.me.as_ref().unwrap().ask(Count2).await.is_err_and(|err| err.is_deadlock())
    }
}

/// Fills its own mailbox if it can, then tells itself (waiting for room).
struct SelfTellWhenFull;
impl Message<Selfish> for SelfTellWhenFull {
    type Reply = (bool, bool);
    async fn handle(self, _: &mut Selfish, ctx: &mut Context<Selfish>) -> (bool, bool) {
        let me = ctx.actor_ref();
        let _ = ctx.try_tell(&me, Count2);
        let told = ctx.tell(&me, Count2).await;
        let sender = Sender::from(&me).tell(Count2).await;
        (told.is_err_and(|e| e.is_deadlock()), sender.is_err_and(|e| e.is_deadlock()))
    }
}

async fn waiting_on_itself_fails_at_once() {
    let runtime = Runtime::new();
    let echo = runtime.spawn(Selfish::default());
    within(echo.tell(KeepSender(Sender::from(&echo)))).await.unwrap();
    assert!(within(echo.ask(SenderSelfAsk)).await.unwrap(), "a Sender ask to itself is a deadlock error");
    // Unbounded: a self-tell never waits, so it is fine.
    assert_eq!(within(echo.ask(SelfTellWhenFull)).await.unwrap(), (false, false));
    for mailbox in [Mailbox::bounded(1), Mailbox::bounded(0)] {
        let full = runtime.spawn_with(Selfish::default(), mailbox);
        assert_eq!(within(full.ask(SelfTellWhenFull)).await.unwrap(), (true, true), "{mailbox:?}");
        within(full.stop()).await.unwrap();
    }
    echo.kill();
    within(runtime.shutdown()).await;
}

on_both_runtimes!(waiting_on_itself_fails_at_once);
