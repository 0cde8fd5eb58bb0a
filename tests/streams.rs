//! Attached streams: `ctx.attach(stream)` and `StreamHandle::cancel`. Items
//! are handled like tells from the actor itself, in order; a bounded mailbox
//! holds the stream back (nothing dropped, at most one item pulled ahead); a
//! stream that ends does not stop the actor; after `cancel()` no item is
//! handled, even one already queued; streams end with their actor and never
//! keep it alive; a panicking stream is the actor's panic.
//!
//! As in `tests/timers.rs`, each test runs on the current-thread runtime with
//! tokio's paused clock and on the multi-thread runtime in real time.

mod support;

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures::stream::{self, StreamExt};
use futures::{Stream, channel::mpsc as fmpsc};
use support::{Clock, within};
use tokio::sync::{Notify, mpsc};
use tractor::prelude::*;

/// Counts what happened to a stream: items pulled, drops, and says when a
/// count is reached.
#[derive(Clone, Default)]
struct Counts(Arc<(AtomicUsize, AtomicUsize, Notify)>);

impl Counts {
    fn pulled(&self) -> usize {
        self.0.0.load(Ordering::SeqCst)
    }

    fn dropped(&self) -> usize {
        self.0.1.load(Ordering::SeqCst)
    }

    fn bump(&self, which: &AtomicUsize) {
        which.fetch_add(1, Ordering::SeqCst);
        self.0.2.notify_waiters();
    }

    /// Waits until `done(self)`.
    async fn until(&self, done: impl Fn(&Self) -> bool) {
        loop {
            let notified = self.0.2.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if done(self) {
                return;
            }
            notified.await;
        }
    }
}

/// A stream that counts its pulls and its drop.
struct Counted<S> {
    inner: S,
    counts: Counts,
}

fn counted<S>(inner: S, counts: &Counts) -> Counted<S> {
    Counted { inner, counts: counts.clone() }
}

impl<S: Stream + Unpin> Stream for Counted<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<S::Item>> {
        let polled = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(_)) = &polled {
            self.counts.bump(&self.counts.0.0);
        }
        polled
    }
}

impl<S> Drop for Counted<S> {
    fn drop(&mut self) {
        self.counts.bump(&self.counts.0.1);
    }
}

/// The actor under test: reports what it handles.
struct Reader {
    events: mpsc::UnboundedSender<String>,
    /// Items of `slow` started, to compare with the stream's pulls.
    started: usize,
    pulled: Counts,
    /// The most items pulled and not yet started, seen by `slow`.
    most_ahead: usize,
    handle: Option<StreamHandle>,
    echo: Option<ActorRef<Echo>>,
}

impl Reader {
    fn new() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (events, rx) = mpsc::unbounded_channel();
        let reader = Reader { events, started: 0, pulled: Counts::default(), most_ahead: 0, handle: None, echo: None };
        (reader, rx)
    }

    fn report(&self, event: impl Into<String>) {
        let _ = self.events.send(event.into());
    }
}

impl Actor for Reader {
    async fn on_panic(&mut self, _: &mut Context<Self>, panic: &Panic) -> ControlFlow {
        self.report(format!("panic {}", panic.message()));
        ControlFlow::Continue
    }

    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        self.report(format!("on_stop ({reason}): {} dropped", self.pulled.dropped()));
    }
}

#[actor]
impl Reader {
    /// An item, handled synchronously; it comes from the actor itself.
    #[message]
    pub fn item(&mut self, ctx: &mut Context<Self>, tag: &'static str, n: u32) {
        assert_eq!(ctx.sender(), Some(ctx.id()), "an item comes from the actor itself");
        self.report(format!("{tag}{n}"));
    }

    /// An item with a slow, asynchronous handler: checks how far ahead the
    /// stream was pulled.
    #[message]
    pub async fn slow(&mut self, ctx: &mut Context<Self>, n: u32) {
        assert_eq!(ctx.sender(), Some(ctx.id()));
        self.started += 1;
        self.most_ahead = self.most_ahead.max(self.pulled.pulled() - self.started);
        tokio::time::sleep(Duration::from_millis(1)).await;
        // Meanwhile the stream ran as far ahead as it could.
        self.most_ahead = self.most_ahead.max(self.pulled.pulled() - self.started);
        self.report(format!("slow{n}"));
    }

    /// The end marker chained after a stream.
    #[message]
    pub fn end(&mut self) {
        self.report(format!("end, at most {} ahead", self.most_ahead));
    }

    /// Forwarded to the echo: under an item, a plain tell from this actor.
    #[message(reply = ())]
    pub fn relay(&mut self, ctx: &mut Context<Self>, n: u32) -> Forward<()> {
        ctx.forward(self.echo.as_ref().unwrap(), Heard { n })
    }
}

/// Reports what it hears, and from whom.
struct Echo {
    heard: mpsc::UnboundedSender<(u32, Option<ActorId>)>,
}

impl Actor for Echo {}

struct Heard {
    n: u32,
}

impl Message<Echo> for Heard {
    type Reply = ();
    async fn handle(self, echo: &mut Echo, ctx: &mut Context<Echo>) {
        let _ = echo.heard.send((self.n, ctx.sender()));
    }
}

type Job = Box<dyn FnOnce(&mut Reader, &mut Context<Reader>) + Send>;

/// Runs a closure on the actor, after waiting for `gate` if there is one.
struct Run(Option<Arc<Notify>>, Job);

fn run(f: impl FnOnce(&mut Reader, &mut Context<Reader>) + Send + 'static) -> Run {
    Run(None, Box::new(f))
}

fn gated(gate: &Arc<Notify>, f: impl FnOnce(&mut Reader, &mut Context<Reader>) + Send + 'static) -> Run {
    Run(Some(gate.clone()), Box::new(f))
}

impl Message<Reader> for Run {
    type Reply = ();
    async fn handle(self, r: &mut Reader, ctx: &mut Context<Reader>) {
        if let Some(gate) = self.0 {
            gate.notified().await;
        }
        (self.1)(r, ctx);
    }
}

fn probe() -> Run {
    run(|r, _| r.report("probe"))
}

async fn next(events: &mut mpsc::UnboundedReceiver<String>) -> String {
    within(events.recv()).await.expect("the actor is gone")
}

async fn until_probe(events: &mut mpsc::UnboundedReceiver<String>) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match next(events).await {
            probe if probe == "probe" => return seen,
            event => seen.push(event),
        }
    }
}

/// Every event left, until the actor (which holds the sender) is gone.
async fn all_left(events: &mut mpsc::UnboundedReceiver<String>) -> Vec<String> {
    let mut seen = Vec::new();
    while let Some(event) = within(events.recv()).await {
        seen.push(event);
    }
    seen
}

fn items(tag: &'static str, n: u32) -> impl Stream<Item = ReaderMessage> + Send + Unpin + 'static {
    stream::iter(0..n).map(move |n| ReaderMessage::from(Item { tag, n }))
}

async fn items_are_handled_in_order_from_the_actor_itself(_clock: Clock) {
    let runtime = Runtime::new();
    let (reader, mut events) = Reader::new();
    let reader = runtime.spawn(reader);
    within(reader.tell(run(|_, ctx| drop(ctx.attach(items("", 200).chain(stream::iter([ReaderMessage::from(End)])))))))
        .await
        .unwrap();
    let mut seen = Vec::new();
    loop {
        let event = next(&mut events).await;
        if event.starts_with("end") {
            break;
        }
        seen.push(event);
    }
    assert_eq!(seen, (0..200).map(|n| n.to_string()).collect::<Vec<_>>());
    within(runtime.shutdown()).await;
}

async fn a_bounded_mailbox_holds_the_stream_back(clock: Clock) {
    for capacity in [0, 1, 4] {
        let runtime = Runtime::new();
        let (reader, mut events) = Reader::new();
        let pulled = reader.pulled.clone();
        let reader = runtime.spawn_with(reader, Mailbox::bounded(capacity));
        let numbers = stream::iter(0..30).map(|n| ReaderMessage::from(Slow { n }));
        let numbers = counted(numbers.chain(stream::iter([ReaderMessage::from(End)])), &pulled);
        within(reader.tell(run(move |_, ctx| drop(ctx.attach(numbers))))).await.unwrap();
        let mut seen = Vec::new();
        let end = loop {
            let event = next(&mut events).await;
            if event.starts_with("end") {
                break event;
            }
            seen.push(event);
        };
        // Nothing dropped, in order.
        assert_eq!(seen, (0..30).map(|n| format!("slow{n}")).collect::<Vec<_>>(), "capacity {capacity}");
        // At most the mailbox's capacity queued, and one item held by the
        // task until there is room; on the paused clock the slow handler
        // lets the stream run that far ahead, exactly.
        let most: usize = end.trim_start_matches("end, at most ").trim_end_matches(" ahead").parse().unwrap();
        match clock {
            Clock::Paused => assert_eq!(most, capacity + 1, "capacity {capacity}"),
            Clock::Real => assert!(most <= capacity + 1, "capacity {capacity}: {most} ahead"),
        }
        within(runtime.shutdown()).await;
    }
}

async fn a_stream_that_ends_does_not_stop_the_actor(_clock: Clock) {
    let runtime = Runtime::new();
    let (reader, mut events) = Reader::new();
    let counts = reader.pulled.clone();
    let reader = runtime.spawn(reader);
    let three = counted(items("", 3), &counts);
    within(reader.ask(run(move |r, ctx| r.handle = Some(ctx.attach(three))))).await.unwrap();
    for n in 0..3 {
        assert_eq!(next(&mut events).await, n.to_string());
    }
    // Ended: the stream is dropped, the handle says so, the actor goes on.
    within(counts.until(|c| c.dropped() == 1)).await;
    within(reader.ask(run(|r, _| assert!(!r.handle.as_ref().unwrap().is_active())))).await.unwrap();
    within(reader.ask(probe())).await.unwrap();
    assert_eq!(until_probe(&mut events).await, Vec::<String>::new());
    assert!(reader.is_alive());
    within(runtime.shutdown()).await;
}

async fn cancel_drops_an_item_already_queued(_clock: Clock) {
    let runtime = Runtime::new();
    let (reader, mut events) = Reader::new();
    let counts = reader.pulled.clone();
    let reader = runtime.spawn(reader);
    let (tx, rx) = fmpsc::unbounded::<u32>();
    let fed = counted(rx.map(|n| ReaderMessage::from(Item { tag: "", n })), &counts);
    within(reader.tell(run(move |r, ctx| r.handle = Some(ctx.attach(fed))))).await.unwrap();
    // The actor is held; an item is pulled, so it is in the mailbox behind
    // the hold (the task pushes it in the poll that pulled it).
    let gate = Arc::new(Notify::new());
    within(reader.tell(gated(&gate, |r, _| {
        let handle = r.handle.take().unwrap();
        handle.cancel();
        r.report(format!("cancelled, active: {}, dropped: {}", handle.is_active(), r.pulled.dropped()));
    })))
    .await
    .unwrap();
    tx.unbounded_send(1).unwrap();
    within(counts.until(|c| c.pulled() == 1)).await;
    gate.notify_one();
    let cancelled = next(&mut events).await;
    within(reader.stop()).await.unwrap();
    drop(reader);
    let left = all_left(&mut events).await;
    assert!(left.iter().all(|e| e.starts_with("on_stop")), "a cancelled item was handled: {left:?}");
    // And `cancel` dropped the stream, at once.
    assert_eq!(cancelled, "cancelled, active: false, dropped: 1");
    assert!(tx.unbounded_send(2).is_err());
    within(runtime.shutdown()).await;
}

async fn streams_end_with_their_actor(_clock: Clock) {
    for kill in [false, true] {
        let runtime = Runtime::new();
        let (reader, mut events) = Reader::new();
        let counts = reader.pulled.clone();
        let reader = runtime.spawn(reader);
        let (tx, rx) = fmpsc::unbounded::<u32>();
        let fed = counted(rx.map(|n| ReaderMessage::from(Item { tag: "", n })), &counts);
        within(reader.ask(run(move |_, ctx| drop(ctx.attach(fed))))).await.unwrap();
        tx.unbounded_send(7).unwrap();
        assert_eq!(next(&mut events).await, "7");
        if kill {
            reader.kill();
        } else {
            within(reader.stop()).await.unwrap();
        }
        within(reader.wait()).await;
        drop(reader);
        // Dropped before `on_stop` ran.
        let reason = if kill { "killed" } else { "normal" };
        assert_eq!(all_left(&mut events).await, [format!("on_stop ({reason}): 1 dropped")]);
        assert!(tx.unbounded_send(8).is_err());
        within(runtime.shutdown()).await;
    }
}

async fn streams_do_not_keep_their_actor_alive(_clock: Clock) {
    let runtime = Runtime::new();
    let (reader, mut events) = Reader::new();
    let counts = reader.pulled.clone();
    // Two endless streams into a one-slot mailbox: they take turns waiting
    // for room, and neither may keep the actor.
    let reader = runtime.spawn_with(reader, Mailbox::bounded(1));
    let endless = || counted(stream::repeat_with(|| ReaderMessage::from(Slow { n: 0 })), &counts);
    let (a, b) = (endless(), endless());
    within(reader.ask(run(move |_, ctx| {
        ctx.attach(a);
        ctx.attach(b);
    })))
    .await
    .unwrap();
    within(counts.until(|c| c.pulled() > 10)).await;
    let weak = reader.downgrade();
    drop(reader);
    // Bounded as a whole: a stream that kept the actor would feed it for ever.
    let stopped = within(async {
        loop {
            let event = next(&mut events).await;
            if event.starts_with("on_stop") {
                break event;
            }
        }
    })
    .await;
    assert_eq!(stopped, "on_stop (normal): 2 dropped");
    assert!(weak.upgrade().is_none());
    within(runtime.shutdown()).await;
}

async fn a_panicking_stream_is_the_actors_panic(_clock: Clock) {
    let crashes = Arc::new(Mutex::new(Vec::new()));
    let seen = crashes.clone();
    let runtime = Runtime::builder()
        .crash_policy(move |crash: &Crash| seen.lock().unwrap().push(crash.message_type().unwrap_or("-").to_string()))
        .build();
    let (reader, mut events) = Reader::new();
    let counts = reader.pulled.clone();
    let reader = runtime.spawn(reader);
    let breaking = counted(
        stream::iter(0..).map(|n| {
            if n == 2 {
                panic!("stream broke at {n}");
            }
            ReaderMessage::from(Item { tag: "", n })
        }),
        &counts,
    );
    within(reader.ask(run(move |r, ctx| r.handle = Some(ctx.attach(breaking))))).await.unwrap();
    assert_eq!(next(&mut events).await, "0");
    assert_eq!(next(&mut events).await, "1");
    assert_eq!(next(&mut events).await, "panic stream broke at 2");
    assert_eq!(counts.dropped(), 1, "the stream ended with its panic");
    within(reader.ask(run(|r, _| assert!(!r.handle.as_ref().unwrap().is_active())))).await.unwrap();
    assert!(reader.is_alive(), "on_panic said Continue");
    let crashes = crashes.lock().unwrap().clone();
    assert!(crashes.len() == 1 && crashes[0].contains("StreamItem"), "{crashes:?}");
    within(runtime.shutdown()).await;
}

async fn several_streams_keep_their_own_order(_clock: Clock) {
    let runtime = Runtime::new();
    let (reader, mut events) = Reader::new();
    let reader = runtime.spawn(reader);
    within(reader.tell(run(|_, ctx| {
        ctx.attach(items("a", 100));
        ctx.attach(items("b", 100));
    })))
    .await
    .unwrap();
    let mut seen = Vec::new();
    for _ in 0..200 {
        seen.push(next(&mut events).await);
    }
    for tag in ["a", "b"] {
        let mine: Vec<_> = seen.iter().filter(|e| e.starts_with(tag)).cloned().collect();
        assert_eq!(mine, (0..100).map(|n| format!("{tag}{n}")).collect::<Vec<_>>());
    }
    within(runtime.shutdown()).await;
}

async fn a_forward_under_an_item_or_a_tick_is_a_plain_tell(_clock: Clock) {
    let runtime = Runtime::new();
    let (heard, mut echoes) = mpsc::unbounded_channel();
    let echo = runtime.spawn(Echo { heard });
    let (mut reader, _events) = Reader::new();
    reader.echo = Some(echo);
    let reader = runtime.spawn(reader);
    within(reader.tell(run(|_, ctx| {
        ctx.attach(stream::iter([Relay { n: 1 }, Relay { n: 2 }]));
        ctx.tell_after(Duration::from_millis(10), Relay { n: 3 });
    })))
    .await
    .unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(within(echoes.recv()).await.unwrap());
    }
    assert_eq!(got, [(1, Some(reader.id())), (2, Some(reader.id())), (3, Some(reader.id()))]);
    within(runtime.shutdown()).await;
}

on_both_clocks!(
    items_are_handled_in_order_from_the_actor_itself,
    a_bounded_mailbox_holds_the_stream_back,
    a_stream_that_ends_does_not_stop_the_actor,
    cancel_drops_an_item_already_queued,
    streams_end_with_their_actor,
    streams_do_not_keep_their_actor_alive,
    a_panicking_stream_is_the_actors_panic,
    several_streams_keep_their_own_order,
    a_forward_under_an_item_or_a_tick_is_a_plain_tell,
);
