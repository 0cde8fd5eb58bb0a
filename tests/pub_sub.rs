//! `tractor::actors::PubSub`: publish order per subscriber, `Wait`
//! back-pressure, `Latest` that never waits and counts exactly what it
//! dropped, the newest `Latest` message delivered without another publish,
//! subscribers that die (mid-publish or not) removed without stalling the
//! others, subscribe/unsubscribe semantics, and the `PubSub`'s own end.

mod support;

use std::sync::Arc;

use support::within;
use tokio::sync::{Notify, mpsc, oneshot};
use tractor::actors::{Delivery, PubSub, PubSubStats, SubscriberStats};
use tractor::prelude::*;

/// What is published.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Tick(u32);

/// A subscriber: reports every tick on a channel once handled; optionally
/// parks in its first handler until released, and yields a few times in
/// every handler (a slow one).
struct Listener {
    seen: Vec<u32>,
    got: mpsc::UnboundedSender<u32>,
    gate: Option<(oneshot::Sender<()>, Arc<Notify>)>,
    yields: u32,
    stopped: Option<oneshot::Sender<()>>,
}

impl Actor for Listener {
    async fn on_stop(&mut self, _: &mut Context<Self>, _: &StopReason) {
        if let Some(stopped) = self.stopped.take() {
            let _ = stopped.send(());
        }
    }
}

impl Message<Listener> for Tick {
    type Reply = ();
    async fn handle(self, l: &mut Listener, _: &mut Context<Listener>) {
        if let Some((entered, release)) = l.gate.take() {
            let _ = entered.send(());
            release.notified().await;
        }
        for _ in 0..l.yields {
            tokio::task::yield_now().await;
        }
        l.seen.push(self.0);
        let _ = l.got.send(self.0);
    }
}

/// Everything the listener has handled so far, in order.
struct Seen;
impl Message<Listener> for Seen {
    type Reply = Vec<u32>;
    async fn handle(self, l: &mut Listener, _: &mut Context<Listener>) -> Vec<u32> {
        l.seen.clone()
    }
}

/// A listener and the channel it reports on.
struct Probe {
    actor: ActorRef<Listener>,
    got: mpsc::UnboundedReceiver<u32>,
}

impl Probe {
    fn sender(&self) -> Sender<Tick, ()> {
        Sender::from(self.actor.clone())
    }

    fn id(&self) -> ActorId {
        self.actor.id()
    }

    /// The next tick it handles.
    async fn next(&mut self) -> u32 {
        within(self.got.recv()).await.expect("the listener is alive")
    }

    async fn seen(&self) -> Vec<u32> {
        within(self.actor.ask(Seen)).await.unwrap()
    }
}

fn listener(runtime: &Runtime, mailbox: Mailbox) -> Probe {
    let (tx, got) = mpsc::unbounded_channel();
    let actor =
        runtime.spawn_with(Listener { seen: Vec::new(), got: tx, gate: None, yields: 0, stopped: None }, mailbox);
    Probe { actor, got }
}

/// A listener that parks in its first handler: `entered` resolves once it
/// has taken its first message, `release` lets it go on.
struct Held {
    probe: Probe,
    entered: oneshot::Receiver<()>,
    release: Arc<Notify>,
}

fn held_listener(runtime: &Runtime, mailbox: Mailbox) -> Held {
    let (tx, got) = mpsc::unbounded_channel();
    let (entered_tx, entered) = oneshot::channel();
    let release = Arc::new(Notify::new());
    let gate = Some((entered_tx, Arc::clone(&release)));
    let actor = runtime.spawn_with(Listener { seen: Vec::new(), got: tx, gate, yields: 0, stopped: None }, mailbox);
    Held { probe: Probe { actor, got }, entered, release }
}

fn stats_of(stats: &PubSubStats, id: ActorId) -> SubscriberStats {
    *stats.subscriber(id).unwrap_or_else(|| panic!("{id} is not subscribed: {stats:?}"))
}

/// Asks for stats until no `Latest` message is on its way any more.
async fn settled(prices: &ActorRef<PubSub<Tick>>) -> PubSubStats {
    for _ in 0..10_000 {
        let stats = within(prices.stats()).await.unwrap();
        if stats.subscribers.iter().all(|s| !s.pending) {
            return stats;
        }
        tokio::task::yield_now().await;
    }
    panic!("a `Latest` message never left: {:?}", within(prices.stats()).await.unwrap());
}

async fn each_subscriber_gets_every_message_in_publish_order() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let mut unbounded = listener(&runtime, Mailbox::unbounded());
    let mut bounded = listener(&runtime, Mailbox::bounded(2));
    let mut latest = listener(&runtime, Mailbox::unbounded());
    assert!(within(prices.subscribe(unbounded.sender())).await.unwrap());
    assert!(within(prices.subscribe(bounded.sender())).await.unwrap());
    assert!(within(prices.subscribe_with(latest.sender(), Delivery::Latest)).await.unwrap());
    for n in 1..=100 {
        // Half asked, half told: both go through the PubSub's mailbox in order.
        if n % 2 == 0 {
            assert_eq!(within(prices.publish(Tick(n))).await.unwrap(), 3);
        } else {
            within(prices.publish(Tick(n)).tell()).await.unwrap();
        }
    }
    for probe in [&mut unbounded, &mut bounded, &mut latest] {
        for n in 1..=100 {
            assert_eq!(probe.next().await, n);
        }
    }
    let stats = settled(&prices).await;
    assert_eq!(stats.published, 100);
    for probe in [&unbounded, &bounded, &latest] {
        let s = stats_of(&stats, probe.id());
        assert_eq!((s.delivered, s.dropped), (100, 0), "{s:?}");
    }
    within(runtime.shutdown()).await;
}

async fn wait_holds_publish_until_the_slowest_mailbox_has_room() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let Held { probe: mut slow, entered, release } = held_listener(&runtime, Mailbox::bounded(1));
    let mut fast = listener(&runtime, Mailbox::unbounded());
    within(prices.subscribe(slow.sender())).await.unwrap();
    within(prices.subscribe(fast.sender())).await.unwrap();

    assert_eq!(within(prices.publish(Tick(1))).await.unwrap(), 2);
    within(entered).await.unwrap(); // slow is in its handler with #1
    assert_eq!(within(prices.publish(Tick(2))).await.unwrap(), 2); // fills slow's mailbox
    let publish = tokio::spawn({
        let prices = prices.clone();
        async move { prices.publish(Tick(3)).await }
    });
    for n in 1..=3 {
        assert_eq!(fast.next().await, n); // the fast one is not held up...
    }
    // ...but the publish is: slow's mailbox is full and slow is parked.
    assert!(!publish.is_finished(), "a `Wait` publish resolved before the slow mailbox had room");
    release.notify_one();
    assert_eq!(within(publish).await.unwrap().unwrap(), 2);
    for n in 1..=3 {
        assert_eq!(slow.next().await, n);
    }
    let stats = within(prices.stats()).await.unwrap();
    assert_eq!(stats_of(&stats, slow.id()).delivered, 3);
    assert_eq!(stats_of(&stats, slow.id()).dropped, 0);
    within(runtime.shutdown()).await;
}

async fn latest_never_waits_and_counts_exactly_what_it_dropped() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let Held { probe: mut slow, entered, release } = held_listener(&runtime, Mailbox::bounded(1));
    let mut fast = listener(&runtime, Mailbox::unbounded());
    within(prices.subscribe_with(slow.sender(), Delivery::Latest)).await.unwrap();
    within(prices.subscribe(fast.sender())).await.unwrap();

    within(prices.publish(Tick(1))).await.unwrap();
    within(entered).await.unwrap();
    // #2 fills the mailbox; #3..=#100 find it full. None of them waits.
    for n in 2..=100 {
        assert_eq!(within(prices.publish(Tick(n))).await.unwrap(), 2);
    }
    for n in 1..=100 {
        assert_eq!(fast.next().await, n);
    }
    let held = stats_of(&within(prices.stats()).await.unwrap(), slow.id());
    assert!(held.pending, "{held:?}");
    assert_eq!(held.delivered, 2);

    release.notify_one();
    let stats = settled(&prices).await;
    let received = slow.seen().await;
    assert_eq!(received, [1, 2, 100], "only the newest waits for room");
    let s = stats_of(&stats, slow.id());
    assert_eq!((s.delivered, s.dropped), (3, 97), "{s:?}");
    assert_eq!(received.len() as u64 + s.dropped, stats.published);
    assert_eq!(stats_of(&stats, fast.id()).dropped, 0);
    for n in [1, 2, 100] {
        assert_eq!(slow.next().await, n);
    }
    within(runtime.shutdown()).await;
}

async fn latest_delivers_the_newest_once_there_is_room_without_another_publish() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let Held { probe: mut slow, entered, release } = held_listener(&runtime, Mailbox::bounded(1));
    within(prices.subscribe_with(slow.sender(), Delivery::Latest)).await.unwrap();
    within(prices.publish(Tick(1))).await.unwrap();
    within(entered).await.unwrap();
    for n in 2..=4 {
        within(prices.publish(Tick(n))).await.unwrap();
    }
    // Nothing is published after this: #4 must come by itself.
    release.notify_one();
    assert_eq!(slow.next().await, 1);
    assert_eq!(slow.next().await, 2);
    assert_eq!(slow.next().await, 4);
    let s = stats_of(&settled(&prices).await, slow.id());
    assert_eq!((s.delivered, s.dropped, s.pending), (3, 1, false), "{s:?}");
    within(runtime.shutdown()).await;
}

async fn latest_under_load_keeps_order_and_every_message_is_accounted_for() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let (tx, got) = mpsc::unbounded_channel();
    let slow = Listener { seen: Vec::new(), got: tx, gate: None, yields: 3, stopped: None };
    let slow = Probe { actor: runtime.spawn_with(slow, Mailbox::bounded(1)), got };
    within(prices.subscribe_with(slow.sender(), Delivery::Latest)).await.unwrap();
    const N: u32 = 2_000;
    for n in 1..=N {
        within(prices.publish(Tick(n))).await.unwrap();
    }
    let stats = settled(&prices).await;
    let received = slow.seen().await;
    if let Some(w) = received.windows(2).find(|w| w[0] >= w[1]) {
        panic!("#{} arrived after #{}: an older message overtook a newer one", w[1], w[0]);
    }
    assert_eq!(received.last(), Some(&N), "the newest is always delivered");
    let s = stats_of(&stats, slow.id());
    assert_eq!(s.delivered, received.len() as u64);
    assert_eq!(s.delivered + s.dropped, u64::from(N), "{s:?}");
    within(runtime.shutdown()).await;
}

async fn a_subscriber_that_dies_mid_publish_does_not_stall_the_others() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let Held { probe: slow, entered, release: _release } = held_listener(&runtime, Mailbox::bounded(1));
    let Held { probe: slow_latest, entered: latest_entered, release: _latest_release } =
        held_listener(&runtime, Mailbox::bounded(1));
    let mut fast = listener(&runtime, Mailbox::unbounded());
    within(prices.subscribe(slow.sender())).await.unwrap();
    within(prices.subscribe_with(slow_latest.sender(), Delivery::Latest)).await.unwrap();
    within(prices.subscribe(fast.sender())).await.unwrap();
    within(prices.publish(Tick(1))).await.unwrap();
    within(entered).await.unwrap();
    within(latest_entered).await.unwrap();
    within(prices.publish(Tick(2))).await.unwrap();
    let publish = tokio::spawn({
        let prices = prices.clone();
        async move { prices.publish(Tick(3)).await }
    });
    for n in 1..=3 {
        assert_eq!(fast.next().await, n);
    }
    assert!(!publish.is_finished());
    // Both slow subscribers die with full mailboxes, one waited for by the
    // publish, one with a `Latest` message waiting for room.
    slow.actor.kill();
    slow_latest.actor.kill();
    // Reached: fast, and the `Latest` one (#3 was held for it); not the dead `Wait` one.
    assert_eq!(within(publish).await.unwrap().unwrap(), 2);
    within(slow.actor.wait()).await;
    within(slow_latest.actor.wait()).await;
    let stats = within(prices.stats()).await.unwrap();
    assert_eq!(stats.subscribers.iter().map(|s| s.id).collect::<Vec<_>>(), [fast.id()], "{stats:?}");
    assert_eq!(within(prices.publish(Tick(4))).await.unwrap(), 1);
    assert_eq!(fast.next().await, 4);
    within(runtime.shutdown()).await;
}

async fn subscribers_that_stop_are_removed() {
    let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let stopped = listener(&runtime, Mailbox::unbounded());
    let killed = listener(&runtime, Mailbox::bounded(4));
    let mut alive = listener(&runtime, Mailbox::unbounded());
    within(prices.subscribe(stopped.sender())).await.unwrap();
    within(prices.subscribe_with(killed.sender(), Delivery::Latest)).await.unwrap();
    within(prices.subscribe(alive.sender())).await.unwrap();
    assert_eq!(within(prices.stats()).await.unwrap().subscribers.len(), 3);

    within(stopped.actor.stop()).await.unwrap();
    killed.actor.kill();
    within(killed.actor.wait()).await;
    // Their notices are in the PubSub's mailbox before `stop`/`wait` resolve.
    let stats = within(prices.stats()).await.unwrap();
    assert_eq!(stats.subscribers.iter().map(|s| s.id).collect::<Vec<_>>(), [alive.id()], "{stats:?}");
    assert_eq!(within(prices.publish(Tick(1))).await.unwrap(), 1);
    assert_eq!(alive.next().await, 1);
    within(runtime.shutdown()).await;
}

async fn unsubscribe_and_subscribing_twice() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let mut a = listener(&runtime, Mailbox::unbounded());
    let mut b = listener(&runtime, Mailbox::unbounded());
    assert!(within(prices.subscribe(a.sender())).await.unwrap());
    assert!(within(prices.subscribe(b.sender())).await.unwrap());
    // Twice is one subscription, and the first policy stays.
    assert!(!within(prices.subscribe_with(a.sender(), Delivery::Latest)).await.unwrap());
    assert_eq!(within(prices.publish(Tick(1))).await.unwrap(), 2);
    let stats = within(prices.stats()).await.unwrap();
    assert_eq!(stats.subscribers.len(), 2);
    assert_eq!(stats_of(&stats, a.id()).delivery, Delivery::Wait);
    assert_eq!(stats_of(&stats, a.id()).delivered, 1, "one subscription, one copy");

    assert!(within(prices.unsubscribe(a.id())).await.unwrap());
    assert!(!within(prices.unsubscribe(a.id())).await.unwrap(), "no longer subscribed");
    let stranger = runtime.spawn(PubSub::<Tick>::new());
    assert!(!within(prices.unsubscribe(stranger.id())).await.unwrap(), "never subscribed");
    assert_eq!(within(prices.publish(Tick(2))).await.unwrap(), 1);
    assert_eq!(b.next().await, 1);
    assert_eq!(b.next().await, 2);
    assert_eq!(a.seen().await, [1], "an unsubscribed actor gets nothing more");
    assert!(stats_of(&within(prices.stats()).await.unwrap(), b.id()).delivered == 2);
    assert!(within(prices.stats()).await.unwrap().subscriber(a.id()).is_none());

    // Subscribing again starts afresh, with the new policy.
    assert!(within(prices.subscribe_with(a.sender(), Delivery::Latest)).await.unwrap());
    within(prices.publish(Tick(3))).await.unwrap();
    assert_eq!(a.next().await, 1);
    assert_eq!(a.next().await, 3);
    let s = stats_of(&settled(&prices).await, a.id());
    assert_eq!((s.delivery, s.delivered), (Delivery::Latest, 1));
    within(runtime.shutdown()).await;
}

async fn publishing_to_nobody_and_subscribing_the_dead() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    assert_eq!(within(prices.publish(Tick(1))).await.unwrap(), 0);
    let gone = listener(&runtime, Mailbox::unbounded());
    within(gone.actor.stop()).await.unwrap();
    assert!(!within(prices.subscribe(gone.sender())).await.unwrap(), "a stopped actor is not subscribed");
    let stats = within(prices.stats()).await.unwrap();
    assert_eq!((stats.published, stats.subscribers.len()), (1, 0));
    within(runtime.shutdown()).await;
}

async fn stopping_the_pubsub_leaves_its_subscribers_running() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let mut kept = listener(&runtime, Mailbox::unbounded());
    within(prices.subscribe(kept.sender())).await.unwrap();
    // A subscriber whose only ref the PubSub holds lives as long as its subscription.
    let (tx, _got) = mpsc::unbounded_channel();
    let (stopped_tx, stopped) = oneshot::channel();
    let only = runtime.spawn(Listener { seen: Vec::new(), got: tx, gate: None, yields: 0, stopped: Some(stopped_tx) });
    let only_weak = only.downgrade();
    within(prices.subscribe(Sender::from(only))).await.unwrap();
    assert_eq!(within(prices.publish(Tick(1))).await.unwrap(), 2);
    assert!(only_weak.upgrade().is_some(), "the subscription keeps it alive");

    within(prices.stop()).await.unwrap();
    assert!(within(prices.publish(Tick(2))).await.unwrap_err().is_stopped());
    assert_eq!(kept.next().await, 1);
    assert!(kept.actor.is_alive());
    within(kept.actor.tell(Tick(7))).await.unwrap();
    assert_eq!(kept.next().await, 7, "the subscriber runs on");
    // Its last ref went with the PubSub: it drains and stops, as any root actor would.
    within(stopped).await.unwrap();
    within(runtime.shutdown()).await;
}

async fn a_publish_is_sent_on_first_poll_and_goes_out_even_if_its_asker_gives_up() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let Held { probe: mut slow, entered, release } = held_listener(&runtime, Mailbox::bounded(1));
    let mut fast = listener(&runtime, Mailbox::unbounded());
    within(prices.subscribe(slow.sender())).await.unwrap();
    within(prices.subscribe(fast.sender())).await.unwrap();
    // Never polled: never sent.
    drop(prices.publish(Tick(0)));
    assert_eq!(within(prices.stats()).await.unwrap().published, 0);

    within(prices.publish(Tick(1))).await.unwrap();
    within(entered).await.unwrap();
    within(prices.publish(Tick(2))).await.unwrap();
    let publish = tokio::spawn({
        let prices = prices.clone();
        async move { prices.publish(Tick(3)).await }
    });
    for n in 1..=3 {
        assert_eq!(fast.next().await, n);
    }
    // The asker gives up while the publish waits for the slow mailbox.
    publish.abort();
    assert!(within(publish).await.unwrap_err().is_cancelled());
    release.notify_one();
    for n in 1..=3 {
        assert_eq!(slow.next().await, n, "the publish went on without its asker");
    }
    within(runtime.shutdown()).await;
}

async fn a_latest_message_waiting_for_room_is_dropped_with_the_pubsub() {
    let runtime = Runtime::new();
    let prices: ActorRef<PubSub<Tick>> = runtime.spawn(PubSub::new());
    let Held { probe: mut slow, entered, release } = held_listener(&runtime, Mailbox::bounded(1));
    within(prices.subscribe_with(slow.sender(), Delivery::Latest)).await.unwrap();
    within(prices.publish(Tick(1))).await.unwrap();
    within(entered).await.unwrap();
    within(prices.publish(Tick(2))).await.unwrap();
    within(prices.publish(Tick(3))).await.unwrap();
    assert!(stats_of(&within(prices.stats()).await.unwrap(), slow.id()).pending);
    within(prices.stop()).await.unwrap();
    release.notify_one();
    assert_eq!(slow.next().await, 1);
    assert_eq!(slow.next().await, 2);
    assert_eq!(slow.seen().await, [1, 2], "#3 was waiting for room when the PubSub stopped");
    assert!(slow.actor.is_alive());
    within(runtime.shutdown()).await;
}

on_both_runtimes!(
    each_subscriber_gets_every_message_in_publish_order,
    wait_holds_publish_until_the_slowest_mailbox_has_room,
    latest_never_waits_and_counts_exactly_what_it_dropped,
    latest_delivers_the_newest_once_there_is_room_without_another_publish,
    latest_under_load_keeps_order_and_every_message_is_accounted_for,
    a_subscriber_that_dies_mid_publish_does_not_stall_the_others,
    subscribers_that_stop_are_removed,
    unsubscribe_and_subscribing_twice,
    publishing_to_nobody_and_subscribing_the_dead,
    stopping_the_pubsub_leaves_its_subscribers_running,
    a_publish_is_sent_on_first_poll_and_goes_out_even_if_its_asker_gives_up,
    a_latest_message_waiting_for_room_is_dropped_with_the_pubsub,
);
