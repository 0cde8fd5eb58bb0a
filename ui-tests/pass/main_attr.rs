// `#[tractor::main]` with a crash policy and a `Result`; the runtime is shut
// down when `main` returns, on the error path too.
use std::sync::atomic::{AtomicUsize, Ordering};

use tractor::prelude::*;

static CRASHES: AtomicUsize = AtomicUsize::new(0);

struct Quiet;

impl CrashPolicy for Quiet {
    fn on_crash(&self, _crash: &Crash) {
        CRASHES.fetch_add(1, Ordering::SeqCst);
    }
}

#[derive(Actor)]
struct Fragile;

#[actor]
impl Fragile {
    #[message]
    pub fn boom(&mut self) {
        panic!("boom");
    }
}

#[tractor::main(crash_policy = Quiet)]
async fn main(runtime: Runtime) -> Result<(), tractor::Error> {
    std::panic::set_hook(Box::new(|_| {})); // the panic below is expected
    let fragile = runtime.spawn(Fragile);
    let error = fragile.boom().await.unwrap_err();
    assert!(error.is_panicked());
    fragile.wait().await; // the policy has been told once the actor is gone
    assert_eq!(CRASHES.load(Ordering::SeqCst), 1);
    Ok(())
}
