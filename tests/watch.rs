//! Death watch: `ctx.watch` / `ctx.unwatch` and `on_down`. Exactly once per
//! watch, at once for an actor already stopped, after every message the dead
//! actor had sent, cancelled with a queued notice by `unwatch`, handled like
//! a message (panic isolation), through every kind of handle.

mod support;

use std::sync::{Arc, Mutex};

use support::{Log, within};
use tokio::sync::{Notify, oneshot};
use tractor::prelude::*;

/// Watches what it is told to and logs every `on_down` and message.
struct Watcher {
    log: Log,
    downs: Arc<Mutex<Vec<(ActorId, String)>>>,
    on_down: ControlFlow,
    panic_on_down: bool,
}

impl Watcher {
    fn new(log: &Log) -> Self {
        Watcher { log: log.clone(), downs: Arc::default(), on_down: ControlFlow::Continue, panic_on_down: false }
    }
}

impl Actor for Watcher {
    async fn on_down(&mut self, ctx: &mut Context<Self>, down: Down) -> ControlFlow {
        assert_eq!(ctx.sender(), Some(down.id()), "a notice comes from the actor that stopped");
        if self.panic_on_down {
            panic!("on_down panicked");
        }
        self.log.push(format!("down {}", down.reason()));
        self.downs.lock().unwrap().push((down.id(), down.reason().to_string()));
        self.on_down
    }

    async fn on_panic(&mut self, _: &mut Context<Self>, panic: &Panic) -> ControlFlow {
        self.log.push(format!("panic {}", panic.message()));
        ControlFlow::Continue
    }

    async fn on_stop(&mut self, _: &mut Context<Self>, _: &StopReason) {
        self.log.push("watcher stop");
    }
}

/// `ctx.watch` on an `ActorRef`.
struct WatchRef(ActorRef<Target>);
impl Message<Watcher> for WatchRef {
    type Reply = ();
    async fn handle(self, _: &mut Watcher, ctx: &mut Context<Watcher>) {
        ctx.watch(&self.0);
    }
}

/// `ctx.watch` on a `WeakActorRef`.
struct WatchWeak(WeakActorRef<Target>);
impl Message<Watcher> for WatchWeak {
    type Reply = ();
    async fn handle(self, _: &mut Watcher, ctx: &mut Context<Watcher>) {
        ctx.watch(&self.0);
    }
}

/// `ctx.watch` on a `Sender`.
struct WatchSender(Sender<Note, ()>);
impl Message<Watcher> for WatchSender {
    type Reply = ();
    async fn handle(self, _: &mut Watcher, ctx: &mut Context<Watcher>) {
        ctx.watch(&self.0);
    }
}

/// Parks until released, then unwatches the target.
struct HoldThenUnwatch(Arc<Notify>, oneshot::Sender<()>, ActorRef<Target>);
impl Message<Watcher> for HoldThenUnwatch {
    type Reply = ();
    async fn handle(self, _: &mut Watcher, ctx: &mut Context<Watcher>) {
        let _ = self.1.send(());
        self.0.notified().await;
        ctx.unwatch(&self.2);
    }
}

/// A message for the log.
struct Note(&'static str);
impl Message<Watcher> for Note {
    type Reply = ();
    async fn handle(self, w: &mut Watcher, _: &mut Context<Watcher>) {
        w.log.push(self.0);
    }
}
impl Message<Target> for Note {
    type Reply = ();
    async fn handle(self, _: &mut Target, _: &mut Context<Target>) {}
}

/// The watched actor.
#[derive(Default)]
struct Target;
impl Actor for Target {}

/// Tells the watcher `n` notes, then stops itself.
struct TellThenStop(ActorRef<Watcher>, usize);
impl Message<Target> for TellThenStop {
    type Reply = ();
    async fn handle(self, _: &mut Target, ctx: &mut Context<Target>) {
        for _ in 0..self.1 {
            ctx.tell(&self.0, Note("from target")).await.unwrap();
        }
        ctx.stop();
    }
}

struct Boom;
impl Message<Target> for Boom {
    type Reply = ();
    async fn handle(self, _: &mut Target, _: &mut Context<Target>) {
        panic!("target panicked");
    }
}

/// Waits until the watcher has handled everything sent before this.
async fn sync(w: &ActorRef<Watcher>) {
    within(w.ask(Note("sync"))).await.unwrap();
}

async fn on_down_comes_once_with_the_reason() {
    let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
    let log = Log::default();
    let watcher = runtime.spawn(Watcher::new(&log));
    let target = runtime.spawn(Target);
    within(watcher.ask(WatchRef(target.clone()))).await.unwrap();
    // Watching twice is still one watch.
    within(watcher.ask(WatchRef(target.clone()))).await.unwrap();
    let _ = within(target.ask(Boom)).await;
    within(target.wait()).await;
    sync(&watcher).await;
    sync(&watcher).await;
    let downs: Vec<_> = log.events().into_iter().filter(|e| e.starts_with("down")).collect();
    assert_eq!(downs, ["down panicked: target panicked"]);
    within(runtime.shutdown()).await;
}

async fn watching_a_stopped_actor_tells_at_once() {
    let runtime = Runtime::new();
    let log = Log::default();
    let watcher = runtime.spawn(Watcher::new(&log));
    let target = runtime.spawn(Target);
    within(target.stop()).await.unwrap();
    within(watcher.ask(WatchRef(target.clone()))).await.unwrap();
    sync(&watcher).await;
    assert_eq!(log.count("down normal"), 1, "{:?}", log.events());
    within(runtime.shutdown()).await;
}

async fn the_notice_comes_after_every_message_the_dead_actor_sent() {
    let runtime = Runtime::new();
    let log = Log::default();
    let watcher = runtime.spawn(Watcher::new(&log));
    let target = runtime.spawn(Target);
    within(watcher.ask(WatchRef(target.clone()))).await.unwrap();
    within(target.tell(TellThenStop(watcher.clone(), 50))).await.unwrap();
    within(target.wait()).await;
    // The notice is sent after the actor finished; `sync` after `wait` can
    // still overtake it only if it were not in the mailbox yet.
    let mut rounds = 0;
    while log.count("down normal") == 0 {
        rounds += 1;
        assert!(rounds < 1000, "no notice: {:?}", log.events());
        sync(&watcher).await;
    }
    let events: Vec<_> = log.events().into_iter().filter(|e| e != "sync").collect();
    assert_eq!(events.len(), 51);
    assert!(events[..50].iter().all(|e| e == "from target"), "{events:?}");
    assert_eq!(events[50], "down normal");
    within(runtime.shutdown()).await;
}

async fn unwatch_takes_back_a_queued_notice() {
    let runtime = Runtime::new();
    let log = Log::default();
    let watcher = runtime.spawn(Watcher::new(&log));
    let target = runtime.spawn(Target);
    within(watcher.ask(WatchRef(target.clone()))).await.unwrap();
    let gate = Arc::new(Notify::new());
    let (held_tx, held) = oneshot::channel();
    within(watcher.tell(HoldThenUnwatch(gate.clone(), held_tx, target.clone()))).await.unwrap();
    within(held).await.unwrap();
    // The target dies while the watcher is busy: the notice is queued.
    within(target.stop()).await.unwrap();
    gate.notify_one();
    sync(&watcher).await;
    sync(&watcher).await;
    assert_eq!(log.count("down normal"), 0, "an unwatched notice was handled: {:?}", log.events());
    within(runtime.shutdown()).await;
}

async fn every_kind_of_handle_can_be_watched() {
    let runtime = Runtime::new();
    let log = Log::default();
    let watcher = runtime.spawn(Watcher::new(&log));
    let (a, b) = (runtime.spawn(Target), runtime.spawn(Target));
    within(watcher.ask(WatchWeak(a.downgrade()))).await.unwrap();
    within(watcher.ask(WatchSender(Sender::from(&b)))).await.unwrap();
    within(a.stop()).await.unwrap();
    within(b.stop()).await.unwrap();
    let mut rounds = 0;
    while log.count("down normal") < 2 {
        rounds += 1;
        assert!(rounds < 1000, "{:?}", log.events());
        sync(&watcher).await;
    }
    within(runtime.shutdown()).await;
}

async fn on_down_is_isolated_like_a_message_and_can_stop_the_watcher() {
    let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
    let log = Log::default();
    // A panicking on_down: on_panic says Continue, the watcher lives on.
    let fragile = runtime.spawn(Watcher { panic_on_down: true, ..Watcher::new(&log) });
    let target = runtime.spawn(Target);
    within(fragile.ask(WatchRef(target.clone()))).await.unwrap();
    within(target.stop()).await.unwrap();
    let mut rounds = 0;
    while log.count("panic on_down panicked") == 0 {
        rounds += 1;
        assert!(rounds < 1000, "{:?}", log.events());
        sync(&fragile).await;
    }
    assert!(fragile.is_alive());
    // `Stop` from on_down stops the watcher gracefully.
    let stopper = runtime.spawn(Watcher { on_down: ControlFlow::Stop, ..Watcher::new(&log) });
    let target = runtime.spawn(Target);
    within(stopper.ask(WatchRef(target.clone()))).await.unwrap();
    within(target.stop()).await.unwrap();
    assert!(within(stopper.wait()).await.is_normal());
    assert_eq!(log.count("watcher stop"), 1);
    within(runtime.shutdown()).await;
}

on_both_runtimes!(
    on_down_comes_once_with_the_reason,
    watching_a_stopped_actor_tells_at_once,
    the_notice_comes_after_every_message_the_dead_actor_sent,
    unwatch_takes_back_a_queued_notice,
    every_kind_of_handle_can_be_watched,
    on_down_is_isolated_like_a_message_and_can_stop_the_watcher,
);
