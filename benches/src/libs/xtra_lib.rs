//! xtra 0.6 with its `tokio` feature, unbounded mailboxes.

use std::time::{Duration, Instant};

use xtra::{Actor, Address, Context, Handler, Mailbox};

use crate::harness::Lib;

/// The library marker.
#[derive(Debug)]
pub(crate) struct Xtra;

/// The counter actor.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    count: u64,
}

impl Actor for Counter {
    type Stop = ();

    async fn stopped(self) {}
}

/// Increments the counter.
#[derive(Debug)]
pub(crate) struct Inc;

impl Handler<Inc> for Counter {
    type Return = ();

    async fn handle(&mut self, _msg: Inc, _ctx: &mut Context<Self>) {
        self.count += 1;
    }
}

/// Replies with the count.
#[derive(Debug)]
pub(crate) struct Get;

impl Handler<Get> for Counter {
    type Return = u64;

    async fn handle(&mut self, _msg: Get, _ctx: &mut Context<Self>) -> u64 {
        self.count
    }
}

/// Stops the actor.
#[derive(Debug)]
pub(crate) struct Stop;

impl Handler<Stop> for Counter {
    type Return = ();

    async fn handle(&mut self, _msg: Stop, ctx: &mut Context<Self>) {
        ctx.stop_self();
    }
}

/// Answers every ping at once.
#[derive(Debug)]
pub(crate) struct Ponger;

impl Actor for Ponger {
    type Stop = ();

    async fn stopped(self) {}
}

/// One ping.
#[derive(Debug)]
pub(crate) struct Ping;

impl Handler<Ping> for Ponger {
    type Return = ();

    async fn handle(&mut self, _msg: Ping, _ctx: &mut Context<Self>) {}
}

/// Asks its ponger, from inside a handler, once per round.
#[derive(Debug)]
pub(crate) struct Pinger {
    ponger: Address<Ponger>,
}

impl Actor for Pinger {
    type Stop = ();

    async fn stopped(self) {}
}

/// Play this many rounds.
#[derive(Debug)]
pub(crate) struct Rally(u64);

impl Handler<Rally> for Pinger {
    type Return = u64;

    async fn handle(&mut self, msg: Rally, _ctx: &mut Context<Self>) -> u64 {
        for _ in 0..msg.0 {
            self.ponger.send(Ping).await.expect("ponger answers");
        }
        msg.0
    }
}

impl Lib for Xtra {
    type Ctx = ();
    type Counter = Address<Counter>;

    fn new_ctx() {}

    async fn spawn_counter(_ctx: &mut ()) -> Address<Counter> {
        xtra::spawn_tokio(Counter::default(), Mailbox::unbounded())
    }

    async fn tell(counter: &Address<Counter>) {
        // `detach`: resolve once queued; dropping the reply receiver does not
        // cancel the message.
        drop(counter.send(Inc).detach().await.expect("counter alive"));
    }

    async fn ask(counter: &Address<Counter>) -> u64 {
        counter.send(Get).await.expect("counter alive")
    }

    async fn stop_all(_ctx: &mut (), counters: Vec<Address<Counter>>) {
        for counter in &counters {
            drop(counter.send(Stop).detach().await.expect("counter alive"));
        }
        for counter in &counters {
            counter.join().await;
        }
    }

    async fn ping_pong(_ctx: &mut (), n: u64) -> Duration {
        let ponger = xtra::spawn_tokio(Ponger, Mailbox::unbounded());
        let pinger = xtra::spawn_tokio(Pinger { ponger }, Mailbox::unbounded());
        assert_eq!(pinger.send(Rally(1)).await.expect("pinger alive"), 1);
        let start = Instant::now();
        assert_eq!(pinger.send(Rally(n)).await.expect("pinger alive"), n);
        start.elapsed()
    }

    async fn finish(_ctx: ()) {}
}
