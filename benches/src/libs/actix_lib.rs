//! actix 0.13 on actix-rt's `System` (a tokio current-thread runtime with a
//! `LocalSet`): actix actors are `!Send` and live on the arbiter that started
//! them, so there is no multi-thread row for actix. Tells are `do_send`
//! (unbounded: it ignores the mailbox capacity), asks are `send(..).await`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix::prelude::*;
use tokio::sync::Notify;

use crate::harness::Lib;

/// The library marker.
#[derive(Debug)]
pub(crate) struct Actix;

/// Counts stopped actors: actix has no "wait until this actor stopped".
#[derive(Debug, Default)]
pub(crate) struct Countdown {
    live: AtomicUsize,
    all_stopped: Notify,
}

impl Countdown {
    fn started(&self) {
        self.live.fetch_add(1, Ordering::SeqCst);
    }

    fn stopped(&self) {
        if self.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.all_stopped.notify_one();
        }
    }

    async fn wait(&self) {
        while self.live.load(Ordering::SeqCst) != 0 {
            self.all_stopped.notified().await;
        }
    }
}

/// The counter actor.
#[derive(Debug)]
pub(crate) struct Counter {
    count: u64,
    countdown: Arc<Countdown>,
}

impl Actor for Counter {
    type Context = Context<Self>;

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        self.countdown.stopped();
    }
}

/// Increments the counter.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub(crate) struct Inc;

impl Handler<Inc> for Counter {
    type Result = ();

    fn handle(&mut self, _msg: Inc, _ctx: &mut Self::Context) {
        self.count += 1;
    }
}

/// Replies with the count.
#[derive(Debug, Message)]
#[rtype(result = "u64")]
pub(crate) struct Get;

impl Handler<Get> for Counter {
    type Result = u64;

    fn handle(&mut self, _msg: Get, _ctx: &mut Self::Context) -> u64 {
        self.count
    }
}

/// Stops the actor.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub(crate) struct Stop;

impl Handler<Stop> for Counter {
    type Result = ();

    fn handle(&mut self, _msg: Stop, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

/// Answers every ping at once.
#[derive(Debug)]
pub(crate) struct Ponger;

impl Actor for Ponger {
    type Context = Context<Self>;
}

/// One ping.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub(crate) struct Ping;

impl Handler<Ping> for Ponger {
    type Result = ();

    fn handle(&mut self, _msg: Ping, _ctx: &mut Self::Context) {}
}

/// Asks its ponger, from inside a handler, once per round.
#[derive(Debug)]
pub(crate) struct Pinger {
    ponger: Addr<Ponger>,
}

impl Actor for Pinger {
    type Context = Context<Self>;
}

/// Play this many rounds.
#[derive(Debug, Message)]
#[rtype(result = "u64")]
pub(crate) struct Rally(u64);

impl Handler<Rally> for Pinger {
    type Result = ResponseFuture<u64>;

    fn handle(&mut self, msg: Rally, _ctx: &mut Self::Context) -> Self::Result {
        let ponger = self.ponger.clone();
        Box::pin(async move {
            for _ in 0..msg.0 {
                ponger.send(Ping).await.expect("ponger answers");
            }
            msg.0
        })
    }
}

impl Lib for Actix {
    type Ctx = Arc<Countdown>;
    type Counter = Addr<Counter>;

    fn new_ctx() -> Arc<Countdown> {
        Arc::default()
    }

    async fn spawn_counter(countdown: &mut Arc<Countdown>) -> Addr<Counter> {
        countdown.started();
        Counter { count: 0, countdown: Arc::clone(countdown) }.start()
    }

    async fn tell(counter: &Addr<Counter>) {
        counter.do_send(Inc);
    }

    async fn ask(counter: &Addr<Counter>) -> u64 {
        counter.send(Get).await.expect("counter alive")
    }

    async fn stop_all(countdown: &mut Arc<Countdown>, counters: Vec<Addr<Counter>>) {
        for counter in &counters {
            counter.do_send(Stop);
        }
        countdown.wait().await;
    }

    async fn ping_pong(_countdown: &mut Arc<Countdown>, n: u64) -> Duration {
        let ponger = Ponger.start();
        let pinger = Pinger { ponger }.start();
        assert_eq!(pinger.send(Rally(1)).await.expect("pinger alive"), 1);
        let start = Instant::now();
        assert_eq!(pinger.send(Rally(n)).await.expect("pinger alive"), n);
        start.elapsed()
    }

    async fn finish(_countdown: Arc<Countdown>) {}
}
