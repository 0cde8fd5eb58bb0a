//! Reply forwarding: a handler hands its reply duty to another actor with
//! `ctx.forward`. The asker gets the target's reply (or its error), the
//! forwarder is free at once, forwards chain, a forward under a tell is a
//! plain tell, and a forward to a stopped actor fails the asker only.
//!
//! Most forwarding handlers here are written by hand the way `#[actor]`
//! generates them (`__handle_now` for a synchronous handler, `__handle_later`
//! for an asynchronous one). The `Result<Forward<R>, E>` and
//! `Option<Forward<R>>` return forms exist only in `#[actor]` handlers, so
//! those are tested through it (`Store` and `Gate` below).

mod support;

use std::future::{Future, IntoFuture, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use support::within;
use tokio::sync::{Notify, oneshot};
use tractor::__private::{Now, Outcome};
use tractor::prelude::*;

// ---------------------------------------------------------------------------
// Backend: the actor replies are delegated to.

struct Backend {
    value: i64,
    /// Who sent each `Add`.
    add_senders: Vec<Option<ActorId>>,
}

impl Backend {
    fn new(value: i64) -> Self {
        Backend { value, add_senders: Vec::new() }
    }
}

impl Actor for Backend {}

/// Replies with the value.
struct Get;

impl Message<Backend> for Get {
    type Reply = i64;

    async fn handle(self, b: &mut Backend, _: &mut Context<Backend>) -> i64 {
        b.value
    }
}

/// Adds to the value, notes the sender, replies with the new value.
struct Add(i64);

impl Message<Backend> for Add {
    type Reply = i64;

    async fn handle(self, b: &mut Backend, ctx: &mut Context<Backend>) -> i64 {
        b.value += self.0;
        b.add_senders.push(ctx.sender());
        b.value
    }
}

/// Replies with who sent each `Add`.
struct AddSenders;

impl Message<Backend> for AddSenders {
    type Reply = Vec<Option<ActorId>>;

    async fn handle(self, b: &mut Backend, _: &mut Context<Backend>) -> Vec<Option<ActorId>> {
        b.add_senders.clone()
    }
}

/// Replies with `ctx.sender()`.
struct WhoSent;

impl Message<Backend> for WhoSent {
    type Reply = Option<ActorId>;

    async fn handle(self, _: &mut Backend, ctx: &mut Context<Backend>) -> Option<ActorId> {
        ctx.sender()
    }
}

/// Signals `started`, parks until `release`, then replies with the value.
struct Slow {
    started: oneshot::Sender<()>,
    release: Arc<Notify>,
}

impl Message<Backend> for Slow {
    type Reply = i64;

    async fn handle(self, b: &mut Backend, _: &mut Context<Backend>) -> i64 {
        let _ = self.started.send(());
        self.release.notified().await;
        b.value
    }
}

/// Sends a `Slow` (through `send`, on a task of its own) and waits until
/// the backend is parked in it. Returns the parked request's task and the
/// notify that releases it.
async fn parked<F>(send: impl FnOnce(Slow) -> F) -> (tokio::task::JoinHandle<F::Output>, Arc<Notify>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (started, started_rx) = oneshot::channel();
    let release = Arc::new(Notify::new());
    let task = tokio::spawn(send(Slow { started, release: Arc::clone(&release) }));
    within(started_rx).await.unwrap();
    (task, release)
}

/// Panics.
struct Boom;

impl Message<Backend> for Boom {
    type Reply = i64;

    async fn handle(self, _: &mut Backend, _: &mut Context<Backend>) -> i64 {
        panic!("backend exploded")
    }
}

// ---------------------------------------------------------------------------
// Frontend: forwards to its backend; answers `Ping` itself.

struct Frontend {
    backend: ActorRef<Backend>,
    pings: u32,
}

impl Frontend {
    fn new(backend: ActorRef<Backend>) -> Self {
        Frontend { backend, pings: 0 }
    }
}

impl Actor for Frontend {}

/// The frontend's own work: replies with how many pings it has answered.
struct Ping;

impl Message<Frontend> for Ping {
    type Reply = u32;

    async fn handle(self, f: &mut Frontend, _: &mut Context<Frontend>) -> u32 {
        f.pings += 1;
        f.pings
    }
}

/// `#[message(reply = i64)] fn lookup(&mut self, ctx) -> Forward<i64> {
/// ctx.forward(&self.backend, Get) }`, written out as `#[actor]` would.
struct Lookup;

impl Message<Frontend> for Lookup {
    type Reply = i64;

    async fn handle(self, f: &mut Frontend, ctx: &mut Context<Frontend>) -> i64 {
        ctx.forward(&f.backend, Get).__wait().await
    }

    fn __handle_now(self, f: &mut Frontend, ctx: &mut Context<Frontend>) -> Now<Self, i64> {
        Now::Forward(ctx.forward(&f.backend, Get))
    }
}

/// Implements a synchronous forwarding handler like `Lookup` above:
/// `forwards!(Msg for Actor.field => Reply, |pattern| message_to_forward)`.
macro_rules! forwards {
    ($msg:ident for $actor:ident . $field:ident => $reply:ty, |$m:pat_param| $fwd:expr) => {
        impl Message<$actor> for $msg {
            type Reply = $reply;

            async fn handle(self, a: &mut $actor, ctx: &mut Context<$actor>) -> $reply {
                let $m = self;
                ctx.forward(&a.$field, $fwd).__wait().await
            }

            fn __handle_now(self, a: &mut $actor, ctx: &mut Context<$actor>) -> Now<Self, $reply> {
                let $m = self;
                Now::Forward(ctx.forward(&a.$field, $fwd))
            }
        }
    };
}

/// Forwards `Slow`.
struct LookupSlow(Slow);
forwards!(LookupSlow for Frontend.backend => i64, |LookupSlow(slow)| slow);

/// Forwards `Boom`.
struct LookupBoom;
forwards!(LookupBoom for Frontend.backend => i64, |_| Boom);

/// Forwards `Add`.
struct AddVia(i64);
forwards!(AddVia for Frontend.backend => i64, |AddVia(n)| Add(n));

/// Forwards `WhoSent`.
struct WhoVia;
forwards!(WhoVia for Frontend.backend => Option<ActorId>, |_| WhoSent);

/// An asynchronous forwarding handler: asks the backend first, then forwards
/// an `Add` that doubles its value (`__handle_later`, as `#[actor]` writes it
/// for an `async fn` returning `Forward`).
struct Double;

impl Message<Frontend> for Double {
    type Reply = i64;

    async fn handle(self, f: &mut Frontend, ctx: &mut Context<Frontend>) -> i64 {
        let current = ctx.ask(&f.backend, Get).await.unwrap();
        ctx.forward(&f.backend, Add(current)).__wait().await
    }

    async fn __handle_later(self, f: &mut Frontend, ctx: &mut Context<Frontend>) -> Outcome<i64> {
        let current = ctx.ask(&f.backend, Get).await.unwrap();
        Outcome::Forward(ctx.forward(&f.backend, Add(current)))
    }
}

// ---------------------------------------------------------------------------
// A chain: Head forwards to Middle, which forwards to a Backend.

struct Middle {
    backend: ActorRef<Backend>,
}

impl Actor for Middle {}

struct Head {
    middle: ActorRef<Middle>,
}

impl Actor for Head {}

/// Middle's part of the chain: forwards `Get`.
struct MidLookup;
forwards!(MidLookup for Middle.backend => i64, |_| Get);

/// Middle's part of the chain: forwards `WhoSent`.
struct MidWho;
forwards!(MidWho for Middle.backend => Option<ActorId>, |_| WhoSent);

/// Middle's part of the chain: forwards `Boom`.
struct MidBoom;
forwards!(MidBoom for Middle.backend => i64, |_| Boom);

/// Head's part of the chain: forwards `MidLookup`.
struct ChainLookup;
forwards!(ChainLookup for Head.middle => i64, |_| MidLookup);

/// Head's part of the chain: forwards `MidWho`.
struct ChainWho;
forwards!(ChainWho for Head.middle => Option<ActorId>, |_| MidWho);

/// Head's part of the chain: forwards `MidBoom`.
struct ChainBoom;
forwards!(ChainBoom for Head.middle => i64, |_| MidBoom);

/// Replies with how many messages Middle or Head has handled itself: 0, it
/// only forwards. Answering proves it is alive and free.
struct Alive;

impl Message<Middle> for Alive {
    type Reply = bool;

    async fn handle(self, _: &mut Middle, _: &mut Context<Middle>) -> bool {
        true
    }
}

impl Message<Head> for Alive {
    type Reply = bool;

    async fn handle(self, _: &mut Head, _: &mut Context<Head>) -> bool {
        true
    }
}

/// Polls `fut` once: enough for an ask to put its message in the mailbox, so
/// that what is sent next from this task queues behind it.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

// ---------------------------------------------------------------------------
// The `Result` and `Option` forms, through `#[actor]`: Gate forwards to Store.

#[derive(Actor)]
struct Store {
    value: i64,
    /// How many `Fetch`/`ParkedFetch` it has answered.
    fetched: u32,
}

#[actor]
impl Store {
    #[message]
    fn fetch(&mut self) -> i64 {
        self.fetched += 1;
        self.value
    }

    /// Signals `started`, parks until `release`, then answers like `fetch`.
    #[message]
    async fn parked_fetch(&mut self, started: oneshot::Sender<()>, release: Arc<Notify>) -> i64 {
        let _ = started.send(());
        release.notified().await;
        self.fetched += 1;
        self.value
    }

    #[message]
    fn fetched(&self) -> u32 {
        self.fetched
    }
}

#[derive(Actor)]
struct Gate {
    store: ActorRef<Store>,
    pings: u32,
}

#[actor]
impl Gate {
    /// Forwards a key that is not negative.
    #[message]
    fn checked(&mut self, ctx: &mut Context<Self>, key: i64) -> Result<Forward<i64>, String> {
        if key < 0 {
            return Err(format!("bad key {key}"));
        }
        Ok(ctx.forward(&self.store, Fetch))
    }

    /// `checked`, with the reply written out and the decision after an await.
    #[message(reply = Result<i64, String>)]
    async fn checked_later(&mut self, ctx: &mut Context<Self>, key: i64) -> Result<Forward<i64>, String> {
        tokio::task::yield_now().await;
        if key < 0 {
            return Err(format!("bad key {key}"));
        }
        Ok(ctx.forward(&self.store, Fetch))
    }

    /// Forwards when there is a key.
    #[message]
    fn maybe(&mut self, ctx: &mut Context<Self>, key: Option<i64>) -> Option<Forward<i64>> {
        key.map(|_| ctx.forward(&self.store, Fetch))
    }

    /// `maybe`, after an await.
    #[message]
    async fn maybe_later(&mut self, ctx: &mut Context<Self>, key: Option<i64>) -> Option<Forward<i64>> {
        tokio::task::yield_now().await;
        key.map(|_| ctx.forward(&self.store, Fetch))
    }

    /// Forwards a `ParkedFetch`.
    #[message]
    fn checked_parked(
        &mut self,
        ctx: &mut Context<Self>,
        started: oneshot::Sender<()>,
        release: Arc<Notify>,
    ) -> Result<Forward<i64>, String> {
        Ok(ctx.forward(&self.store, ParkedFetch { started, release }))
    }

    #[message]
    fn knock(&mut self) -> u32 {
        self.pings += 1;
        self.pings
    }
}

fn gate(runtime: &Runtime, value: i64) -> (ActorRef<Store>, ActorRef<Gate>) {
    let store = runtime.spawn(Store { value, fetched: 0 });
    let gate = runtime.spawn(Gate { store: store.clone(), pings: 0 });
    (store, gate)
}

// ---------------------------------------------------------------------------
// Tests

on_both_runtimes!(
    forward_delegates_the_reply,
    forwarder_is_free_while_the_forwarded_message_is_in_work,
    target_panic_reaches_the_asker,
    forward_under_a_tell_is_a_plain_tell,
    forwards_chain,
    forward_to_a_stopped_actor_fails_the_asker_not_the_forwarder,
    async_handler_can_forward,
    forward_to_a_full_mailbox_waits_for_room,
    forwarder_killed_while_waiting_for_room_fails_the_asker,
    target_killed_with_the_forwarded_ask_in_work_fails_the_asker,
    result_form_forwards_ok,
    result_form_replies_err_without_forwarding,
    option_form_forwards_some_and_replies_none,
    result_forwarder_is_free_at_once,
    wrapped_forms_through_the_dispatch_enum_and_tells,
);

async fn forward_delegates_the_reply() {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend::new(42));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));

    assert_eq!(within(frontend.ask(Lookup)).await.unwrap(), 42);
    assert_eq!(within(runtime.ask(&frontend, Lookup)).await.unwrap(), 42);
    assert_eq!(within(frontend.try_ask(Lookup)).await.unwrap(), 42);
    let erased: Sender<Lookup, i64> = Sender::from(&frontend);
    assert_eq!(within(erased.ask(Lookup)).await.unwrap(), 42);
    // The target sees the forwarder as the sender of the forwarded message.
    assert_eq!(within(frontend.ask(WhoVia)).await.unwrap(), Some(frontend.id()));
    // The forwarder handled none of those itself.
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 1);
    within(runtime.shutdown()).await;
}

/// While the backend is parked on the forwarded message, the frontend keeps
/// answering; the parked ask completes with the backend's reply once
/// released.
async fn forwarder_is_free_while_the_forwarded_message_is_in_work() {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend::new(7));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));

    let frontend_ = frontend.clone();
    let (parked, release) = parked(|msg| async move { frontend_.ask(LookupSlow(msg)).await }).await;

    for expected in 1..=3 {
        assert_eq!(within(frontend.ask(Ping)).await.unwrap(), expected);
    }
    assert!(!parked.is_finished(), "the forwarded ask is still in work at the backend");

    release.notify_one();
    assert_eq!(within(parked).await.unwrap().unwrap(), 7);
    within(runtime.shutdown()).await;
}

async fn target_panic_reaches_the_asker() {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend::new(1));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));

    let err = within(frontend.ask(LookupBoom)).await.unwrap_err();
    assert!(err.is_panicked(), "{err:?}");
    assert_eq!(err.actor_id(), backend.id(), "the error names the actor that panicked: {err}");

    // Only the backend is affected (it stops: default `on_panic`).
    assert!(matches!(within(backend.wait()).await, StopReason::Panicked(_)));
    assert!(frontend.is_alive());
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 1);
    within(runtime.shutdown()).await;
}

/// Under a tell the forwarded message is sent with no reply slot; its reply
/// is dropped and nothing fails.
async fn forward_under_a_tell_is_a_plain_tell() {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend::new(40));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));

    within(frontend.tell(AddVia(1))).await.unwrap();
    frontend.try_tell(AddVia(1)).unwrap();
    // Once the frontend answers, both forwards are in the backend's mailbox,
    // ahead of anything sent from here afterwards.
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 1);
    assert_eq!(within(backend.ask(Get)).await.unwrap(), 42);
    assert_eq!(within(backend.ask(AddSenders)).await.unwrap(), vec![Some(frontend.id()); 2]);

    // A told forward whose target panics leaves the forwarder untouched.
    within(frontend.tell(LookupBoom)).await.unwrap();
    assert!(matches!(within(backend.wait()).await, StopReason::Panicked(_)));
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 2);
    within(runtime.shutdown()).await;
}

async fn forwards_chain() {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend::new(9));
    let middle = runtime.spawn(Middle { backend: backend.clone() });
    let head = runtime.spawn(Head { middle: middle.clone() });

    assert_eq!(within(head.ask(ChainLookup)).await.unwrap(), 9);
    assert_eq!(within(head.ask(ChainWho)).await.unwrap(), Some(middle.id()), "the last forwarder is the sender");

    let err = within(head.ask(ChainBoom)).await.unwrap_err();
    assert!(err.is_panicked(), "{err:?}");
    assert_eq!(err.actor_id(), backend.id());
    assert!(within(head.ask(Alive)).await.unwrap());
    assert!(within(middle.ask(Alive)).await.unwrap());

    // The end of the chain is gone now: the asker, not a forwarder, fails.
    let err = within(head.ask(ChainLookup)).await.unwrap_err();
    assert!(err.is_stopped(), "{err:?}");
    assert!(within(head.ask(Alive)).await.unwrap());
    assert!(within(middle.ask(Alive)).await.unwrap());
    within(runtime.shutdown()).await;
}

async fn forward_to_a_stopped_actor_fails_the_asker_not_the_forwarder() {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend::new(3));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));
    within(backend.stop()).await.unwrap();

    let err = within(frontend.ask(Lookup)).await.unwrap_err();
    assert!(err.is_stopped(), "{err:?}");
    assert_eq!(err.actor_id(), backend.id(), "the error names the stopped target: {err}");
    let err = within(frontend.ask(Lookup).try_ask()).await.unwrap_err();
    assert!(err.is_stopped(), "{err:?}");

    // Under a tell: the tell itself succeeds (the frontend took it) and the
    // frontend keeps running.
    within(frontend.tell(AddVia(1))).await.unwrap();
    assert!(frontend.is_alive());
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 1);
    within(runtime.shutdown()).await;
}

async fn async_handler_can_forward() {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend::new(21));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));

    assert_eq!(within(frontend.ask(Double)).await.unwrap(), 42);
    within(frontend.tell(Double)).await.unwrap();
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 1);
    assert_eq!(within(backend.ask(Get)).await.unwrap(), 84);
    assert_eq!(within(backend.ask(AddSenders)).await.unwrap(), vec![Some(frontend.id()); 2]);
    within(runtime.shutdown()).await;
}

/// A forward into a full bounded mailbox waits for room, then delivers; the
/// asker gets the reply.
async fn forward_to_a_full_mailbox_waits_for_room() {
    let runtime = Runtime::new();
    let backend = runtime.spawn_with(Backend::new(5), Mailbox::bounded(1));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));

    let backend_ = backend.clone();
    let (parked, release) = parked(|msg| async move { backend_.ask(msg).await }).await;
    backend.try_tell(Add(1)).unwrap();
    assert!(backend.try_tell(Add(100)).unwrap_err().is_full());

    let mut forwarded = frontend.ask(Lookup).into_future();
    assert!(poll_once(&mut forwarded).await.is_pending());
    // The frontend is stuck forwarding `Lookup` (it waits for room, as a
    // tell would), so a `Ping` queued behind it cannot be answered yet.
    let err = within(frontend.ask(Ping).timeout(Duration::from_millis(50))).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");

    release.notify_one();
    assert_eq!(within(parked).await.unwrap().unwrap(), 5);
    assert_eq!(within(forwarded).await.unwrap(), 6);
    // The timed-out ping was still handled.
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 2);
    within(runtime.shutdown()).await;
}

/// A forwarder killed while it waits for room at the target drops the
/// forward: the asker gets `is_stopped` and the target never sees it.
async fn forwarder_killed_while_waiting_for_room_fails_the_asker() {
    let runtime = Runtime::new();
    let backend = runtime.spawn_with(Backend::new(5), Mailbox::bounded(1));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));

    let backend_ = backend.clone();
    let (parked, release) = parked(|msg| async move { backend_.ask(msg).await }).await;
    backend.try_tell(Add(1)).unwrap();

    let mut forwarded = frontend.ask(AddVia(100)).into_future();
    assert!(poll_once(&mut forwarded).await.is_pending());
    let err = within(frontend.ask(Ping).timeout(Duration::from_millis(50))).await.unwrap_err();
    assert!(err.is_timeout(), "the frontend is stuck forwarding: {err:?}");

    frontend.kill();
    assert!(matches!(within(frontend.wait()).await, StopReason::Killed));
    let err = within(forwarded).await.unwrap_err();
    assert!(err.is_stopped(), "{err:?}");

    release.notify_one();
    assert_eq!(within(parked).await.unwrap().unwrap(), 5);
    assert_eq!(within(backend.ask(Get)).await.unwrap(), 6, "the dropped forward never arrived");
    within(runtime.shutdown()).await;
}

/// Nothing hangs: a forwarded ask in work at a target that is killed
/// resolves to `is_stopped`; the forwarder is unaffected.
async fn target_killed_with_the_forwarded_ask_in_work_fails_the_asker() {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend::new(5));
    let frontend = runtime.spawn(Frontend::new(backend.clone()));

    let frontend_ = frontend.clone();
    let (parked, _release) = parked(|msg| async move { frontend_.ask(LookupSlow(msg)).await }).await;
    // Once `Ping` is answered, the frontend has forwarded this `Get` into the
    // backend's mailbox, behind the parked `Slow`.
    let mut queued = frontend.ask(Lookup).into_future();
    assert!(poll_once(&mut queued).await.is_pending());
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 1);

    backend.kill();
    assert!(matches!(within(backend.wait()).await, StopReason::Killed));
    let err = within(parked).await.unwrap().unwrap_err();
    assert!(err.is_stopped(), "{err:?}");
    let err = within(queued).await.unwrap_err();
    assert!(err.is_stopped(), "{err:?}");
    assert_eq!(within(frontend.ask(Ping)).await.unwrap(), 2);
    within(runtime.shutdown()).await;
}

/// `Ok(forward)`: the target is asked once and the asker gets `Ok(reply)`,
/// from a sync and an async handler, by every way of asking.
async fn result_form_forwards_ok() {
    let runtime = Runtime::new();
    let (store, gate) = gate(&runtime, 42);

    assert_eq!(within(gate.checked(1)).await.unwrap(), Ok(42));
    assert_eq!(within(store.fetched()).await.unwrap(), 1, "the target is asked once per forward");
    assert_eq!(within(gate.checked_later(1)).await.unwrap(), Ok(42));
    assert_eq!(within(gate.checked(2).try_ask()).await.unwrap(), Ok(42));
    assert_eq!(within(runtime.ask(&gate, Checked { key: 3 })).await.unwrap(), Ok(42));
    let erased: Sender<Checked, Result<i64, String>> = Sender::from(&gate);
    assert_eq!(within(erased.ask(Checked { key: 4 })).await.unwrap(), Ok(42));
    assert_eq!(within(store.fetched()).await.unwrap(), 5);
    // The forwarder answered none of them itself.
    assert_eq!(within(gate.knock()).await.unwrap(), 1);
    within(runtime.shutdown()).await;
}

/// `Err(e)` is the reply, at once: the target is never asked.
async fn result_form_replies_err_without_forwarding() {
    let runtime = Runtime::new();
    let (store, gate) = gate(&runtime, 42);

    assert_eq!(within(gate.checked(-1)).await.unwrap(), Err("bad key -1".to_string()));
    assert_eq!(within(gate.checked_later(-2)).await.unwrap(), Err("bad key -2".to_string()));
    assert_eq!(within(store.fetched()).await.unwrap(), 0);
    within(runtime.shutdown()).await;
}

async fn option_form_forwards_some_and_replies_none() {
    let runtime = Runtime::new();
    let (store, gate) = gate(&runtime, 7);

    assert_eq!(within(gate.maybe(Some(1))).await.unwrap(), Some(7));
    assert_eq!(within(gate.maybe_later(Some(1))).await.unwrap(), Some(7));
    assert_eq!(within(store.fetched()).await.unwrap(), 2);
    assert_eq!(within(gate.maybe(None)).await.unwrap(), None);
    assert_eq!(within(gate.maybe_later(None)).await.unwrap(), None);
    assert_eq!(within(store.fetched()).await.unwrap(), 2, "`None` is replied, not forwarded");
    within(runtime.shutdown()).await;
}

/// While the target is parked on the forwarded message, the forwarder keeps
/// answering; the parked ask then gets `Ok(reply)`.
async fn result_forwarder_is_free_at_once() {
    let runtime = Runtime::new();
    let (store, gate) = gate(&runtime, 5);

    let (started, started_rx) = oneshot::channel();
    let release = Arc::new(Notify::new());
    let gate_ = gate.clone();
    let release_ = Arc::clone(&release);
    let parked = tokio::spawn(async move { gate_.checked_parked(started, release_).await });
    within(started_rx).await.unwrap();

    for expected in 1..=3 {
        assert_eq!(within(gate.knock()).await.unwrap(), expected);
    }
    assert!(!parked.is_finished(), "the forwarded ask is still in work at the target");

    release.notify_one();
    assert_eq!(within(parked).await.unwrap().unwrap(), Ok(5));
    assert_eq!(within(store.fetched()).await.unwrap(), 1);
    within(runtime.shutdown()).await;
}

/// Through the dispatch enum the forwarded reply is wrapped twice
/// (`GateReply::Checked(Ok(..))`); under a tell the forward is a plain tell.
async fn wrapped_forms_through_the_dispatch_enum_and_tells() {
    let runtime = Runtime::new();
    let (store, gate) = gate(&runtime, 3);

    let reply = within(gate.ask(GateMessage::from(Checked { key: 1 }))).await.unwrap();
    assert!(matches!(reply, GateReply::Checked(Ok(3))));
    let reply = within(gate.ask(GateMessage::from(Checked { key: -1 }))).await.unwrap();
    assert!(matches!(reply, GateReply::Checked(Err(_))));
    let reply = within(gate.ask(GateMessage::from(MaybeLater { key: Some(1) }))).await.unwrap();
    assert!(matches!(reply, GateReply::MaybeLater(Some(3))));
    assert_eq!(within(store.fetched()).await.unwrap(), 2);

    within(gate.checked(1).tell()).await.unwrap();
    gate.maybe_later(Some(1)).try_tell().unwrap();
    // Once the gate answers, both forwards are in the store's mailbox.
    assert_eq!(within(gate.knock()).await.unwrap(), 1);
    assert_eq!(within(store.fetched()).await.unwrap(), 4);
    within(runtime.shutdown()).await;
}

// ---------------------------------------------------------------------------
// A forward to the forwarder itself, into its own full mailbox, could never
// be delivered while it handles: the asker is told at once (is_deadlock).

#[derive(Actor, Default)]
struct Loopback;

#[actor]
impl Loopback {
    #[message]
    fn echo(&self) -> u8 {
        1
    }

    #[message(reply = u8)]
    fn forward_home_when_full(&mut self, ctx: &mut Context<Self>) -> Forward<u8> {
        let me = ctx.actor_ref();
        let _ = ctx.try_tell(&me, Echo); // fills the bounded(1) mailbox
        ctx.forward(&me, Echo)
    }
}

async fn a_forward_into_its_own_full_mailbox_fails_the_asker_at_once() {
    let runtime = Runtime::new();
    let full = runtime.spawn_with(Loopback, Mailbox::bounded(1));
    let err = within(full.forward_home_when_full()).await.unwrap_err();
    assert!(err.is_deadlock(), "{err:?}");
    assert_eq!(within(full.echo()).await.unwrap(), 1, "the forwarder goes on");
    // Unbounded: the forward goes through.
    let open = runtime.spawn(Loopback);
    assert_eq!(within(open.forward_home_when_full()).await.unwrap(), 1);
    within(runtime.shutdown()).await;
}

on_both_runtimes!(a_forward_into_its_own_full_mailbox_fails_the_asker_at_once);
