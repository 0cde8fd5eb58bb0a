//! tractor as its users write it: `#[derive(Actor)]` and `#[actor]`, whose
//! synchronous handlers reply without boxing a future. Two ways to send:
//! the generated typed methods (`counter.get().await`,
//! `counter.increment().tell().await`) and the same generated message types
//! through `counter.ask(Get)` / `counter.tell(Increment)`. The issue asks that
//! both cost the same.

use std::time::{Duration, Instant};

use futures::future::join_all;
use tractor::prelude::*;

use crate::harness::Lib;

/// Generated methods: `counter.get().await`, `counter.increment().tell()`;
/// `SUPERVISED`: on a counter spawned with `runtime.supervise`.
#[derive(Debug)]
pub(crate) struct TractorGen<const SUPERVISED: bool = false>;

/// The same messages through `counter.ask(Get)`, `counter.tell(Increment)`.
#[derive(Debug)]
pub(crate) struct TractorAsk;

/// The message path of a supervised actor.
pub(crate) type TractorSupervised = TractorGen<true>;

/// The counter actor.
#[derive(Actor, Debug, Default)]
pub(crate) struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    /// Increments the counter.
    #[message]
    fn increment(&mut self) {
        self.count += 1;
    }

    /// Replies with the count.
    #[message]
    fn get(&self) -> u64 {
        self.count
    }
}

/// Answers every ping at once.
#[derive(Actor, Debug)]
pub(crate) struct Ponger;

#[actor]
impl Ponger {
    /// One ping.
    #[message]
    fn ping(&self) {}
}

/// Asks its ponger, from inside a handler, once per round.
#[derive(Actor, Debug)]
pub(crate) struct Pinger {
    ponger: ActorRef<Ponger>,
}

#[actor]
impl Pinger {
    /// Play `rounds` rounds.
    #[message]
    async fn rally(&mut self, ctx: &mut Context<Self>, rounds: u64) -> u64 {
        for _ in 0..rounds {
            ctx.ask(&self.ponger, Ping).await.expect("ponger answers");
        }
        rounds
    }
}

async fn stop_all(counters: Vec<ActorRef<Counter>>) {
    for stopped in join_all(counters.iter().map(|c| c.stop())).await {
        stopped.expect("counter alive");
    }
}

async fn ping_pong(runtime: &Runtime, n: u64) -> Duration {
    let ponger = runtime.spawn(Ponger);
    let pinger = runtime.spawn(Pinger { ponger });
    assert_eq!(pinger.rally(1).await.expect("pinger alive"), 1);
    let start = Instant::now();
    assert_eq!(pinger.rally(n).await.expect("pinger alive"), n);
    start.elapsed()
}

impl<const SUPERVISED: bool> Lib for TractorGen<SUPERVISED> {
    type Ctx = Runtime;
    type Counter = ActorRef<Counter>;

    fn new_ctx() -> Runtime {
        Runtime::new()
    }

    async fn spawn_counter(runtime: &mut Runtime) -> ActorRef<Counter> {
        if SUPERVISED { runtime.supervise(Counter::default).spawn() } else { runtime.spawn(Counter::default()) }
    }

    async fn tell(counter: &ActorRef<Counter>) {
        counter.increment().tell().await.expect("counter alive");
    }

    async fn ask(counter: &ActorRef<Counter>) -> u64 {
        counter.get().await.expect("counter alive")
    }

    async fn stop_all(_runtime: &mut Runtime, counters: Vec<ActorRef<Counter>>) {
        stop_all(counters).await;
    }

    async fn ping_pong(runtime: &mut Runtime, n: u64) -> Duration {
        ping_pong(runtime, n).await
    }

    async fn finish(runtime: Runtime) {
        runtime.shutdown().await;
    }
}

impl Lib for TractorAsk {
    type Ctx = Runtime;
    type Counter = ActorRef<Counter>;

    fn new_ctx() -> Runtime {
        Runtime::new()
    }

    async fn spawn_counter(runtime: &mut Runtime) -> ActorRef<Counter> {
        runtime.spawn(Counter::default())
    }

    async fn tell(counter: &ActorRef<Counter>) {
        counter.tell(Increment).await.expect("counter alive");
    }

    async fn ask(counter: &ActorRef<Counter>) -> u64 {
        counter.ask(Get).await.expect("counter alive")
    }

    async fn stop_all(_runtime: &mut Runtime, counters: Vec<ActorRef<Counter>>) {
        stop_all(counters).await;
    }

    async fn ping_pong(runtime: &mut Runtime, n: u64) -> Duration {
        // Same handler; the rally is sent with `ask(Rally { .. })`.
        let ponger = runtime.spawn(Ponger);
        let pinger = runtime.spawn(Pinger { ponger });
        assert_eq!(pinger.ask(Rally { rounds: 1 }).await.expect("pinger alive"), 1);
        let start = Instant::now();
        assert_eq!(pinger.ask(Rally { rounds: n }).await.expect("pinger alive"), n);
        start.elapsed()
    }

    async fn finish(runtime: Runtime) {
        runtime.shutdown().await;
    }
}
