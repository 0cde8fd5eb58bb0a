//! The main demo: a `Hub` fans events out to `Listener`s through type-erased
//! `Sender<Event, ()>` tells, so one slow listener never delays the rest; a
//! `Logger` prints a heartbeat from its `step` hook whenever its mailbox is
//! quiet; snapshots are taken by ask; the runtime shuts everything down.
//!
//! Run it with `cargo run --example pub_sub`.

use std::time::{Duration, Instant};

use tractor::prelude::*;

/// What the hub publishes.
#[derive(Clone, Debug)]
struct Event {
    seq: u32,
    topic: &'static str,
}

/// Prints every line of the transcript, with the time since start.
struct Logger {
    started: Instant,
    quiet: tokio::time::Interval,
    lines: u32,
}

/// A line for the transcript.
struct Log(String);

impl Actor for Logger {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.print("logger: started");
        Ok(())
    }

    /// Waits for the next line; when none comes for a while, prints a
    /// heartbeat instead.
    async fn step(&mut self, ctx: &mut Context<Self>) -> Step<Self> {
        tokio::select! {
            biased;
            step = ctx.recv() => {
                self.quiet.reset();
                step
            }
            _ = self.quiet.tick() => {
                self.print("logger: (quiet) heartbeat");
                Step::Continue
            }
        }
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
    async fn handle(self, logger: &mut Logger, _: &mut Context<Logger>) {
        logger.print(&self.0);
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

/// Fans events out to its subscribers.
struct Hub {
    subscribers: Vec<Sender<Event, ()>>,
    published: u32,
}

impl Actor for Hub {}

/// Adds a subscriber: any actor that handles `Event`.
struct Subscribe(Sender<Event, ()>);

impl Message<Hub> for Subscribe {
    type Reply = usize;
    async fn handle(self, hub: &mut Hub, _: &mut Context<Hub>) -> usize {
        hub.subscribers.push(self.0);
        hub.subscribers.len()
    }
}

/// Publishes an event to every subscriber, without waiting for any of them
/// to handle it.
struct Publish(&'static str);

impl Message<Hub> for Publish {
    type Reply = u32;
    async fn handle(self, hub: &mut Hub, _: &mut Context<Hub>) -> u32 {
        hub.published += 1;
        let event = Event { seq: hub.published, topic: self.0 };
        for subscriber in &hub.subscribers {
            // A tell returns once the event is queued: a slow subscriber
            // only slows itself.
            let _ = subscriber.tell(event.clone()).await;
        }
        hub.published
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let started = Instant::now();
    let mut quiet = tokio::time::interval(Duration::from_millis(150));
    quiet.reset();
    let logger = runtime.spawn(Logger { started, quiet, lines: 0 });

    let hub = runtime.spawn(Hub { subscribers: Vec::new(), published: 0 });
    let mut listeners = Vec::new();
    for (name, delay) in [("fast-1", 0), ("fast-2", 0), ("slow", 120)] {
        let listener = runtime.spawn(Listener {
            name,
            delay: Duration::from_millis(delay),
            received: Vec::new(),
            logger: logger.clone(),
        });
        hub.ask(Subscribe(Sender::from(&listener))).await?;
        listeners.push(listener);
    }

    for topic in ["weather", "sports", "news"] {
        let seq = hub.ask(Publish(topic)).await?;
        logger.tell(Log(format!("hub: published #{seq} ({topic})"))).await?;
    }

    // The fast listeners have everything long before the slow one does: a
    // snapshot ask waits behind the slow listener's queue, not the others'.
    let fast = listeners[0].ask(Snapshot).await?;
    logger.tell(Log(format!("snapshot: fast-1 already has {fast:?}"))).await?;
    let slow = listeners[2].ask(Snapshot).await?;
    logger.tell(Log(format!("snapshot: slow has {slow:?} now that its queue is done"))).await?;

    // Let the logger notice the quiet once.
    tokio::time::sleep(Duration::from_millis(200)).await;

    for listener in &listeners {
        let got = listener.ask(Snapshot).await?;
        logger.tell(Log(format!("final: listener {} has {got:?}", listener.id()))).await?;
    }
    logger.tell(Log("shutting down".to_owned())).await?;
    runtime.shutdown().await;
    println!("done: {} actors still running", runtime.actor_count());
    Ok(())
}
