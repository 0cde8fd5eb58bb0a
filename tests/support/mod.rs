//! Shared helpers for the integration tests: bounded awaits and an event log.
#![allow(dead_code, unreachable_pub)]

use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Awaits `fut`, failing the test if it takes longer than ten seconds: a hang
/// is a failure, never a stuck CI.
pub async fn within<F: IntoFuture>(fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), fut).await.expect("timed out: something hung")
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
