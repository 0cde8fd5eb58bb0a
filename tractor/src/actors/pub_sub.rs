//! [`PubSub`]: one topic, many subscribers, a delivery policy per subscriber.
//!
//! # How a message travels
//!
//! A [`Publish`] is handled in two passes over the subscribers. The first
//! tries every mailbox without waiting (`try_tell`), so a fast subscriber has
//! the message before a slow one is even looked at. What the first pass
//! could not deliver then depends on the subscriber's [`Delivery`]:
//!
//! - `Wait`: the handler waits for room at every such subscriber at once
//!   (not one after the other) and replies when all have taken it. The
//!   `PubSub` handles nothing else meanwhile, so the next publish queues in
//!   its mailbox: that is the back-pressure, and why per-subscriber order
//!   holds without a queue per subscriber.
//! - `Latest`: the message goes into the subscriber's `Outlet`, a slot for
//!   one message shared with a task spawned for it. The task waits for room
//!   with the newest message in hand and gives that one up (counted) as soon
//!   as a newer one lands in the slot; while the task runs, every publish goes
//!   through the slot, never straight to the mailbox, so an older message can
//!   never overtake a newer one. The task ends when the slot is empty; the
//!   next full mailbox spawns another.
//!
//! Every message either reaches the mailbox (`delivered`) or is counted in
//! `dropped`; there is no third way out while the subscriber is subscribed.

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;

use tokio::sync::Notify;
use tokio::task::AbortHandle;

use super::Stats;
use crate::actor::{Actor, Context, ControlFlow, StopReason};
use crate::error::Error;
use crate::handle::{ActorId, ActorRef, Sender};
use crate::message::Message;
use crate::request::Request;
use crate::watch::Down;

/// An actor that broadcasts every published `M` to its subscribers: any
/// actors that handle `M` (through a [`Sender<M, ()>`](Sender)), whatever
/// their types.
///
/// - **Order**: each subscriber gets the messages in publish order.
/// - **Delivery**, chosen per subscriber: [`Delivery::Wait`] (the default)
///   waits for room in the subscriber's mailbox, so the slowest `Wait`
///   subscriber sets the pace of [`publish`](ActorRef::publish);
///   [`Delivery::Latest`] never waits: when the mailbox is full it keeps only
///   the newest undelivered message for that subscriber, delivers it as soon
///   as there is room (without waiting for another publish), and counts every
///   message it dropped. Nothing is dropped that is not counted
///   ([`stats`](ActorRef::stats)).
/// - **Death**: the `PubSub` [watches](Context::watch) its subscribers; one
///   that stops is removed. One that stops while a publish waits for room in
///   its mailbox is skipped: the publish goes on for the others.
/// - **Lifetime**: a subscription holds the subscriber's `Sender`, so like any
///   ref it keeps a root subscriber alive until it is unsubscribed (or the
///   `PubSub` stops). Stopping the `PubSub` does not stop its subscribers;
///   a `Latest` message still waiting for room then is dropped with it.
///
/// Its methods are on `ActorRef<PubSub<M>>`: [`subscribe`](ActorRef::subscribe), [`subscribe_with`](ActorRef::subscribe_with),
/// [`publish`](ActorRef::publish), [`unsubscribe`](ActorRef::unsubscribe) and
/// [`stats`](ActorRef::stats). Each returns a [`Request`]: `.await` it to ask,
/// or `.tell()` it. The messages behind them ([`Subscribe`], [`Publish`],
/// [`Unsubscribe`], [`Stats`]) can be sent directly too, with `ctx.ask` from
/// inside another actor for instance.
///
/// # Examples
///
/// ```
/// use tractor::actors::{Delivery, PubSub};
/// use tractor::prelude::*;
///
/// #[derive(Clone, Debug)]
/// struct Price(u32);
///
/// #[derive(Actor, Default)]
/// struct Chart { last: Option<u32> }
///
/// impl Message<Chart> for Price {
///     type Reply = ();
///     async fn handle(self, chart: &mut Chart, _: &mut Context<Chart>) { chart.last = Some(self.0); }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let prices: ActorRef<PubSub<Price>> = runtime.spawn(PubSub::new());
/// let chart = runtime.spawn(Chart::default());
/// let ticker = runtime.spawn_with(Chart::default(), Mailbox::bounded(1));
///
/// prices.subscribe(Sender::from(chart.clone())).await?;
/// prices.subscribe_with(Sender::from(&ticker), Delivery::Latest).await?;
/// let reached: usize = prices.publish(Price(101)).await?; // in every mailbox, or held for `Latest`
/// assert_eq!(reached, 2);
///
/// let stats = prices.stats().await?;
/// assert_eq!(stats.published, 1);
/// assert_eq!(stats.subscriber(chart.id()).unwrap().delivered, 1);
///
/// assert!(prices.unsubscribe(chart.id()).await?);
/// assert!(!prices.unsubscribe(chart.id()).await?); // not subscribed any more
/// # Ok(())
/// # }
/// ```
pub struct PubSub<M> {
    subscribers: Vec<Subscriber<M>>,
    /// Where each subscriber is in `subscribers`.
    index: HashMap<ActorId, usize>,
    published: u64,
}

/// How a [`PubSub`] delivers to one subscriber whose mailbox is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Wait for room: a publish resolves once every `Wait` subscriber's
    /// mailbox has taken the message, so the slowest one sets the pace.
    /// Nothing is dropped.
    #[default]
    Wait,
    /// Never wait: keep only the newest undelivered message for this
    /// subscriber, deliver it as soon as its mailbox has room, and count
    /// every message given up for a newer one. For subscribers that only
    /// care about the current value (a price, a position, a gauge).
    Latest,
}

/// One subscription.
struct Subscriber<M> {
    sender: Sender<M, ()>,
    route: Route<M>,
}

/// A subscriber's delivery policy, with its counters.
enum Route<M> {
    Wait { delivered: u64 },
    Latest(Latest<M>),
}

impl<M> Subscriber<M> {
    fn delivery(&self) -> Delivery {
        match self.route {
            Route::Wait { .. } => Delivery::Wait,
            Route::Latest(_) => Delivery::Latest,
        }
    }
}

impl<M: Clone + Send + 'static> PubSub<M> {
    /// A `PubSub` with no subscribers. Spawn it:
    /// `let prices: ActorRef<PubSub<Price>> = runtime.spawn(PubSub::new());`.
    pub fn new() -> Self {
        PubSub { subscribers: Vec::new(), index: HashMap::new(), published: 0 }
    }

    fn subscribe(&mut self, ctx: &mut Context<Self>, sender: Sender<M, ()>, delivery: Delivery) -> bool {
        let id = sender.id();
        if self.index.contains_key(&id) || !sender.is_alive() {
            return false;
        }
        ctx.watch(&sender);
        let route = match delivery {
            Delivery::Wait => Route::Wait { delivered: 0 },
            Delivery::Latest => Route::Latest(Latest::new()),
        };
        self.index.insert(id, self.subscribers.len());
        self.subscribers.push(Subscriber { sender, route });
        true
    }

    /// Removes subscriber `id`; `false` if it was not subscribed.
    fn remove(&mut self, ctx: &mut Context<Self>, id: ActorId) -> bool {
        let Some(at) = self.index.remove(&id) else { return false };
        let gone = self.subscribers.swap_remove(at);
        if let Some(moved) = self.subscribers.get(at) {
            self.index.insert(moved.sender.id(), at);
        }
        ctx.unwatch(&gone.sender);
        // Dropping it aborts a `Latest` delivery task.
        drop(gone);
        true
    }

    /// Delivers `msg` to every subscriber; replies how many it reached (in
    /// their mailbox, or held for a `Latest` one).
    async fn publish(&mut self, ctx: &mut Context<Self>, msg: M) -> usize {
        self.published += 1;
        let mut reached = 0;
        let mut gone = Vec::new();
        let mut waiting: Vec<(usize, Waiting)> = Vec::new();
        let last = self.subscribers.len().saturating_sub(1);
        let mut msg = Some(msg);
        // First pass: nobody waits, so the fast have it before the slow are looked at.
        for (at, sub) in self.subscribers.iter_mut().enumerate() {
            let copy = if at == last { msg.take() } else { msg.clone() };
            let Some(copy) = copy else { break };
            match &mut sub.route {
                Route::Wait { delivered } => match sub.sender.try_tell(copy) {
                    Ok(()) => {
                        *delivered += 1;
                        reached += 1;
                    }
                    Err(full) if full.is_full() => {
                        let sender = sub.sender.clone();
                        let copy = full.into_inner();
                        let send: Waiting = Box::pin(async move { sender.tell(copy).await });
                        waiting.push((at, send));
                    }
                    Err(_) => gone.push(sub.sender.id()),
                },
                Route::Latest(latest) => match latest.offer(&sub.sender, copy) {
                    Offered::Reached => reached += 1,
                    Offered::Stopped => gone.push(sub.sender.id()),
                },
            }
        }
        // Second pass: every full `Wait` subscriber at once; one that stops
        // meanwhile fails its own send only.
        for (at, sent) in join_all(waiting).await {
            let sub = &mut self.subscribers[at];
            match sent {
                Ok(()) => {
                    if let Route::Wait { delivered } = &mut sub.route {
                        *delivered += 1;
                    }
                    reached += 1;
                }
                Err(_) => gone.push(sub.sender.id()),
            }
        }
        for id in gone {
            self.remove(ctx, id);
        }
        reached
    }

    fn stats(&self) -> PubSubStats {
        let subscribers = self
            .subscribers
            .iter()
            .map(|sub| {
                let (delivered, dropped, pending) = match &sub.route {
                    Route::Wait { delivered } => (*delivered, 0, false),
                    Route::Latest(latest) => {
                        let state = latest.outlet.lock();
                        (state.delivered, state.dropped, state.pending.is_some() || state.holding)
                    }
                };
                SubscriberStats { id: sub.sender.id(), delivery: sub.delivery(), delivered, dropped, pending }
            })
            .collect();
        PubSubStats { published: self.published, subscribers }
    }
}

impl<M: Clone + Send + 'static> Default for PubSub<M> {
    fn default() -> Self {
        PubSub::new()
    }
}

impl<M: Clone + Send + 'static> Actor for PubSub<M> {
    async fn on_down(&mut self, ctx: &mut Context<Self>, down: Down) -> ControlFlow {
        self.remove(ctx, down.id());
        ControlFlow::Continue
    }

    async fn on_stop(&mut self, ctx: &mut Context<Self>, _reason: &StopReason) {
        let undelivered = self
            .subscribers
            .iter()
            .filter(|sub| match &sub.route {
                Route::Wait { .. } => false,
                Route::Latest(latest) => {
                    let state = latest.outlet.lock();
                    state.pending.is_some() || state.holding
                }
            })
            .count();
        if undelivered > 0 {
            tracing::debug!(pubsub = %ctx.id(), undelivered, "PubSub stopped with `Latest` messages still waiting for room");
        }
        // Aborts the delivery tasks; the subscribers themselves run on.
        self.subscribers.clear();
        self.index.clear();
    }
}

impl<M> fmt::Debug for PubSub<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PubSub")
            .field("subscribers", &self.subscribers.len())
            .field("published", &self.published)
            .finish()
    }
}

/// A `Wait` subscriber's send, waiting for room.
type Waiting = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// Awaits every send together; their outcomes, tagged.
async fn join_all(sends: Vec<(usize, Waiting)>) -> Vec<(usize, Result<(), Error>)> {
    if sends.is_empty() {
        return Vec::new();
    }
    let mut sends: Vec<Option<(usize, Waiting)>> = sends.into_iter().map(Some).collect();
    let mut done = Vec::with_capacity(sends.len());
    poll_fn(|cx| {
        for slot in sends.iter_mut() {
            if let Some((at, send)) = slot
                && let Poll::Ready(sent) = send.as_mut().poll(cx)
            {
                done.push((*at, sent));
                *slot = None;
            }
        }
        if done.len() == sends.len() { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    done
}

/// A `Latest` subscriber: its outlet, and the task delivering from it while
/// the mailbox is full. Dropping it aborts the task.
struct Latest<M> {
    outlet: Arc<Outlet<M>>,
    task: Option<AbortHandle>,
}

/// What the `PubSub` and a `Latest` subscriber's delivery task share.
struct Outlet<M> {
    state: Mutex<OutletState<M>>,
    /// A newer message is in `pending`: give up the one in hand.
    newer: Notify,
}

struct OutletState<M> {
    /// The newest message not handed to the mailbox yet, nor to the task.
    pending: Option<M>,
    /// The task has a message in hand, waiting for room.
    holding: bool,
    /// A delivery task is running: publishes go through `pending`.
    running: bool,
    delivered: u64,
    dropped: u64,
}

enum Offered {
    /// In the mailbox, or held for it.
    Reached,
    /// The subscriber has stopped.
    Stopped,
}

impl<M> Outlet<M> {
    fn lock(&self) -> MutexGuard<'_, OutletState<M>> {
        // Nothing panics under this lock; a poisoned one still holds whole counts.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<M: Send + 'static> Latest<M> {
    fn new() -> Self {
        let state = OutletState { pending: None, holding: false, running: false, delivered: 0, dropped: 0 };
        Latest { outlet: Arc::new(Outlet { state: Mutex::new(state), newer: Notify::new() }), task: None }
    }

    /// Delivers `msg` now if the mailbox has room and nothing older is on its
    /// way; otherwise keeps it as the newest, dropping (and counting) the one
    /// it replaces.
    fn offer(&mut self, sender: &Sender<M, ()>, msg: M) -> Offered {
        let mut state = self.outlet.lock();
        if state.running {
            // The task is delivering: it must deliver this one after what it has.
            if state.pending.replace(msg).is_some() {
                state.dropped += 1;
            }
            drop(state);
            self.outlet.newer.notify_one();
            return Offered::Reached;
        }
        match sender.try_tell(msg) {
            Ok(()) => {
                state.delivered += 1;
                Offered::Reached
            }
            Err(full) if full.is_full() => {
                state.pending = Some(full.into_inner());
                state.running = true;
                drop(state);
                let task = tokio::spawn(deliver(sender.clone(), Arc::clone(&self.outlet)));
                self.task = Some(task.abort_handle());
                Offered::Reached
            }
            Err(_) => Offered::Stopped,
        }
    }
}

impl<M> Drop for Latest<M> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A `Latest` subscriber's delivery task: takes the newest message, waits for
/// room with it, and gives it up for a newer one; ends when there is none.
async fn deliver<M: Send + 'static>(sender: Sender<M, ()>, outlet: Arc<Outlet<M>>) {
    loop {
        let msg = {
            let mut state = outlet.lock();
            let Some(msg) = state.pending.take() else {
                state.running = false;
                return;
            };
            state.holding = true;
            msg
        };
        let mut send = pin!(sender.tell(msg));
        loop {
            tokio::select! {
                // A newer message first: when room and a newer message come
                // together, the older one is not delivered.
                biased;
                () = outlet.newer.notified() => {
                    let mut state = outlet.lock();
                    // A notice left over from a message already taken is stale.
                    if state.pending.is_some() {
                        // Not pushed: a waiting send pushes only inside its own
                        // poll, so dropping it drops the message unsent.
                        state.holding = false;
                        state.dropped += 1;
                        break;
                    }
                }
                sent = &mut send => {
                    let mut state = outlet.lock();
                    state.holding = false;
                    match sent {
                        Ok(()) => state.delivered += 1,
                        Err(_) => {
                            // Stopped: the `PubSub` removes it on its `Down`.
                            state.dropped += 1 + u64::from(state.pending.take().is_some());
                            state.running = false;
                            return;
                        }
                    }
                    break;
                }
            }
        }
    }
}

/// Subscribes an actor to a [`PubSub`]; replies `true` if it was not
/// subscribed yet.
///
/// Subscribing is idempotent, as with Akka's event stream: subscribing an
/// actor that is already subscribed changes nothing (its delivery policy
/// and counters stay) and replies `false`; to change its policy, unsubscribe
/// it and subscribe it again. An actor that has already stopped is not
/// subscribed (`false`).
pub struct Subscribe<M> {
    /// The subscriber.
    pub subscriber: Sender<M, ()>,
    /// How it gets messages when its mailbox is full.
    pub delivery: Delivery,
}

impl<M: Clone + Send + 'static> Message<PubSub<M>> for Subscribe<M> {
    type Reply = bool;

    async fn handle(self, pubsub: &mut PubSub<M>, ctx: &mut Context<PubSub<M>>) -> bool {
        pubsub.subscribe(ctx, self.subscriber, self.delivery)
    }
}

impl<M: 'static> fmt::Debug for Subscribe<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscribe").field("subscriber", &self.subscriber).field("delivery", &self.delivery).finish()
    }
}

/// Publishes a message to every subscriber of a [`PubSub`], in publish order
/// for each. Replies how many subscribers it reached: in their mailbox, or
/// held for a [`Latest`](Delivery::Latest) one (which may still give it up
/// for a newer message). With no subscribers it reaches none: `0`.
///
/// Asked (`.await`), it resolves once every [`Wait`](Delivery::Wait)
/// subscriber's mailbox has taken the message (a subscriber that stops
/// meanwhile is skipped). Told (`.tell()`), it resolves once the `PubSub`
/// has it queued.
///
/// An actor that asks this of a `PubSub` it is itself a `Wait` subscriber of
/// could wait for room in its own full mailbox, which only it can make:
/// publish from there with `.tell()`.
pub struct Publish<M>(pub M);

impl<M: Clone + Send + 'static> Message<PubSub<M>> for Publish<M> {
    type Reply = usize;

    async fn handle(self, pubsub: &mut PubSub<M>, ctx: &mut Context<PubSub<M>>) -> usize {
        pubsub.publish(ctx, self.0).await
    }
}

impl<M> fmt::Debug for Publish<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Publish(..)")
    }
}

/// Unsubscribes the actor with this id from a [`PubSub`]; replies `true` if
/// it was subscribed, `false` for an unknown id.
///
/// No later publish reaches it. A [`Latest`](Delivery::Latest) message that
/// was waiting for room is given up (a send already in progress at that
/// instant may still land).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unsubscribe(pub ActorId);

impl<M: Clone + Send + 'static> Message<PubSub<M>> for Unsubscribe {
    type Reply = bool;

    async fn handle(self, pubsub: &mut PubSub<M>, ctx: &mut Context<PubSub<M>>) -> bool {
        pubsub.remove(ctx, self.0)
    }
}

impl<M: Clone + Send + 'static> Message<PubSub<M>> for Stats {
    type Reply = PubSubStats;

    async fn handle(self, pubsub: &mut PubSub<M>, _: &mut Context<PubSub<M>>) -> PubSubStats {
        pubsub.stats()
    }
}

/// A snapshot of a [`PubSub`], from [`stats`](ActorRef::stats).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PubSubStats {
    /// Messages published so far.
    pub published: u64,
    /// The current subscribers, in no particular order.
    pub subscribers: Vec<SubscriberStats>,
}

impl PubSubStats {
    /// The subscriber with this id, if it is subscribed.
    pub fn subscriber(&self, id: ActorId) -> Option<&SubscriberStats> {
        self.subscribers.iter().find(|s| s.id == id)
    }
}

/// One subscriber in [`PubSubStats`]. Its counters start at its subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubscriberStats {
    /// The subscriber.
    pub id: ActorId,
    /// Its delivery policy.
    pub delivery: Delivery,
    /// Messages its mailbox has taken.
    pub delivered: u64,
    /// Messages given up for a newer one (`Latest` only; always 0 for `Wait`).
    pub dropped: u64,
    /// A `Latest` message is waiting for room in its mailbox.
    pub pending: bool,
}

/// The methods of a [`PubSub`], on its ref. Each returns a [`Request`]:
/// `.await` it to ask (and get the reply), `.tell()` it to send without
/// waiting for the `PubSub` to handle it.
///
/// # Cancel safety
///
/// As for every [`Request`]: nothing is sent before the first poll, and a
/// request dropped after its message was delivered is still handled (a
/// publish still goes out to every subscriber).
impl<M: Clone + Send + 'static> ActorRef<PubSub<M>> {
    /// Subscribes `subscriber` with [`Delivery::Wait`]; replies `true` if it
    /// was not subscribed yet. See [`Subscribe`].
    pub fn subscribe(&self, subscriber: Sender<M, ()>) -> Request<'_, PubSub<M>, Subscribe<M>> {
        self.ask(Subscribe { subscriber, delivery: Delivery::Wait })
    }

    /// Subscribes `subscriber` with the given [`Delivery`]; replies `true` if
    /// it was not subscribed yet (an already subscribed actor keeps its
    /// policy). See [`Subscribe`].
    pub fn subscribe_with(
        &self,
        subscriber: Sender<M, ()>,
        delivery: Delivery,
    ) -> Request<'_, PubSub<M>, Subscribe<M>> {
        self.ask(Subscribe { subscriber, delivery })
    }

    /// Publishes `msg` to every subscriber; replies how many it reached.
    /// Awaited, it resolves once every `Wait` subscriber's mailbox has taken
    /// it. See [`Publish`].
    pub fn publish(&self, msg: M) -> Request<'_, PubSub<M>, Publish<M>> {
        self.ask(Publish(msg))
    }

    /// Unsubscribes the actor with this id; replies `true` if it was
    /// subscribed. See [`Unsubscribe`].
    pub fn unsubscribe(&self, id: ActorId) -> Request<'_, PubSub<M>, Unsubscribe> {
        self.ask(Unsubscribe(id))
    }

    /// The counters of every subscriber. See [`PubSubStats`].
    pub fn stats(&self) -> Request<'_, PubSub<M>, Stats> {
        self.ask(Stats)
    }
}
