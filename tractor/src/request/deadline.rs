//! [`Deadline`]: the one way a request's timeout is kept.

use std::future::Future;
use std::pin::Pin;
use std::task::Context as TaskContext;
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
}
