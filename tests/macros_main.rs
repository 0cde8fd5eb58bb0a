//! `#[tractor::main]` generates a plain `fn` that builds tokio and a
//! `Runtime`, runs the body and shuts the runtime down however it ends.
//! These tests call such functions directly.

use std::sync::atomic::{AtomicUsize, Ordering};

use tractor::prelude::*;

/// Counts its own `on_stop` calls in the static it is given.
struct Probe(&'static AtomicUsize);

impl Actor for Probe {
    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

static STOPPED_OK: AtomicUsize = AtomicUsize::new(0);

#[tractor::main]
async fn returns_a_value(runtime: Runtime) -> usize {
    let _a = runtime.spawn(Probe(&STOPPED_OK));
    let _b = runtime.spawn(Probe(&STOPPED_OK));
    runtime.actor_count()
}

#[test]
fn runs_the_body_and_shuts_the_runtime_down_when_it_returns() {
    assert_eq!(returns_a_value(), 2);
    assert_eq!(STOPPED_OK.load(Ordering::SeqCst), 2);
}

static STOPPED_ERR: AtomicUsize = AtomicUsize::new(0);

#[tractor::main]
async fn returns_an_error(runtime: Runtime) -> Result<(), String> {
    let _probe = runtime.spawn(Probe(&STOPPED_ERR));
    Err("failed".to_string())?;
    unreachable!()
}

#[test]
fn shuts_down_on_the_error_path_too() {
    assert_eq!(returns_an_error(), Err("failed".to_string()));
    assert_eq!(STOPPED_ERR.load(Ordering::SeqCst), 1);
}

static STOPPED_PANIC: AtomicUsize = AtomicUsize::new(0);

#[tractor::main]
async fn panics(runtime: Runtime) {
    let _probe = runtime.spawn(Probe(&STOPPED_PANIC));
    tokio::task::yield_now().await;
    panic!("main panicked");
}

#[test]
fn shuts_down_then_resumes_a_panic() {
    let panic = std::panic::catch_unwind(panics).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"main panicked"));
    assert_eq!(STOPPED_PANIC.load(Ordering::SeqCst), 1);
}

static CRASHES: AtomicUsize = AtomicUsize::new(0);

struct CountCrashes;

impl CrashPolicy for CountCrashes {
    fn on_crash(&self, _crash: &Crash) {
        CRASHES.fetch_add(1, Ordering::SeqCst);
    }
}

#[derive(Actor)]
struct Fragile;

#[actor]
impl Fragile {
    #[message]
    fn boom(&mut self) {
        panic!("boom");
    }
}

#[tractor::main(crash_policy = CountCrashes)]
async fn with_policy(runtime: Runtime) -> Result<(), tractor::Error> {
    let fragile = runtime.spawn(Fragile);
    let limit = std::time::Duration::from_secs(10);
    assert!(tokio::time::timeout(limit, fragile.boom()).await.expect("the ask hung").unwrap_err().is_panicked());
    tokio::time::timeout(limit, fragile.wait()).await.expect("wait() hung");
    Ok(())
}

#[test]
fn crash_policy_reaches_the_runtime_builder() {
    with_policy().unwrap();
    assert_eq!(CRASHES.load(Ordering::SeqCst), 1);
}

#[tractor::main]
async fn runs_on_a_multi_thread_runtime(_runtime: Runtime) -> tokio::runtime::RuntimeFlavor {
    tokio::runtime::Handle::current().runtime_flavor()
}

#[test]
fn the_runtime_is_multi_threaded() {
    assert_eq!(runs_on_a_multi_thread_runtime(), tokio::runtime::RuntimeFlavor::MultiThread);
}
