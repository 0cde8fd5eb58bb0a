//! Supervision races found in review: siblings that wait on a failed child
//! while the group restarts them (handlers and `on_stop`), a child stopped
//! as its group starts it, and `Restart::Always` at its limit. Each of these
//! hung or lost messages before it was fixed; each now ends.
mod harness;
mod support;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use harness::{EXPECTED, quiet_expected_panics};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tractor::prelude::*;

fn quiet_runtime() -> Runtime {
    quiet_expected_panics();
    Runtime::builder().crash_policy(|_: &Crash| {}).build()
}

#[derive(Actor, Default)]
struct Db;

#[actor]
impl Db {
    #[message]
    fn get(&mut self) -> u32 {
        7
    }

    #[message]
    fn fail(&mut self) {
        panic!("db fails {EXPECTED}");
    }
}

struct Api {
    db: ActorRef<Db>,
}

impl Actor for Api {}

#[actor]
impl Api {
    /// Waits for `gate`, then asks the db.
    #[message]
    async fn relay(&mut self, gate: Arc<Notify>) -> Result<u32, String> {
        gate.notified().await;
        self.db.get().await.map_err(|e| e.to_string())
    }
}

/// A OneForAll group of Db then Api (with `shutdown` as its shutdown
/// timeout); Api is inside `relay`, Db fails, then Api asks Db: the ask is
/// queued for Db's next instance, which the group starts only once Api's
/// instance has ended.
async fn db_fails_while_api_asks_it(
    shutdown: Duration,
) -> (Runtime, ActorRef<Supervisor>, ActorRef<Db>, ActorRef<Api>, JoinHandle<Result<Result<u32, String>, Error>>) {
    let runtime = quiet_runtime();
    let group = runtime.supervisor(Strategy::OneForAll).shutdown_timeout(shutdown);
    let db: ActorRef<Db> = group.child(Db::default);
    let api: ActorRef<Api> = group.child({
        let db = db.clone();
        move || Api { db: db.clone() }
    });
    let group = group.spawn();
    let gate = Arc::new(Notify::new());
    let relay = tokio::spawn({
        let (api, gate) = (api.clone(), gate.clone());
        async move { api.relay(gate).await }
    });
    tokio::task::yield_now().await; // api is now inside relay, waiting on the gate
    assert!(db.fail().await.unwrap_err().is_panicked());
    gate.notify_one(); // api asks db: queued for db's next instance
    (runtime, group, db, api, relay)
}

/// The canonical Db/Api group: Api asks Db while Db is between instances.
/// The group retires Api (newest first) before it starts Db again, and Api's
/// handler waits on an ask queued in Db's mailbox. The shutdown timeout
/// ends it: Api's handler is aborted (its asker told `is_stopped`), then both
/// come back behind their refs.
#[tokio::test(flavor = "current_thread")]
async fn a_sibling_waiting_on_the_failed_child_is_aborted_after_the_shutdown_timeout() {
    let (_runtime, group, db, api, relay) = db_fails_while_api_asks_it(Duration::from_millis(100)).await;
    let relayed = timeout(Duration::from_secs(3), relay).await.expect("api's ask to db never resolved");
    assert!(relayed.unwrap().unwrap_err().is_stopped(), "the aborted handler's asker is told it stopped");
    assert_eq!(timeout(Duration::from_secs(3), db.get()).await.unwrap().unwrap(), 7, "db is back");
    let again = Arc::new(Notify::new());
    again.notify_one();
    assert_eq!(timeout(Duration::from_secs(3), api.relay(again)).await.unwrap().unwrap(), Ok(7), "api is back");
    assert!(timeout(Duration::from_secs(3), group.stop()).await.is_ok(), "group.stop() hung");
}

/// The same deadlock, ended by a stop of the group instead of the timeout:
/// the group gives up the restart, and its stop ends the failed child first
/// (it has no instance), which answers the ask Api waits on.
#[tokio::test(flavor = "current_thread")]
async fn a_group_stop_ends_a_restart_stuck_on_a_sibling() {
    let (_runtime, group, _db, _api, relay) = db_fails_while_api_asks_it(Duration::from_secs(3600)).await;
    tokio::task::yield_now().await;
    assert!(timeout(Duration::from_secs(3), group.stop()).await.is_ok(), "group.stop() hung");
    let relayed = timeout(Duration::from_secs(3), relay).await.expect("api's ask never resolved").unwrap();
    assert!(matches!(relayed, Ok(Err(_))), "db stopped without another instance: {relayed:?}");
}

struct Starter {
    hook: Arc<dyn Fn() + Send + Sync>,
}

impl Actor for Starter {
    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        (self.hook)();
        Ok(())
    }
}

#[derive(Actor, Default)]
struct Plain;

/// A child killed from outside after its group commanded its start but
/// before its task took the command: `Seat::command` returns `Stop` and
/// leaves `command == Some(Start)`, and `Supervisor::start` waits for
/// `command.is_none()` forever.
#[tokio::test(flavor = "current_thread")]
async fn a_child_killed_as_its_group_starts_it_does_not_hang_the_group() {
    let runtime = quiet_runtime();
    let mut hung = Vec::new();
    for yields in 0..6 {
        let b_slot: Arc<OnceLock<ActorRef<Plain>>> = Arc::default();
        let group = runtime.supervisor(Strategy::OneForOne);
        let _a = group.child({
            let b_slot = b_slot.clone();
            move || {
                let b_slot = b_slot.clone();
                Starter {
                    hook: Arc::new(move || {
                        let b = b_slot.get().unwrap().clone();
                        tokio::spawn(async move {
                            for _ in 0..yields {
                                tokio::task::yield_now().await;
                            }
                            b.kill();
                        });
                    }),
                }
            }
        });
        let b: ActorRef<Plain> = group.child(Plain::default);
        b_slot.set(b.clone()).ok().unwrap();
        // Added after b: the group must go on to start it.
        let c: ActorRef<Db> = group.child(Db::default);
        let group = group.spawn();
        if timeout(Duration::from_secs(2), c.get()).await.is_err() {
            hung.push(yields);
        }
        assert!(timeout(Duration::from_secs(2), group.stop()).await.is_ok());
    }
    assert!(hung.is_empty(), "the group's start hung with b killed after {hung:?} yields");
}

#[derive(Actor, Default)]
struct Quitter;

#[actor]
impl Quitter {
    #[message]
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    #[message]
    fn work(&mut self) -> u32 {
        1
    }
}

/// `Restart::Always` at its limit: the self-stop is for good, and what was
/// queued behind it is handled first, as an unsupervised `ctx.stop()` does.
#[tokio::test(flavor = "current_thread")]
async fn always_at_its_limit_drains_like_a_plain_self_stop() {
    let runtime = quiet_runtime();
    let plain = runtime.spawn(Quitter);
    plain.quit().tell().await.unwrap();
    assert_eq!(plain.work().await.unwrap(), 1, "unsupervised: queued work is handled");

    let sup = runtime.supervise(|| Quitter).restart(Restart::Always).max_restarts(0, Duration::from_secs(5)).spawn();
    sup.quit().tell().await.unwrap();
    let r = sup.work().await;
    assert!(r.is_ok(), "supervised Always at its limit: queued work lost: {r:?}");
}

struct Flusher {
    db: ActorRef<Db>,
}

impl Actor for Flusher {
    async fn on_stop(&mut self, _: &mut Context<Self>, _: &StopReason) {
        // "flush to the db on the way out"
        let _ = self.db.get().await;
    }
}

/// Api's `on_stop` asks Db. Db fails; OneForAll retires Api first, whose
/// `on_stop` (run to the end, never aborted) waits on Db, which the group
/// starts only after Api's instance has ended. A kill of the group kills
/// every child at once, Db first among them, which answers the ask.
#[tokio::test(flavor = "current_thread")]
async fn a_kill_ends_a_restart_stuck_in_a_siblings_on_stop() {
    let runtime = quiet_runtime();
    let group = runtime.supervisor(Strategy::OneForAll);
    let db: ActorRef<Db> = group.child(Db::default);
    let _api: ActorRef<Flusher> = group.child({
        let db = db.clone();
        move || Flusher { db: db.clone() }
    });
    let group = group.spawn();
    assert!(db.fail().await.unwrap_err().is_panicked());
    tokio::time::sleep(Duration::from_millis(100)).await;
    group.kill();
    assert!(timeout(Duration::from_secs(3), group.wait()).await.is_ok(), "a killed group never ended");
}
