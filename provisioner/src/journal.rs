//! The step journal of one provision or destroy ([`Run`]): each step is logged with its
//! duration, a failure becomes "step X failed, steps Y were done", and the finished run is
//! a [`Report`] (what the CLI prints and `serve` answers). A caller may also observe each
//! step as it finishes ([`observe`]): the operator turns them into conditions and Events
//! without knowing the step list, so a step added to provision or destroy shows up there
//! by itself.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::provisioner::Provisioner;
use crate::tenant::Tenant;

/// One finished step.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// Step name.
    pub step: &'static str,
    /// How long it took.
    pub millis: u128,
    /// What it did (`created`, `reused`, `3 objects`, …).
    pub detail: String,
}

/// What a provision or destroy did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The tenant.
    pub tenant: Tenant,
    /// `provision` or `destroy`.
    pub action: &'static str,
    /// Steps in order.
    pub steps: Vec<StepReport>,
    /// Total time.
    pub millis: u128,
}

/// A step as an observer sees it: done (`Ok(detail)`) or failed (`Err(message)`).
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// `provision` or `destroy`.
    pub action: &'static str,
    /// Step name.
    pub step: &'static str,
    /// How long it took.
    pub millis: u128,
    /// The detail, or the error's message.
    pub result: std::result::Result<String, String>,
}

/// Where observed steps are collected.
pub type StepLog = Arc<Mutex<Vec<StepOutcome>>>;

tokio::task_local! {
    static OBSERVER: StepLog;
}

/// Runs `fut` with every step of every [`Run`] inside it appended to `log`.
pub async fn observe<F: std::future::Future>(log: StepLog, fut: F) -> F::Output {
    OBSERVER.scope(log, fut).await
}

fn record(outcome: StepOutcome) {
    let _ = OBSERVER.try_with(|log| {
        if let Ok(mut log) = log.lock() {
            log.push(outcome);
        }
    });
}

/// The journal of one provision or destroy.
pub(crate) struct Run {
    tenant: Tenant,
    action: &'static str,
    fail_at: Option<String>,
    started: Instant,
    steps: Vec<StepReport>,
}

impl Run {
    pub(crate) fn new(p: &Provisioner, tenant: &Tenant, action: &'static str) -> Self {
        Run {
            tenant: tenant.clone(),
            action,
            fail_at: p.fail_at.clone(),
            started: Instant::now(),
            steps: Vec::new(),
        }
    }

    /// Runs one step: logs it with its duration, or wraps its error with what was done.
    pub(crate) async fn step<T, F>(&mut self, step: &'static str, fut: F) -> Result<T>
    where
        F: std::future::Future<Output = Result<(T, String)>>,
    {
        let start = Instant::now();
        let result = if self.fail_at.as_deref() == Some(step) {
            Err(Error::invalid("fail_at", "failure injected for a test"))
        } else {
            fut.await
        };
        let millis = start.elapsed().as_millis();
        let tenant = &self.tenant.username;
        match result {
            Ok((value, detail)) => {
                record(StepOutcome {
                    action: self.action,
                    step,
                    millis,
                    result: Ok(detail.clone()),
                });
                tracing::info!(
                    tenant,
                    action = self.action,
                    step,
                    millis,
                    detail,
                    "step done"
                );
                self.steps.push(StepReport {
                    step,
                    millis,
                    detail,
                });
                Ok(value)
            }
            Err(e) => {
                record(StepOutcome {
                    action: self.action,
                    step,
                    millis,
                    result: Err(e.to_string()),
                });
                // Under the operator a wait that is not over yet is a requeue, not news.
                let requeue =
                    matches!(e, Error::Timeout { .. }) && OBSERVER.try_with(|_| ()).is_ok();
                if requeue {
                    tracing::debug!(tenant, action = self.action, step, millis, error = %e, "not yet; requeued");
                } else {
                    tracing::warn!(tenant, action = self.action, step, millis, error = %e, "step failed");
                }
                let done: Vec<&str> = self.steps.iter().map(|s| s.step).collect();
                Err(Error::Step {
                    step,
                    done: done.join(", "),
                    source: Box::new(e),
                })
            }
        }
    }

    pub(crate) fn finish(self) -> Report {
        let millis = self.started.elapsed().as_millis();
        tracing::info!(
            tenant = self.tenant.username,
            action = self.action,
            millis,
            "finished"
        );
        Report {
            tenant: self.tenant,
            action: self.action,
            steps: self.steps,
            millis,
        }
    }
}
