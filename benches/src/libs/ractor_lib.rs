//! ractor 0.16 with its default features (`tokio_runtime`,
//! `message_span_propogation`). ractor's mailbox is unbounded.
//!
//! With the `ractor-cluster` feature ractor is built with `cluster`, which
//! drops its blanket `Message` impl: each message type then gets an empty
//! one here (the local-only impl `#[derive(RactorMessage)]` writes).

use std::time::{Duration, Instant};

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, call, cast};
use tokio::task::JoinHandle;

use crate::harness::Lib;

/// The library marker.
#[derive(Debug)]
pub(crate) struct Ractor;

/// The counter actor (ractor keeps the state apart from the behaviour).
#[derive(Debug)]
pub(crate) struct Counter;

/// The counter's messages.
#[derive(Debug)]
pub(crate) enum CounterMsg {
    /// Increments the counter.
    Inc,
    /// Replies with the count.
    Get(RpcReplyPort<u64>),
}

#[cfg(feature = "ractor-cluster")]
impl ractor::Message for CounterMsg {}

impl Actor for Counter {
    type Msg = CounterMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _myself: ActorRef<CounterMsg>, _args: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _myself: ActorRef<CounterMsg>,
        msg: CounterMsg,
        count: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            CounterMsg::Inc => *count += 1,
            CounterMsg::Get(reply) => reply.send(*count)?,
        }
        Ok(())
    }
}

/// Answers every ping at once.
#[derive(Debug)]
pub(crate) struct Ponger;

/// One ping (a type of this crate, so that it can have a `Message` impl
/// under `cluster`).
#[derive(Debug)]
pub(crate) struct Ping(RpcReplyPort<()>);

#[cfg(feature = "ractor-cluster")]
impl ractor::Message for Ping {}

impl Actor for Ponger {
    type Msg = Ping;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _myself: ActorRef<Self::Msg>, _args: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        Ping(reply): Ping,
        _state: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        reply.send(())?;
        Ok(())
    }
}

/// Asks its ponger, from inside a handler, once per round.
#[derive(Debug)]
pub(crate) struct Pinger;

/// Play this many rounds.
#[derive(Debug)]
pub(crate) struct Rally(u64, RpcReplyPort<u64>);

#[cfg(feature = "ractor-cluster")]
impl ractor::Message for Rally {}

impl Actor for Pinger {
    type Msg = Rally;
    type State = ActorRef<Ping>;
    type Arguments = ActorRef<Ping>;

    async fn pre_start(
        &self,
        _myself: ActorRef<Rally>,
        ponger: ActorRef<Ping>,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(ponger)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Rally>,
        Rally(n, reply): Rally,
        ponger: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        for _ in 0..n {
            call!(ponger, Ping)?;
        }
        reply.send(n)?;
        Ok(())
    }
}

impl Lib for Ractor {
    type Ctx = Vec<JoinHandle<()>>;
    type Counter = ActorRef<CounterMsg>;

    fn new_ctx() -> Vec<JoinHandle<()>> {
        Vec::new()
    }

    async fn spawn_counter(handles: &mut Vec<JoinHandle<()>>) -> ActorRef<CounterMsg> {
        let (counter, handle) = Actor::spawn(None, Counter, ()).await.expect("spawn");
        handles.push(handle);
        counter
    }

    async fn tell(counter: &ActorRef<CounterMsg>) {
        cast!(counter, CounterMsg::Inc).expect("counter alive");
    }

    async fn ask(counter: &ActorRef<CounterMsg>) -> u64 {
        call!(counter, CounterMsg::Get).expect("counter alive")
    }

    async fn stop_all(handles: &mut Vec<JoinHandle<()>>, counters: Vec<ActorRef<CounterMsg>>) {
        for counter in &counters {
            counter.stop(None);
        }
        for handle in handles.drain(..) {
            handle.await.expect("counter task");
        }
    }

    async fn ping_pong(_handles: &mut Vec<JoinHandle<()>>, n: u64) -> Duration {
        let (ponger, ponger_task) = Actor::spawn(None, Ponger, ()).await.expect("spawn");
        let (pinger, pinger_task) = Actor::spawn(None, Pinger, ponger.clone()).await.expect("spawn");
        assert_eq!(call!(pinger, |port| Rally(1, port)).expect("pinger alive"), 1);
        let start = Instant::now();
        assert_eq!(call!(pinger, |port| Rally(n, port)).expect("pinger alive"), n);
        let elapsed = start.elapsed();
        pinger.stop(None);
        ponger.stop(None);
        pinger_task.await.expect("pinger task");
        ponger_task.await.expect("ponger task");
        elapsed
    }

    async fn finish(_handles: Vec<JoinHandle<()>>) {}
}
