//! The provisioner's one backoff policy, on the `backon` crate: exponential delays with
//! jitter for calls that may fail transiently (409 conflicts, 429 throttling, 5xx,
//! transport errors), bounded in attempts ([`RetryPolicy::run`]), and the growing poll
//! interval of the readiness waits ([`poll_intervals`]). Every retry and every wait of the
//! provisioner takes its delays from here.

use std::future::Future;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder, Retryable};

use crate::error::Result;

/// How often and how long to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in total (≥ 1).
    pub attempts: u32,
    /// First delay (the first retry waits between `base` and twice `base`).
    pub base: Duration,
    /// Longest delay (a retry waits at most `cap`).
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(3),
        }
    }
}

impl RetryPolicy {
    /// The delays between attempts: `base · 2ⁿ` with a jitter of up to as much again (so
    /// never two tenants in lock step), at most `cap`, `attempts - 1` of them.
    pub fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::new()
            .with_min_delay(self.base)
            .with_factor(2.0)
            // the jitter adds up to the delay itself: half the cap keeps every wait ≤ cap
            .with_max_delay(self.cap / 2)
            .with_max_times(self.attempts.saturating_sub(1) as usize)
            .with_jitter()
    }

    /// Runs `op` until it succeeds, fails permanently, or the attempts are used up.
    pub async fn run<T, F, Fut>(&self, what: &str, op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        op.retry(self.backoff())
            .sleep(tokio::time::sleep)
            .when(|e| e.is_transient())
            .notify(|e, delay| {
                tracing::debug!(what, ?delay, error = %e, "transient failure, retrying");
            })
            .await
    }
}

/// The poll intervals of a readiness wait: `base` first, then half as long again each
/// time up to four times `base` (cheap for the API server when hundreds of tenants wait
/// at once, still prompt for one), without end (the wait's deadline ends it).
pub fn poll_intervals(base: Duration) -> impl Iterator<Item = Duration> {
    ExponentialBuilder::new()
        .with_min_delay(base)
        .with_factor(1.5)
        .with_max_delay(base * 4)
        .without_max_times()
        .build()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::error::Error;

    fn policy(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            attempts,
            base: Duration::from_millis(1),
            cap: Duration::from_millis(4),
        }
    }

    fn transient() -> Error {
        Error::Remote {
            service: "gitea",
            action: "GET /test".into(),
            status: 503,
            body: String::new(),
        }
    }

    #[test]
    fn delays_grow_stay_under_the_cap_and_stop_after_the_attempts() {
        let p = RetryPolicy {
            attempts: 6,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(3),
        };
        let delays: Vec<Duration> = p.backoff().build().collect();
        assert_eq!(delays.len(), 5, "{delays:?}");
        assert!(delays[0] >= p.base && delays[0] <= p.base * 2, "{delays:?}");
        assert!(delays.iter().all(|d| *d <= p.cap), "{delays:?}");
        assert!(delays[3] >= Duration::from_millis(800), "{delays:?}");
    }

    #[test]
    fn poll_intervals_grow_to_four_times_the_base_and_go_on() {
        let base = Duration::from_millis(100);
        let got: Vec<Duration> = poll_intervals(base).take(8).collect();
        assert_eq!(got[0], base);
        assert!(got[1] > base && got[1] < base * 2, "{got:?}");
        assert_eq!(got[7], base * 4, "{got:?}");
        assert!(got.windows(2).all(|w| w[0] <= w[1]), "{got:?}");
    }

    #[tokio::test]
    async fn retries_transient_failures_until_the_attempts_are_used_up() {
        let calls = AtomicU32::new(0);
        let out: Result<()> = policy(3)
            .run("test", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(transient())
            })
            .await;
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_permanent_failure_is_not_retried_and_a_success_ends_the_retries() {
        let calls = AtomicU32::new(0);
        let out: Result<()> = policy(5)
            .run("test", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(Error::invalid("field", "bad"))
            })
            .await;
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let calls = AtomicU32::new(0);
        let out = policy(5)
            .run("test", || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => Err(transient()),
                    n => Ok(n),
                }
            })
            .await;
        assert_eq!(out.ok(), Some(2));
    }
}
