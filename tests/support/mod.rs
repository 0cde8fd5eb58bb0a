//! Shared helpers for the integration tests: bounded awaits and an event log.
#![allow(dead_code, unreachable_pub)]

use std::future::{Future, IntoFuture};
use std::panic::Location;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long any single await in a test may take before it counts as a hang.
pub const LIMIT: Duration = Duration::from_secs(10);

/// Awaits `fut` for at most [`LIMIT`]: a hang is a failure naming the line of
/// the `within` call, never a stuck CI.
#[track_caller]
pub fn within<F: IntoFuture>(fut: F) -> impl Future<Output = F::Output> {
    let caller = Location::caller();
    let fut = fut.into_future();
    async move {
        match tokio::time::timeout(LIMIT, fut).await {
            Ok(out) => out,
            Err(_) => panic!("hung for {LIMIT:?}: the await at {caller} never finished"),
        }
    }
}

/// An ordered, shared log of what happened, for asserting on order.
#[derive(Clone, Default, Debug)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }

    pub fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    pub fn count(&self, event: &str) -> usize {
        self.0.lock().unwrap().iter().filter(|e| *e == event).count()
    }
}

/// Runs one async test body on both tokio flavors: current-thread and
/// multi-thread with two workers.
#[macro_export]
macro_rules! on_both_runtimes {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "current_thread")]
                async fn current_thread() {
                    super::$name().await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn multi_thread() {
                    super::$name().await
                }
            }
        )*
    };
}

/// Which clock a test body runs on (see [`on_both_clocks`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Clock {
    /// Current-thread runtime, `start_paused`: times are exact.
    Paused,
    /// Multi-thread runtime, real time: times are lower bounds.
    Real,
}

/// Runs each body (an `async fn(Clock)`) on the paused current-thread clock
/// and on the real-time multi-thread runtime. The test file imports
/// `support::Clock`.
#[macro_export]
macro_rules! on_both_clocks {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "current_thread", start_paused = true)]
                async fn current_thread_paused_clock() {
                    super::$name(super::Clock::Paused).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn multi_thread() {
                    super::$name(super::Clock::Real).await
                }
            }
        )*
    };
}
