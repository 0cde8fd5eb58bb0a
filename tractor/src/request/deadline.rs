//! [`Deadline`]: the one way a request's timeout is kept.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use tokio::time::Sleep;

/// An optional point in time past which a request gives up. Costs a pointer
/// when unset; the timer is allocated only when a timeout is set.
pub(crate) struct Deadline(Option<Pin<Box<Sleep>>>);

impl Deadline {
    /// `timeout` from now, or never.
    pub(crate) fn after(timeout: Option<Duration>) -> Self {
        Deadline(timeout.map(|d| Box::pin(tokio::time::sleep(d))))
    }

    /// `true` once the time is up; registers `cx` to be woken then.
    pub(crate) fn poll_expired(&mut self, cx: &mut TaskContext<'_>) -> bool {
        self.0.as_mut().is_some_and(|sleep| sleep.as_mut().poll(cx).is_ready())
    }

    /// Runs `fut` until it is done or the time is up (then `expired()`).
    /// `fut` is polled first, as `tokio::time::timeout` does.
    pub(crate) async fn bound<T, E>(
        mut self,
        fut: impl Future<Output = Result<T, E>>,
        expired: impl FnOnce() -> E,
    ) -> Result<T, E> {
        let mut fut = pin!(fut);
        let mut expired = Some(expired);
        poll_fn(|cx| {
            if let Poll::Ready(out) = fut.as_mut().poll(cx) {
                return Poll::Ready(out);
            }
            if self.poll_expired(cx) {
                let expired = expired.take().expect("a finished bound is not polled again");
                return Poll::Ready(Err(expired()));
            }
            Poll::Pending
        })
        .await
    }
}
