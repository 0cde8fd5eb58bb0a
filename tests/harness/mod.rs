//! Helpers shared by the reliability suites (`stress`, `races`, `scale`,
//! `model`, `faults`, `soak`): quiet expected panics, read resident memory,
//! wait a bounded time for the runtime's own bookkeeping.
// Each test crate uses its own subset of these helpers.
#![allow(dead_code, unreachable_pub)]

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use tractor::prelude::*;

/// Every panic these suites provoke carries this marker in its text.
pub const EXPECTED: &str = "(expected)";

/// Keeps the panics the tests provoke on purpose (their text contains
/// [`EXPECTED`]) out of the output; every other panic still prints through
/// the previous hook. Hundreds of expected backtraces would bury a real one.
pub fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let text = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("");
            if !text.contains(EXPECTED) {
                previous(info);
            }
        }));
    });
}

/// A crash policy that only counts: the default one logs every crash.
#[derive(Clone, Default, Debug)]
pub struct CountCrashes(pub std::sync::Arc<AtomicUsize>);

impl CountCrashes {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl CrashPolicy for CountCrashes {
    fn on_crash(&self, _crash: &Crash) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Resident set size of this process in bytes, from `/proc/self/statm`
/// (Linux; 4 KiB pages).
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("statm has an RSS field");
    pages * 4096
}

/// Yields until `done()` holds, for at most five seconds; returns whether it
/// held. Only for runtime bookkeeping that finishes a few instructions after
/// the event a test can await: a JoinHandle wakes before tokio drops the task
/// from its alive count, and `on_stop` runs just before the live count drops.
pub async fn settle(mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::task::yield_now().await;
    }
    done()
}
