//! Shared by `messaging.rs`, `forwarding.rs` and `mailboxes.rs`: a timeout
//! for every await, and a macro running one test body on both tokio flavors.
// Each test crate uses its own subset of these helpers.
#![allow(dead_code, unused_imports, unused_macros)]

use std::future::{Future, IntoFuture};
use std::panic::Location;
use std::time::Duration;

/// How long any single await in a test may take before it counts as a hang.
pub(crate) const LIMIT: Duration = Duration::from_secs(10);

/// Awaits `fut` for at most [`LIMIT`]; a hang fails the test, naming the
/// line of the `within` call.
#[track_caller]
pub(crate) fn within<F: IntoFuture>(fut: F) -> impl Future<Output = F::Output> {
    let caller = Location::caller();
    let fut = fut.into_future();
    async move {
        match tokio::time::timeout(LIMIT, fut).await {
            Ok(out) => out,
            Err(_) => panic!("hung for {LIMIT:?}: the await at {caller} never finished"),
        }
    }
}

/// `flavors!(a, b)` turns each `async fn a()` into two tests, `a::current_thread`
/// and `a::multi_thread` (two workers), so `cargo test a` runs both.
macro_rules! flavors {
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
pub(crate) use flavors;
