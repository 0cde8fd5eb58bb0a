//! Names: `runtime.register`, `lookup::<A>`, `unregister`. Per runtime,
//! typed (another type looks up `None`), taken only while a live actor holds
//! the name, freed when it stops (before any watcher's `on_down`), never left
//! behind by a failed or refused start, cleared by shutdown; a name keeps its
//! actor alive like a ref. Registering and looking up race stops safely.

mod support;

use std::sync::Arc;

use support::within;
use tokio::sync::{Barrier, oneshot};
use tractor::prelude::*;

/// A named service; tells `stopped` how it ended.
#[derive(Default)]
struct Db {
    queries: u32,
    stopped: Option<oneshot::Sender<StopReason>>,
}

impl Db {
    fn watched() -> (Self, oneshot::Receiver<StopReason>) {
        let (tx, rx) = oneshot::channel();
        (Db { queries: 0, stopped: Some(tx) }, rx)
    }
}

impl Actor for Db {
    async fn on_stop(&mut self, _: &mut Context<Self>, reason: &StopReason) {
        if let Some(tx) = self.stopped.take() {
            let _ = tx.send(reason.clone());
        }
    }
}

#[actor]
impl Db {
    #[message]
    fn query(&mut self) -> u32 {
        self.queries += 1;
        self.queries
    }

    /// Spawns a child and names it.
    #[message]
    fn spawn_named_child(&mut self, ctx: &mut Context<Self>, name: String) -> Result<(), Error> {
        let child = ctx.spawn(Db::default());
        ctx.runtime().register(name, &child)
    }

    #[message]
    fn boom(&mut self) {
        panic!("db crashed");
    }
}

/// Another actor type, for typed lookups.
#[derive(Actor, Default)]
struct Cache;

async fn a_registered_actor_is_found_by_name_until_unregistered() {
    let runtime = Runtime::new();
    let db = runtime.spawn(Db::default());
    runtime.register("db", &db).unwrap();
    let found = runtime.lookup::<Db>("db").expect("registered");
    assert_eq!(found, db);
    assert_eq!(within(found.query()).await.unwrap(), 1);
    assert_eq!(within(db.query()).await.unwrap(), 2, "the same actor");
    // Names are `Into<Arc<str>>`: a `String` works as well.
    runtime.register(format!("db-{}", 1), &db).unwrap();
    assert_eq!(runtime.lookup::<Db>("db-1"), Some(db.clone()));

    assert!(runtime.unregister("db"));
    assert!(runtime.lookup::<Db>("db").is_none());
    assert!(!runtime.unregister("db"), "already gone");
    assert!(db.is_alive(), "unregistering does not stop the actor");
    within(runtime.shutdown()).await;
}

async fn a_lookup_with_another_type_or_an_unknown_name_is_none() {
    let runtime = Runtime::new();
    let db = runtime.spawn(Db::default());
    let cache = runtime.spawn(Cache);
    runtime.register("db", &db).unwrap();
    runtime.register("cache", &cache).unwrap();
    assert!(runtime.lookup::<Cache>("db").is_none());
    assert!(runtime.lookup::<Db>("cache").is_none());
    assert!(runtime.lookup::<Db>("nope").is_none());
    assert!(runtime.lookup::<Db>("db").is_some(), "a wrong-type lookup changes nothing");
    // Per runtime: another runtime does not see them.
    let other = Runtime::new();
    assert!(other.lookup::<Db>("db").is_none());
    within(other.shutdown()).await;
    within(runtime.shutdown()).await;
}

async fn a_live_holder_keeps_its_name_and_may_hold_several() {
    let runtime = Runtime::new();
    let first = runtime.spawn(Db::default());
    let second = runtime.spawn(Db::default());
    runtime.register("db", &first).unwrap();
    let err = runtime.register("db", &second).unwrap_err();
    assert!(err.is_name_taken(), "{err}");
    assert!(!err.is_stopped());
    assert_eq!(err.actor_id(), first.id(), "the error names the holder");
    assert!(err.to_string().contains("taken"), "{err}");
    assert_eq!(runtime.lookup::<Db>("db"), Some(first.clone()), "a refused register changes nothing");
    // The holder again: nothing changes.
    runtime.register("db", &first).unwrap();
    // A second name for the same actor.
    runtime.register("primary", &first).unwrap();
    assert!(runtime.unregister("db"));
    assert_eq!(runtime.lookup::<Db>("primary"), Some(first.clone()));
    runtime.register("db", &second).unwrap();
    assert_eq!(runtime.lookup::<Db>("db"), Some(second));
    within(runtime.shutdown()).await;
}

async fn a_stopped_actors_names_are_free() {
    let runtime = Runtime::new();
    let replacement = runtime.spawn(Db::default());
    // However the actor ends: stop, kill, crash.
    for end in ["stop", "kill", "crash"] {
        let db = runtime.spawn(Db::default());
        runtime.register("db", &db).unwrap();
        runtime.register("alias", &db).unwrap();
        match end {
            "stop" => within(db.stop()).await.unwrap(),
            "kill" => {
                db.kill();
                within(db.wait()).await;
            }
            _ => {
                assert!(within(db.boom()).await.unwrap_err().is_panicked());
                within(db.wait()).await;
            }
        }
        assert!(runtime.lookup::<Db>("db").is_none(), "after {end}");
        assert!(runtime.lookup::<Db>("alias").is_none(), "after {end}");
        assert!(!runtime.unregister("alias"), "after {end}");
        // Registering a stopped actor is refused, and leaves the name free.
        let err = runtime.register("db", &db).unwrap_err();
        assert!(err.is_stopped() && !err.is_name_taken(), "{err}");
        assert!(runtime.lookup::<Db>("db").is_none());
        runtime.register("db", &replacement).unwrap();
        assert!(runtime.unregister("db"));
    }

    // A child's name goes with it when its parent stops.
    let parent = runtime.spawn(Db::default());
    within(parent.spawn_named_child("child".to_string())).await.unwrap().unwrap();
    let child = runtime.lookup::<Db>("child").expect("the child is named");
    drop(child);
    within(parent.stop()).await.unwrap();
    assert!(runtime.lookup::<Db>("child").is_none());
    within(runtime.shutdown()).await;
}

async fn a_name_keeps_its_actor_alive() {
    let runtime = Runtime::new();
    let (db, stopped) = Db::watched();
    let db = runtime.spawn(db);
    let id = db.id();
    runtime.register("db", &db).unwrap();
    drop(db);
    // Every ref is gone; the name still keeps it.
    let found = runtime.lookup::<Db>("db").expect("kept alive by its name");
    assert_eq!(found.id(), id);
    assert_eq!(within(found.query()).await.unwrap(), 1);
    drop(found);
    tokio::task::yield_now().await;
    assert_eq!(within(runtime.lookup::<Db>("db").expect("still alive").query()).await.unwrap(), 2);
    // Without its name (and no ref) it drains and stops.
    assert!(runtime.unregister("db"));
    assert!(within(stopped).await.unwrap().is_normal());
    within(runtime.shutdown()).await;
}

/// Watches `target` and, in `on_down`, reports what the name looks like.
struct Watcher {
    name: &'static str,
    replacement: ActorRef<Db>,
    seen: Option<oneshot::Sender<(bool, Result<(), Error>)>>,
}

impl Actor for Watcher {
    async fn on_down(&mut self, ctx: &mut Context<Self>, _down: Down) -> ControlFlow {
        let found = ctx.runtime().lookup::<Db>(self.name).is_some();
        let taken = ctx.runtime().register(self.name, &self.replacement);
        if let Some(seen) = self.seen.take() {
            let _ = seen.send((found, taken));
        }
        ControlFlow::Continue
    }
}

struct Watch(ActorRef<Db>);
impl Message<Watcher> for Watch {
    type Reply = ();
    async fn handle(self, _: &mut Watcher, ctx: &mut Context<Watcher>) {
        ctx.watch(&self.0);
    }
}

async fn a_name_is_free_before_any_watcher_hears_of_the_stop() {
    let runtime = Runtime::new();
    for end in ["stop", "crash"] {
        let db = runtime.spawn(Db::default());
        runtime.register("db", &db).unwrap();
        let (seen, heard) = oneshot::channel();
        let replacement = runtime.spawn(Db::default());
        let watcher = runtime.spawn(Watcher { name: "db", replacement: replacement.clone(), seen: Some(seen) });
        within(watcher.ask(Watch(db.clone()))).await.unwrap();
        match end {
            "stop" => {
                // Stopped from another task: `on_down` may run before `stop()` returns.
                let db = db.clone();
                tokio::spawn(async move { db.stop().await });
            }
            _ => drop(db.tell(Boom).await),
        }
        let (found, taken) = within(heard).await.unwrap();
        assert!(!found, "on_down found the dead actor under its name ({end})");
        taken.expect("on_down could not take the dead actor's name");
        assert_eq!(runtime.lookup::<Db>("db"), Some(replacement), "{end}");
        assert!(runtime.unregister("db"));
    }
    within(runtime.shutdown()).await;
}

async fn shutdown_clears_every_name() {
    let runtime = Runtime::new();
    let db = runtime.spawn(Db::default());
    runtime.register("db", &db).unwrap();
    runtime.register("cache", &runtime.spawn(Cache)).unwrap();
    // An actor of another runtime, named here: only the name keeps it.
    let other = Runtime::new();
    let (foreign, stopped) = Db::watched();
    runtime.register("foreign", &other.spawn(foreign)).unwrap();
    assert!(runtime.lookup::<Db>("foreign").is_some());

    within(runtime.shutdown()).await;
    assert!(runtime.lookup::<Db>("db").is_none());
    assert!(runtime.lookup::<Cache>("cache").is_none());
    assert!(runtime.lookup::<Db>("foreign").is_none());
    // Its name gone, the foreign actor has nothing left keeping it.
    assert!(within(stopped).await.unwrap().is_normal());
    // A spawn refused after shutdown cannot take a name either.
    let refused = runtime.spawn(Db::default());
    assert!(runtime.register("late", &refused).unwrap_err().is_stopped());
    assert!(runtime.lookup::<Db>("late").is_none());
    within(other.shutdown()).await;
}

/// Registers itself under `name` in `on_start` (and says whether that
/// worked), then fails to start.
struct Stillborn {
    name: &'static str,
    panic: bool,
    registered: Option<oneshot::Sender<bool>>,
}

impl Stillborn {
    fn new(name: &'static str, panic: bool) -> (Self, oneshot::Receiver<bool>) {
        let (tx, rx) = oneshot::channel();
        (Stillborn { name, panic, registered: Some(tx) }, rx)
    }
}

impl Actor for Stillborn {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let registered = ctx.runtime().register(self.name, &ctx.actor_ref());
        let _ = self.registered.take().map(|tx| tx.send(registered.is_ok()));
        registered?;
        if self.panic {
            panic!("on_start panicked");
        }
        Err("on_start failed".into())
    }
}

async fn a_failed_start_never_leaves_its_name_taken() {
    let runtime = Runtime::new();
    let db = runtime.spawn(Db::default());
    for panic in [false, true] {
        let (stillborn, registered) = Stillborn::new("svc", panic);
        let failed = runtime.spawn(stillborn);
        assert!(within(registered).await.unwrap(), "it took the name in on_start");
        let reason = within(failed.wait()).await;
        assert!(!reason.is_normal(), "{reason:?}");
        assert!(runtime.lookup::<Stillborn>("svc").is_none());
        runtime.register("svc", &db).unwrap();
        assert!(runtime.unregister("svc"));
    }
    // Registered from outside while its start fails.
    let failing = runtime.spawn(Stillborn::new("inner", false).0);
    if let Err(e) = runtime.register("outer", &failing) {
        assert!(e.is_stopped(), "{e}");
    }
    within(failing.wait()).await;
    assert!(runtime.lookup::<Stillborn>("outer").is_none());
    assert!(runtime.lookup::<Stillborn>("inner").is_none());
    runtime.register("outer", &db).unwrap();
    within(runtime.shutdown()).await;
}

async fn registering_and_looking_up_race_stops() {
    let runtime = Runtime::new();
    let spare = runtime.spawn(Db::default());
    for round in 0..200u32 {
        let db = runtime.spawn(Db::default());
        let go = Arc::new(Barrier::new(3));
        let register = tokio::spawn({
            let (runtime, db, go) = (runtime.clone(), db.clone(), go.clone());
            async move {
                go.wait().await;
                runtime.register("racer", &db)
            }
        });
        let stop = tokio::spawn({
            let (db, go) = (db.clone(), go.clone());
            async move {
                go.wait().await;
                db.stop().await
            }
        });
        let lookup = tokio::spawn({
            let runtime = runtime.clone();
            async move {
                go.wait().await;
                for _ in 0..20 {
                    if let Some(found) = runtime.lookup::<Db>("racer") {
                        // Found while it stops: it answers, or says it stopped.
                        match found.query().await {
                            Ok(_) => {}
                            Err(e) => assert!(e.is_stopped(), "{e}"),
                        }
                    }
                    tokio::task::yield_now().await;
                }
            }
        });
        if let Err(e) = within(register).await.unwrap() {
            assert!(e.is_stopped(), "round {round}: {e}");
        }
        within(stop).await.unwrap().unwrap();
        within(lookup).await.unwrap();
        // Stopped: whatever the interleaving, the name is free.
        assert!(runtime.lookup::<Db>("racer").is_none(), "round {round}: the name outlived its actor");
        runtime.register("racer", &spare).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(runtime.unregister("racer"));
    }
    within(runtime.shutdown()).await;
}

async fn one_of_many_racing_registers_wins_the_name() {
    let runtime = Runtime::new();
    for _ in 0..20 {
        let dbs: Vec<_> = (0..8).map(|_| runtime.spawn(Db::default())).collect();
        let go = Arc::new(Barrier::new(dbs.len()));
        let tries: Vec<_> = dbs
            .iter()
            .map(|db| {
                let (runtime, db, go) = (runtime.clone(), db.clone(), go.clone());
                tokio::spawn(async move {
                    go.wait().await;
                    runtime.register("leader", &db).map(|()| db.id())
                })
            })
            .collect();
        let mut winners = Vec::new();
        let mut holders = Vec::new();
        for t in tries {
            match within(t).await.unwrap() {
                Ok(id) => winners.push(id),
                Err(e) => {
                    assert!(e.is_name_taken(), "{e}");
                    holders.push(e.actor_id());
                }
            }
        }
        assert_eq!(winners.len(), 1, "exactly one register wins");
        assert!(holders.iter().all(|h| *h == winners[0]), "every loser is told the winner");
        assert_eq!(runtime.lookup::<Db>("leader").map(|r| r.id()), Some(winners[0]));
        assert!(runtime.unregister("leader"));
    }
    within(runtime.shutdown()).await;
}

on_both_runtimes!(
    a_registered_actor_is_found_by_name_until_unregistered,
    a_lookup_with_another_type_or_an_unknown_name_is_none,
    a_live_holder_keeps_its_name_and_may_hold_several,
    a_stopped_actors_names_are_free,
    a_name_keeps_its_actor_alive,
    a_name_is_free_before_any_watcher_hears_of_the_stop,
    shutdown_clears_every_name,
    a_failed_start_never_leaves_its_name_taken,
    registering_and_looking_up_race_stops,
    one_of_many_racing_registers_wins_the_name,
);
