//! Closed-loop load: N workers each repeat one operation until the cell's time is up; the
//! result counts what completed and keeps every latency for percentiles.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What one load cell measured.
#[derive(Debug, Clone, Default)]
pub struct Load {
    /// Operations that succeeded.
    pub done: u64,
    /// Operations that failed (not counted in the rate).
    pub failed: u64,
    /// Wall time from the start to the last worker's end.
    pub elapsed: Duration,
    /// The successful operations' latencies, sorted.
    pub latencies: Vec<Duration>,
    /// The first failure, to say why.
    pub first_error: Option<String>,
}

impl Load {
    /// Successful operations per second.
    pub fn per_second(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-quantile latency (0.5 = median) in milliseconds; 0 without samples.
    pub fn quantile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() - 1) as f64 * p.clamp(0.0, 1.0)).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }

    /// An error when nothing succeeded (a figure of zero would mislead).
    pub fn check(self, what: &str) -> anyhow::Result<Self> {
        if self.done == 0 {
            anyhow::bail!(
                "{what}: no operation succeeded ({} failed; first error: {})",
                self.failed,
                self.first_error.as_deref().unwrap_or("none")
            );
        }
        Ok(self)
    }
}

/// When a load cell ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// After this long (an operation started before the end completes, so each worker
    /// does at least one).
    For(Duration),
    /// After this many operations in all (at least one).
    Runs(u64),
}

/// Runs `op(worker, i)` in a loop on every worker for `cell`.
pub async fn closed_loop<W, F, Fut>(workers: Vec<W>, cell: Duration, op: F) -> Load
where
    W: Send + Sync + 'static,
    F: Fn(Arc<W>, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    closed_loop_until(workers, Budget::For(cell), op).await
}

/// Runs `op(worker, i)` in a loop on every worker until the budget is spent.
pub async fn closed_loop_until<W, F, Fut>(workers: Vec<W>, budget: Budget, op: F) -> Load
where
    W: Send + Sync + 'static,
    F: Fn(Arc<W>, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let op = Arc::new(op);
    let started = Instant::now();
    let issued = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|worker| {
            let (worker, op, issued) = (Arc::new(worker), op.clone(), issued.clone());
            tokio::spawn(async move {
                let mut load = Load::default();
                loop {
                    let i = issued.fetch_add(1, Ordering::Relaxed);
                    if let Budget::Runs(runs) = budget
                        && i >= runs.max(1)
                    {
                        return load;
                    }
                    let t = Instant::now();
                    match op(worker.clone(), i).await {
                        Ok(()) => {
                            load.done += 1;
                            load.latencies.push(t.elapsed());
                        }
                        Err(err) => {
                            load.failed += 1;
                            load.first_error.get_or_insert_with(|| format!("{err:#}"));
                        }
                    }
                    if let Budget::For(cell) = budget
                        && started.elapsed() >= cell
                    {
                        return load;
                    }
                }
            })
        })
        .collect();
    let mut total = Load::default();
    for task in tasks {
        match task.await {
            Ok(load) => {
                total.done += load.done;
                total.failed += load.failed;
                total.latencies.extend(load.latencies);
                if total.first_error.is_none() {
                    total.first_error = load.first_error;
                }
            }
            Err(err) => {
                total.failed += 1;
                total.first_error.get_or_insert_with(|| err.to_string());
            }
        }
    }
    total.elapsed = started.elapsed();
    total.latencies.sort();
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_worker_completes_and_rates_count_successes_only() {
        let load = closed_loop(vec![0u8; 4], Duration::from_millis(30), |_, i| async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if i % 2 == 1 {
                anyhow::bail!("odd");
            }
            Ok(())
        })
        .await;
        assert!(load.done >= 4, "{load:?}");
        assert!(load.failed >= 1, "{load:?}");
        assert_eq!(load.latencies.len() as u64, load.done);
        assert!(load.quantile_ms(0.5) >= 5.0);
        assert!(load.per_second() > 0.0);
        assert_eq!(load.first_error.as_deref(), Some("odd"));
    }

    #[tokio::test]
    async fn a_run_budget_does_exactly_that_many_operations() {
        let load = closed_loop_until(vec![(); 3], Budget::Runs(10), |_, _| async { Ok(()) }).await;
        assert_eq!((load.done, load.failed), (10, 0));
    }
}
