//! The `broadcast` workload, tractor only: one task sends every round's
//! message to every subscriber, three ways.
//!
//! - [`Way::SenderLoop`]: the hand-written fan-out, a `Vec<Sender<Tick, ()>>`
//!   and `sender.tell(Tick).await` for each (what a user writes without
//!   `PubSub`; the same loop as `fanout`, through type-erased `Sender`s).
//! - [`Way::SenderLoopYielding`]: the same loop with one `yield_now` after
//!   each round. Without it the sending task never yields (unbounded
//!   mailboxes), so each subscriber wakes once and handles all its ticks in
//!   one go; an awaited `publish` is a round trip per round, which gives
//!   every subscriber a turn each round. This row is the loop on that
//!   footing.
//! - [`Way::PubSub`]: `pubsub.publish(Tick).await` once per round, every
//!   subscriber on `Delivery::Wait` (the publish resolves once every mailbox
//!   has the tick).
//! - [`Way::PubSubLatest`]: the same with every subscriber on
//!   `Delivery::Latest` (unbounded mailboxes, so nothing is dropped: this
//!   measures the cost of the policy, not of dropping).
//!
//! Mailboxes are unbounded, as in every other workload. The subscribers are
//! `#[actor]` counters with a synchronous handler; the timed section ends with
//! one ask per subscriber that confirms it counted every round.

use std::time::Instant;

use futures::future::join_all;
use tractor::actors::{Delivery, PubSub};
use tractor::prelude::*;

use crate::harness::Sample;

/// How the ticks go out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Way {
    /// A loop of `Sender::tell` over every subscriber.
    SenderLoop,
    /// The same, yielding once per round.
    SenderLoopYielding,
    /// `PubSub::publish`, subscribers on `Delivery::Wait`.
    PubSub,
    /// `PubSub::publish`, subscribers on `Delivery::Latest`.
    PubSubLatest,
}

/// A subscriber: counts ticks.
#[derive(Actor, Debug, Default)]
pub(crate) struct Subscriber {
    ticks: u64,
}

#[actor]
impl Subscriber {
    /// One tick of a round.
    #[message(derive(Clone, Debug))]
    fn tick(&mut self) {
        self.ticks += 1;
    }

    /// Replies with the count.
    #[message]
    fn ticks(&self) -> u64 {
        self.ticks
    }
}

/// Sends `rounds` ticks to each of `subscribers` subscribers, `way`.
pub(crate) async fn run(way: Way, subscribers: u64, rounds: u64) -> Sample {
    let runtime = Runtime::new();
    let subs: Vec<ActorRef<Subscriber>> = (0..subscribers).map(|_| runtime.spawn(Subscriber::default())).collect();
    for sub in &subs {
        assert_eq!(sub.ticks().await.expect("subscriber alive"), 0);
    }
    let elapsed = match way {
        Way::SenderLoop | Way::SenderLoopYielding => {
            let senders: Vec<Sender<Tick, ()>> = subs.iter().map(Sender::from).collect();
            let start = Instant::now();
            for _ in 0..rounds {
                for sender in &senders {
                    sender.tell(Tick).await.expect("subscriber alive");
                }
                if way == Way::SenderLoopYielding {
                    tokio::task::yield_now().await;
                }
            }
            confirm(&subs, rounds).await;
            start.elapsed()
        }
        Way::PubSub | Way::PubSubLatest => {
            let delivery = if way == Way::PubSub { Delivery::Wait } else { Delivery::Latest };
            let pubsub: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
            for sub in &subs {
                assert!(pubsub.subscribe_with(Sender::from(sub), delivery).await.expect("pubsub alive"));
            }
            let start = Instant::now();
            for _ in 0..rounds {
                let reached = pubsub.publish(Tick).await.expect("pubsub alive");
                assert_eq!(reached as u64, subscribers);
            }
            confirm(&subs, rounds).await;
            let elapsed = start.elapsed();
            let stats = pubsub.stats().await.expect("pubsub alive");
            assert!(stats.subscribers.iter().all(|s| s.delivered == rounds && s.dropped == 0), "every tick delivered");
            pubsub.stop().await.expect("pubsub alive");
            elapsed
        }
    };
    for stopped in join_all(subs.iter().map(|s| s.stop())).await {
        stopped.expect("subscriber alive");
    }
    runtime.shutdown().await;
    Sample { elapsed, ops: subscribers * rounds, kib_per_actor: None }
}

/// One ask per subscriber: each has counted every round (mailboxes are FIFO).
async fn confirm(subs: &[ActorRef<Subscriber>], rounds: u64) {
    for sub in subs {
        assert_eq!(sub.ticks().await.expect("subscriber alive"), rounds);
    }
}
