//! How often a supervised actor may be restarted, and how long to wait
//! before each restart.

use std::time::Duration;

use tokio::time::Instant;

/// At most `max` restarts within any `window`: one more and the actor (or
/// the group) stops for good. Erlang's intensity and period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limit {
    pub(crate) max: u32,
    pub(crate) window: Duration,
}

impl Limit {
    /// Erlang's default intensity is one restart in five seconds; tractor
    /// allows three, so that a burst of two crashes does not end an actor
    /// that is restarted on purpose.
    pub(crate) const DEFAULT: Limit = Limit { max: 3, window: Duration::from_secs(5) };
}

/// The restarts within the current window, oldest first (a `Vec`: at most
/// `max` of them, and 8 bytes smaller than a `VecDeque` in every supervised
/// actor's plan).
#[derive(Debug, Default)]
pub(crate) struct Log {
    at: Vec<Instant>,
}

impl Log {
    /// Counts a restart now, unless it would be one too many within
    /// `limit`'s window: then `None`, and the actor stops for good.
    /// Otherwise the number of restarts within the window, this one
    /// included.
    pub(crate) fn restart(&mut self, limit: Limit) -> Option<u32> {
        let now = Instant::now();
        self.at.retain(|t| now.duration_since(*t) < limit.window);
        if self.at.len() >= limit.max as usize {
            return None;
        }
        self.at.push(now);
        Some(self.at.len() as u32)
    }
}

/// Exponential backoff between restarts: `min` before the first restart in a
/// window, doubling with each further one, never more than `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub(crate) min: Duration,
    pub(crate) max: Duration,
}

impl Backoff {
    /// The wait before restart number `n` (1-based) within the window.
    pub(crate) fn delay(&self, n: u32) -> Duration {
        let doublings = n.saturating_sub(1).min(31);
        self.min.saturating_mul(1 << doublings).min(self.max)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_max() {
        let b = Backoff { min: Duration::from_millis(10), max: Duration::from_millis(50) };
        let delays: Vec<_> = (1..=5).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(delays, [10, 20, 40, 50, 50]);
        assert_eq!(b.delay(1000), Duration::from_millis(50));
    }

    #[tokio::test(start_paused = true)]
    async fn the_log_allows_max_restarts_per_window() {
        let limit = Limit { max: 2, window: Duration::from_secs(1) };
        let mut log = Log::default();
        assert_eq!(log.restart(limit), Some(1));
        assert_eq!(log.restart(limit), Some(2));
        assert_eq!(log.restart(limit), None, "a third restart within the window is one too many");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(log.restart(limit), Some(1), "the window moved on");
    }
}
