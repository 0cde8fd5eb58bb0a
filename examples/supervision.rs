//! Supervision: a group of a flaky connection and a cache, restarted
//! together (`OneForAll`) each time the connection crashes, behind refs the
//! client keeps using; a group inside a group, so that when the inner one
//! crashes too often it fails and the outer one restarts it; and at last the
//! outer limit trips and everything stops for good.
//!
//! Run it with `cargo run --example supervision`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tractor::prelude::*;

/// The connection: crashes on every third query, whichever instance runs.
struct Connection {
    instance: u32,
    queries: Arc<AtomicU32>,
}

impl Actor for Connection {
    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        println!("connection #{}: up", self.instance);
        Ok(())
    }
}

#[actor]
impl Connection {
    #[message]
    fn query(&mut self, key: u32) -> String {
        if self.queries.fetch_add(1, Ordering::SeqCst) % 3 == 2 {
            panic!("connection reset while reading key {key}");
        }
        format!("row {key} (via connection #{})", self.instance)
    }
}

/// A cache of rows, restarted empty with the connection (`OneForAll`).
#[derive(Actor, Default)]
struct Cache {
    rows: HashMap<u32, String>,
}

#[actor]
impl Cache {
    #[message]
    fn put(&mut self, key: u32, row: String) {
        self.rows.insert(key, row);
    }

    #[message]
    fn size(&self) -> usize {
        self.rows.len()
    }
}

/// Prints every crash, and whether a restart follows.
fn report(crash: &Crash) {
    let actor = crash.actor_type().rsplit("::").next().unwrap_or_default();
    let next = if crash.will_restart() { "restart follows" } else { "no restart" };
    println!("  crash: {actor} {}: {} ({next})", crash.actor_id(), crash.panic_message());
}

#[tractor::main(crash_policy = report)]
async fn main(runtime: Runtime) {
    // tractor catches every panic and the crash policy reports them; std's
    // default hook would print each one again with a backtrace.
    std::panic::set_hook(Box::new(|_| {}));

    let queries = Arc::new(AtomicU32::new(0));
    let instances = Arc::new(AtomicU32::new(0));

    // The outer group allows one restart a minute; the backend two.
    let top = runtime.supervisor(Strategy::OneForOne).max_restarts(1, Duration::from_secs(60));
    let backend = top.child_group(Strategy::OneForAll).max_restarts(2, Duration::from_secs(60));
    let connection: ActorRef<Connection> = backend.child({
        let (queries, instances) = (queries.clone(), instances.clone());
        move || Connection { instance: instances.fetch_add(1, Ordering::SeqCst) + 1, queries: queries.clone() }
    });
    let cache: ActorRef<Cache> = backend.child(Cache::default);
    let _backend = backend.spawn();
    let top = top.spawn();

    // The client holds the same two refs from start to end.
    let mut answered = 0;
    let mut failed = 0;
    for key in 1.. {
        match connection.query(key).await {
            Ok(row) => {
                answered += 1;
                cache.put(key, row.clone()).tell().await.ok();
                println!("client: key {key} -> {row}; cache holds {}", cache.size().await.unwrap_or(0));
            }
            Err(e) if e.is_panicked() => {
                failed += 1;
                println!("client: key {key} failed ({e}); keeping my refs");
            }
            Err(e) => {
                println!("client: key {key}: {e}: the system is down");
                break;
            }
        }
    }
    println!("top group stopped: {}", top.wait().await);
    println!("client: {answered} answered, {failed} failed, {} connections built", instances.load(Ordering::SeqCst));
    println!("done: {} actors still running", runtime.actor_count());
}
