//! kameo 0.22 with its default features, unbounded mailboxes.

use std::time::{Duration, Instant};

use kameo::prelude::*;

use crate::harness::Lib;

/// The library marker.
#[derive(Debug)]
pub(crate) struct Kameo;

/// The counter actor.
#[derive(Actor, Debug, Default)]
pub(crate) struct Counter {
    count: u64,
}

/// Increments the counter.
#[derive(Debug)]
pub(crate) struct Inc;

impl Message<Inc> for Counter {
    type Reply = ();

    async fn handle(&mut self, _msg: Inc, _ctx: &mut Context<Self, Self::Reply>) {
        self.count += 1;
    }
}

/// Replies with the count.
#[derive(Debug)]
pub(crate) struct Get;

impl Message<Get> for Counter {
    type Reply = u64;

    async fn handle(&mut self, _msg: Get, _ctx: &mut Context<Self, Self::Reply>) -> u64 {
        self.count
    }
}

/// Answers every ping at once.
#[derive(Actor, Debug)]
pub(crate) struct Ponger;

/// One ping.
#[derive(Debug)]
pub(crate) struct Ping;

impl Message<Ping> for Ponger {
    type Reply = ();

    async fn handle(&mut self, _msg: Ping, _ctx: &mut Context<Self, Self::Reply>) {}
}

/// Asks its ponger, from inside a handler, once per round.
#[derive(Actor, Debug)]
pub(crate) struct Pinger {
    ponger: ActorRef<Ponger>,
}

/// Play this many rounds.
#[derive(Debug)]
pub(crate) struct Rally(u64);

impl Message<Rally> for Pinger {
    type Reply = u64;

    async fn handle(&mut self, msg: Rally, _ctx: &mut Context<Self, Self::Reply>) -> u64 {
        for _ in 0..msg.0 {
            self.ponger.ask(Ping).await.expect("ponger answers");
        }
        msg.0
    }
}

impl Lib for Kameo {
    type Ctx = ();
    type Counter = ActorRef<Counter>;

    fn new_ctx() {}

    async fn spawn_counter(_ctx: &mut ()) -> ActorRef<Counter> {
        Counter::spawn_with_mailbox(Counter::default(), mailbox::unbounded())
    }

    async fn tell(counter: &ActorRef<Counter>) {
        counter.tell(Inc).await.expect("counter alive");
    }

    async fn ask(counter: &ActorRef<Counter>) -> u64 {
        counter.ask(Get).await.expect("counter alive")
    }

    async fn stop_all(_ctx: &mut (), counters: Vec<ActorRef<Counter>>) {
        for counter in &counters {
            counter.stop_gracefully().await.expect("counter alive");
        }
        for counter in &counters {
            counter.wait_for_shutdown().await;
        }
    }

    async fn ping_pong(_ctx: &mut (), n: u64) -> Duration {
        let ponger = Ponger::spawn_with_mailbox(Ponger, mailbox::unbounded());
        let pinger = Pinger::spawn_with_mailbox(Pinger { ponger: ponger.clone() }, mailbox::unbounded());
        assert_eq!(pinger.ask(Rally(1)).await.expect("pinger alive"), 1);
        let start = Instant::now();
        assert_eq!(pinger.ask(Rally(n)).await.expect("pinger alive"), n);
        let elapsed = start.elapsed();
        for actor in [pinger.stop_gracefully().await, ponger.stop_gracefully().await] {
            actor.expect("alive");
        }
        pinger.wait_for_shutdown().await;
        ponger.wait_for_shutdown().await;
        elapsed
    }

    async fn finish(_ctx: ()) {}
}
