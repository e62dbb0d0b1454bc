//! Rate limits toward the shared services (Gitea, LiteLLM, Keycloak): a burst of orders
//! is spread out instead of hammering them. Each limit spaces *passes* (one provision or
//! destroy pass of one Tenant, a bounded handful of calls to the service) evenly at a
//! configured rate, with a small burst allowance.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Passes per second toward one service.
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    burst: u32,
    next: Mutex<Instant>,
}

impl RateLimit {
    /// `rate` passes per second (`None` for 0 or less: unlimited), `burst` of them at once.
    pub fn per_second(rate: f64, burst: u32) -> Option<Self> {
        if !rate.is_finite() || rate <= 0.0 {
            return None;
        }
        Some(RateLimit {
            interval: Duration::from_secs_f64(1.0 / rate),
            burst: burst.max(1),
            next: Mutex::new(Instant::now()),
        })
    }

    /// Waits for this pass's turn.
    pub async fn acquire(&self) {
        let start = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            // `next` runs ahead of now by one interval per pass; up to `burst` passes
            // may start before it catches up.
            let allowance = self.interval * (self.burst - 1);
            let start = now.max(next.checked_sub(allowance).unwrap_or(now));
            *next = (*next).max(now) + self.interval;
            start
        };
        tokio::time::sleep_until(start).await;
    }
}

/// The limits of every service.
#[derive(Debug, Default)]
pub struct Limits {
    /// Gitea.
    pub gitea: Option<RateLimit>,
    /// LiteLLM.
    pub llm: Option<RateLimit>,
    /// Keycloak (used by identity steps).
    pub keycloak: Option<RateLimit>,
}

impl Limits {
    /// Waits for a pass toward Gitea and LiteLLM (and Keycloak when `identity`).
    pub async fn acquire(&self, identity: bool) {
        for limit in [&self.gitea, &self.llm].into_iter().flatten() {
            limit.acquire().await;
        }
        if identity && let Some(k) = &self.keycloak {
            k.acquire().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_are_spaced_after_the_burst() {
        let limit = RateLimit::per_second(20.0, 2).unwrap();
        let start = Instant::now();
        for _ in 0..6 {
            limit.acquire().await;
        }
        // 2 at once, then 4 more at 50 ms each.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(190), "{took:?}");
        assert!(took < Duration::from_millis(1000), "{took:?}");
        assert!(RateLimit::per_second(0.0, 1).is_none());
    }
}
