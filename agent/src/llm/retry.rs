//! The retry policy of LLM calls, on `backon`.
//!
//! A retryable failure ([`LlmError::is_retryable`]: rate limits, 5xx, timeouts, transport
//! errors) is tried again after an exponential backoff: `initial` first, doubling, never more
//! than [`MAX_BACKOFF`], at most `max_retries` times. A usable `Retry-After` from the server
//! (already clamped by [`super::retry_after`]) replaces the computed delay. Each delay gets
//! up to 10 % jitter, so many runs that failed together do not come back together. A retry
//! whose delay would reach the run's deadline is not made: the error is returned at once.
//! Budget, auth and rejected requests are never retried.

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use tokio::time::Instant;

use crate::error::LlmError;

/// The longest computed backoff (a server's `Retry-After` may ask for more).
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// How often and how long to wait between tries.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryPolicy {
    /// The first delay.
    pub(crate) initial: Duration,
    /// Retries after the first try.
    pub(crate) max_retries: u32,
}

impl RetryPolicy {
    /// Runs `call` until it succeeds, fails for good, runs out of retries, or the next delay
    /// would pass `deadline`; returns its last result.
    pub(crate) async fn run<T, F, Fut>(self, deadline: Instant, call: F) -> Result<T, LlmError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, LlmError>>,
    {
        let mut attempt = 0u32;
        call.retry(self.backoff())
            .sleep(tokio::time::sleep)
            .when(LlmError::is_retryable)
            .adjust(|error, backoff| delay(error, backoff?, deadline))
            .notify(|error, delay| {
                attempt += 1;
                let error = failure_analysis::redact::redact(&error.to_string()).text;
                let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                tracing::warn!(attempt, delay_ms, error = %error, "LLM call failed, retrying");
            })
            .await
    }
}

impl RetryPolicy {
    /// The computed delays, before `Retry-After` and jitter.
    fn backoff(self) -> ExponentialBuilder {
        ExponentialBuilder::new()
            .with_min_delay(self.initial.min(MAX_BACKOFF))
            .with_factor(2.0)
            .with_max_delay(MAX_BACKOFF)
            .with_max_times(usize::try_from(self.max_retries).unwrap_or(usize::MAX))
    }
}

/// The wait before the next try: the server's `Retry-After` or the backoff, plus jitter;
/// `None` (give up) when it would reach `deadline`.
fn delay(error: &LlmError, backoff: Duration, deadline: Instant) -> Option<Duration> {
    let delay = error.retry_after().unwrap_or(backoff);
    let tenth = u64::try_from(delay.as_millis() / 10).unwrap_or(u64::MAX);
    let delay = delay.saturating_add(Duration::from_millis(rand::random_range(0..=tenth)));
    (Instant::now() + delay < deadline).then_some(delay)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn server_error(retry_after: Option<Duration>) -> LlmError {
        LlmError::Server {
            status: 503,
            message: "busy".into(),
            retry_after,
        }
    }

    /// Tries that fail with `error` until `failures` have, then succeed; counts the tries.
    async fn flaky(
        policy: RetryPolicy,
        deadline: Instant,
        failures: u32,
        error: fn() -> LlmError,
    ) -> (Result<(), LlmError>, u32) {
        let tries = AtomicU32::new(0);
        let result = policy
            .run(deadline, || async {
                if tries.fetch_add(1, Ordering::SeqCst) < failures {
                    Err(error())
                } else {
                    Ok(())
                }
            })
            .await;
        (result, tries.load(Ordering::SeqCst))
    }

    #[test]
    fn delays_double_from_the_first_up_to_the_cap_and_are_bounded_in_number() {
        use backon::BackoffBuilder;
        let policy = RetryPolicy {
            initial: Duration::from_secs(2),
            max_retries: 4,
        };
        let delays: Vec<Duration> = policy.backoff().build().collect();
        let secs = |s: &[u64]| {
            s.iter()
                .map(|&s| Duration::from_secs(s))
                .collect::<Vec<_>>()
        };
        assert_eq!(delays, secs(&[2, 4, 8, 8]));
        let slow = RetryPolicy {
            initial: Duration::from_secs(20),
            max_retries: 2,
        };
        assert_eq!(slow.backoff().build().collect::<Vec<_>>(), secs(&[8, 8]));
        let none = RetryPolicy {
            max_retries: 0,
            ..policy
        };
        assert_eq!(none.backoff().build().count(), 0);
    }

    #[tokio::test]
    async fn retries_until_the_limit_then_returns_the_last_error() {
        let policy = RetryPolicy {
            initial: Duration::from_millis(5),
            max_retries: 3,
        };
        let start = Instant::now();
        let far = start + Duration::from_secs(60);
        let (result, tries) = flaky(policy, far, 10, || server_error(None)).await;
        assert!(matches!(result, Err(LlmError::Server { .. })));
        assert_eq!(tries, 4, "one try and three retries");
        // 5 + 10 + 20 ms at least.
        assert!(start.elapsed() >= Duration::from_millis(35));
    }

    #[tokio::test]
    async fn a_retry_after_replaces_the_backoff_and_success_ends_the_loop() {
        let policy = RetryPolicy {
            initial: Duration::from_millis(1),
            max_retries: 3,
        };
        let start = Instant::now();
        let far = start + Duration::from_secs(60);
        let retry_after = || server_error(Some(Duration::from_millis(300)));
        let (result, tries) = flaky(policy, far, 1, retry_after).await;
        assert!(result.is_ok());
        assert_eq!(tries, 2);
        assert!(start.elapsed() >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn no_retry_past_the_deadline_nor_for_final_errors() {
        let policy = RetryPolicy {
            initial: Duration::from_millis(1),
            max_retries: 3,
        };
        let start = Instant::now();
        let near = start + Duration::from_secs(5);
        let retry_after = || server_error(Some(Duration::from_secs(60)));
        let (result, tries) = flaky(policy, near, 1, retry_after).await;
        assert!(result.is_err());
        assert_eq!(tries, 1, "a 60 s Retry-After would pass the deadline");
        assert!(start.elapsed() < Duration::from_secs(1));
        let (result, tries) = flaky(policy, near, 1, || LlmError::BudgetExceeded {
            message: "Budget has been exceeded".into(),
        })
        .await;
        assert!(matches!(result, Err(LlmError::BudgetExceeded { .. })));
        assert_eq!(tries, 1, "budget errors are never retried");
    }
}
