//! The main demo: a `PubSub<Event>` broadcasts to three listeners. Two fast
//! ones subscribe with `Delivery::Wait` (nothing is ever dropped for them); a
//! slow one, with a one-message mailbox, subscribes with `Delivery::Latest`:
//! it holds neither the publisher nor the others up, it gets the newest event
//! as soon as it has room, and the `PubSub` counts what it skipped. A
//! `Logger` prints a heartbeat whenever its mailbox is quiet (one keyed
//! timer, moved on by every line); snapshots are taken by ask; the runtime
//! shuts everything down.
//!
//! Run it with `cargo run --example pub_sub`.

use std::time::{Duration, Instant};

use tractor::actors::{Delivery, PubSub, PubSubStats};
use tractor::prelude::*;

/// What is published.
#[derive(Clone, Debug)]
struct Event {
    seq: u32,
    topic: &'static str,
}

/// Prints every line of the transcript, with the time since start.
struct Logger {
    started: Instant,
    lines: u32,
}

/// A line for the transcript.
struct Log(String);

/// No line came for a while.
struct Quiet;

/// How long without a line before a heartbeat.
const QUIET: Duration = Duration::from_millis(150);

impl Actor for Logger {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.print("logger: started");
        ctx.timer("quiet").tell_after(QUIET, Quiet);
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
        self.print(&format!("logger: stopped ({reason}) after {} lines", self.lines));
    }
}

impl Logger {
    fn print(&mut self, line: &str) {
        self.lines += 1;
        println!("[{:>5.0?} ms] {line}", self.started.elapsed().as_secs_f64() * 1000.0);
    }
}

impl Message<Logger> for Log {
    type Reply = ();
    async fn handle(self, logger: &mut Logger, ctx: &mut Context<Logger>) {
        logger.print(&self.0);
        // Every line moves the heartbeat on: the same key replaces the timer.
        ctx.timer("quiet").tell_after(QUIET, Quiet);
    }
}

impl Message<Logger> for Quiet {
    type Reply = ();
    async fn handle(self, logger: &mut Logger, ctx: &mut Context<Logger>) {
        logger.print("logger: (quiet) heartbeat");
        ctx.timer("quiet").tell_after(QUIET, Quiet);
    }
}

/// Receives events; a slow one takes its time over each.
struct Listener {
    name: &'static str,
    delay: Duration,
    received: Vec<u32>,
    logger: ActorRef<Logger>,
}

impl Actor for Listener {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.log(format!("{}: listening", self.name)).await;
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        self.log(format!("{}: stopped with {} events", self.name, self.received.len())).await;
    }
}

impl Listener {
    async fn log(&self, line: String) {
        let _ = self.logger.tell(Log(line)).await;
    }
}

impl Message<Listener> for Event {
    type Reply = ();
    async fn handle(self, listener: &mut Listener, _: &mut Context<Listener>) {
        tokio::time::sleep(listener.delay).await;
        listener.received.push(self.seq);
        listener.log(format!("{}: got #{} on {}", listener.name, self.seq, self.topic)).await;
    }
}

/// Asks a listener what it has received so far.
struct Snapshot;

impl Message<Listener> for Snapshot {
    type Reply = Vec<u32>;
    async fn handle(self, listener: &mut Listener, _: &mut Context<Listener>) -> Vec<u32> {
        listener.received.clone()
    }
}

/// The `PubSub`'s counters once no `Latest` event is still waiting for room.
async fn settled(events: &ActorRef<PubSub<Event>>) -> Result<PubSubStats, tractor::Error> {
    loop {
        let stats = events.stats().await?;
        if stats.subscribers.iter().all(|s| !s.pending) {
            return Ok(stats);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let started = Instant::now();
    let logger = runtime.spawn(Logger { started, lines: 0 });

    let events: ActorRef<PubSub<Event>> = runtime.spawn(PubSub::new());
    let mut listeners = Vec::new();
    for (name, delay, mailbox, delivery) in [
        ("fast-1", 0, Mailbox::unbounded(), Delivery::Wait),
        ("fast-2", 0, Mailbox::unbounded(), Delivery::Wait),
        // One event in its mailbox at most, and 120 ms over each.
        ("slow", 120, Mailbox::bounded(1), Delivery::Latest),
    ] {
        let listener =
            Listener { name, delay: Duration::from_millis(delay), received: Vec::new(), logger: logger.clone() };
        let listener = runtime.spawn_with(listener, mailbox);
        events.subscribe_with(Sender::from(listener.clone()), delivery).await?;
        listeners.push((name, listener));
    }

    // A publish resolves once every `Wait` subscriber has the event in its
    // mailbox; the slow `Latest` one never makes it wait.
    let topics = ["weather", "sports", "news", "markets", "traffic", "culture"];
    for (seq, topic) in (1..).zip(topics) {
        let reached = events.publish(Event { seq, topic }).await?;
        logger.tell(Log(format!("hub: published #{seq} ({topic}) to {reached} subscribers"))).await?;
    }

    // The fast listeners have everything long before the slow one has its
    // first: a snapshot ask waits behind the slow listener's queue only.
    let fast = listeners[0].1.ask(Snapshot).await?;
    logger.tell(Log(format!("snapshot: fast-1 already has {fast:?}"))).await?;

    // The slow one got what fitted in its mailbox, then the newest event as
    // soon as it had room again, without another publish. The rest it
    // skipped, and the PubSub counted.
    let stats = settled(&events).await?;
    for (name, listener) in &listeners {
        let s = stats.subscriber(listener.id()).expect("still subscribed");
        logger
            .tell(Log(format!(
                "stats: {name} ({:?}) delivered {}, dropped {} of {} published",
                s.delivery, s.delivered, s.dropped, stats.published
            )))
            .await?;
    }
    let slow = listeners[2].1.ask(Snapshot).await?;
    logger.tell(Log(format!("snapshot: slow has {slow:?}, the newest last"))).await?;

    // Let the logger notice the quiet once.
    tokio::time::sleep(Duration::from_millis(200)).await;

    for (name, listener) in &listeners {
        let got = listener.ask(Snapshot).await?;
        logger.tell(Log(format!("final: {name} ({}) has {got:?}", listener.id()))).await?;
    }
    logger.tell(Log("shutting down".to_owned())).await?;
    runtime.shutdown().await;
    println!("done: {} actors still running", runtime.actor_count());
    Ok(())
}
