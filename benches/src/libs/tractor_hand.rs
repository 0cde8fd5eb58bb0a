//! tractor with hand-written `impl Actor` and `impl Message` (`async fn
//! handle`), sent with `ActorRef::tell` / `ActorRef::ask`.

use std::time::{Duration, Instant};

use futures::future::join_all;
use tractor::prelude::*;

use crate::harness::Lib;

/// The library marker.
#[derive(Debug)]
pub(crate) struct TractorHand;

/// The counter actor.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    count: u64,
}

impl Actor for Counter {}

/// Increments the counter.
#[derive(Debug)]
pub(crate) struct Inc;

impl Message<Counter> for Inc {
    type Reply = ();

    async fn handle(self, counter: &mut Counter, _ctx: &mut Context<Counter>) {
        counter.count += 1;
    }
}

/// Replies with the count.
#[derive(Debug)]
pub(crate) struct Get;

impl Message<Counter> for Get {
    type Reply = u64;

    async fn handle(self, counter: &mut Counter, _ctx: &mut Context<Counter>) -> u64 {
        counter.count
    }
}

/// Answers every ping at once.
#[derive(Debug)]
pub(crate) struct Ponger;

impl Actor for Ponger {}

/// One ping.
#[derive(Debug)]
pub(crate) struct Ping;

impl Message<Ponger> for Ping {
    type Reply = ();

    async fn handle(self, _ponger: &mut Ponger, _ctx: &mut Context<Ponger>) {}
}

/// Asks its ponger, from inside a handler, once per round.
#[derive(Debug)]
pub(crate) struct Pinger {
    ponger: ActorRef<Ponger>,
}

impl Actor for Pinger {}

/// Play this many rounds.
#[derive(Debug)]
pub(crate) struct Rally(u64);

impl Message<Pinger> for Rally {
    type Reply = u64;

    async fn handle(self, pinger: &mut Pinger, ctx: &mut Context<Pinger>) -> u64 {
        for _ in 0..self.0 {
            ctx.ask(&pinger.ponger, Ping).await.expect("ponger answers");
        }
        self.0
    }
}

impl Lib for TractorHand {
    type Ctx = Runtime;
    type Counter = ActorRef<Counter>;

    fn new_ctx() -> Runtime {
        Runtime::new()
    }

    async fn spawn_counter(runtime: &mut Runtime) -> ActorRef<Counter> {
        runtime.spawn(Counter::default())
    }

    async fn tell(counter: &ActorRef<Counter>) {
        counter.tell(Inc).await.expect("counter alive");
    }

    async fn ask(counter: &ActorRef<Counter>) -> u64 {
        counter.ask(Get).await.expect("counter alive")
    }

    async fn stop_all(_runtime: &mut Runtime, counters: Vec<ActorRef<Counter>>) {
        for stopped in join_all(counters.iter().map(|c| c.stop())).await {
            stopped.expect("counter alive");
        }
    }

    async fn ping_pong(runtime: &mut Runtime, n: u64) -> Duration {
        let ponger = runtime.spawn(Ponger);
        let pinger = runtime.spawn(Pinger { ponger });
        assert_eq!(pinger.ask(Rally(1)).await.expect("pinger alive"), 1);
        let start = Instant::now();
        assert_eq!(pinger.ask(Rally(n)).await.expect("pinger alive"), n);
        start.elapsed()
    }

    async fn finish(runtime: Runtime) {
        runtime.shutdown().await;
    }
}
