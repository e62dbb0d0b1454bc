//! Retries with exponential backoff and jitter for calls that may fail transiently
//! (409 conflicts, 429 throttling, 5xx, transport errors), bounded in attempts.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::error::Result;

/// How often and how long to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in total (≥ 1).
    pub attempts: u32,
    /// First delay.
    pub base: Duration,
    /// Longest delay.
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
    /// Runs `op` until it succeeds, fails permanently, or the attempts are used up.
    pub async fn run<T, F, Fut>(&self, what: &str, mut op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempt = 1;
        loop {
            match op().await {
                Ok(v) => return Ok(v),
                Err(e) if e.is_transient() && attempt < self.attempts => {
                    let delay = self.delay(attempt);
                    tracing::debug!(what, attempt, ?delay, error = %e, "transient failure, retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn delay(&self, attempt: u32) -> Duration {
        let exp = self.base.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.cap);
        let jitter = rand::rng().random_range(0.5..1.0);
        capped.mul_f64(jitter)
    }
}
