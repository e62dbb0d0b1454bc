//! One reconcile pass of a Tenant: bad input → an `Invalid` status naming the field and
//! nothing created; expired → the Tenant is deleted; being deleted → the provisioner's
//! destroy behind the finalizer; otherwise the finalizer is ensured and the provisioner's
//! idempotent provision runs. Waits are single checks: "not ready yet" requeues. The steps
//! that ran become the status conditions and Events.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kube::api::{Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event, EventType, Recorder};
use kube::{Api, Client, Resource, ResourceExt};
use serde_json::json;

use super::conditions::{self, Computed};
use super::crd::{FINALIZER, ObjectRef, Tenant, TenantStatus};
use super::limits::Limits;
use super::metrics::Metrics;
use super::profile::{Profiles, Resolved};
use crate::desired;
use crate::error::Error;
use crate::journal::{StepLog, StepOutcome, observe};

/// How often things are looked at again.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// While waiting for controllers (Applications, workloads, deletions).
    pub poll: Duration,
    /// After a failure that may pass.
    pub retry: Duration,
    /// A Ready Tenant is checked again for drift this often.
    pub resync: Duration,
}

/// What every reconcile shares.
pub struct Context {
    /// The cluster.
    pub client: Client,
    /// Tenant → provisioner.
    pub profiles: Profiles,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Events on Tenants.
    pub recorder: Recorder,
    /// Rate limits toward the shared services.
    pub limits: Limits,
    /// Intervals.
    pub timing: Timing,
}

/// A failure the controller retries (writing the Tenant itself failed).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReconcileError(#[from] pub Error);

fn kube_err(action: impl Into<String>) -> impl FnOnce(kube::Error) -> ReconcileError {
    let action = action.into();
    move |source| ReconcileError(Error::Kube { action, source })
}

/// The pass.
pub async fn reconcile(t: Arc<Tenant>, ctx: Arc<Context>) -> Result<Action, ReconcileError> {
    if t.meta().deletion_timestamp.is_some() {
        return finalize(&t, &ctx).await;
    }
    if let Err(e) = Profiles::check_spec(&t) {
        return invalid(&t, &ctx, &e).await;
    }
    let resolved = match ctx.profiles.resolve(&t).await {
        Ok(r) => r,
        Err(e @ Error::Invalid { .. }) => return invalid(&t, &ctx, &e).await,
        Err(e) => return failed(&t, &ctx, "provision", &e, &[]).await,
    };
    if let Some(at) = resolved.expires_at
        && at <= jiff::Timestamp::now()
    {
        tracing::info!(tenant = t.name_any(), "expired; deleting");
        publish(
            &ctx,
            &t,
            EventType::Normal,
            "Expired",
            "expiresAt passed; destroying",
        )
        .await;
        Api::<Tenant>::all(ctx.client.clone())
            .delete(&t.name_any(), &Default::default())
            .await
            .map_err(kube_err("delete expired Tenant"))?;
        return Ok(Action::await_change());
    }
    ensure_finalizer(&t, &ctx).await?;
    ctx.limits.acquire(t.spec.identity.enabled).await;
    let log: StepLog = Arc::new(Mutex::new(Vec::new()));
    let result = observe(
        log.clone(),
        resolved.provisioner.provision(&resolved.tenant),
    )
    .await;
    let steps = take(&log);
    match result {
        Ok(_) => ready(&t, &ctx, &resolved, &steps).await,
        Err(e) => failed(&t, &ctx, "provision", &e, &steps).await,
    }
}

/// The Tenant is going: destroy, then drop the finalizer.
async fn finalize(t: &Tenant, ctx: &Context) -> Result<Action, ReconcileError> {
    if !t.finalizers().iter().any(|f| f == FINALIZER) {
        return Ok(Action::await_change());
    }
    let resolved = match ctx.profiles.resolve(t).await {
        Ok(r) => r,
        Err(e) => return failed(t, ctx, "destroy", &e, &[]).await,
    };
    ctx.limits.acquire(t.spec.identity.enabled).await;
    let log: StepLog = Arc::new(Mutex::new(Vec::new()));
    let result = observe(log.clone(), resolved.provisioner.destroy(&resolved.tenant)).await;
    let steps = take(&log);
    match result {
        Ok(_) => {
            publish(
                ctx,
                t,
                EventType::Normal,
                "Destroyed",
                "every object of the tenant removed",
            )
            .await;
            let keep: Vec<String> = t
                .finalizers()
                .iter()
                .filter(|f| *f != FINALIZER)
                .cloned()
                .collect();
            patch_finalizers(t, ctx, keep).await?;
            ctx.metrics.reconciled("destroy", "deleted");
            Ok(Action::await_change())
        }
        Err(e) => failed(t, ctx, "destroy", &e, &steps).await,
    }
}

async fn ready(
    t: &Tenant,
    ctx: &Context,
    r: &Resolved,
    steps: &[StepOutcome],
) -> Result<Action, ReconcileError> {
    let ns = r.provisioner.settings.control_namespace.clone();
    let mut computed = conditions::from_steps(steps, false);
    computed.push(Computed::new(
        "Ready",
        "True",
        "Ready",
        "every step done".into(),
    ));
    let prev = t.status.clone().unwrap_or_default();
    let mut status = next_status(t, computed, "Ready");
    status.user_info = Some(ObjectRef {
        namespace: ns.clone(),
        name: desired::userinfo_name(&r.tenant),
    });
    status.credentials_secret = Some(ObjectRef {
        namespace: ns,
        name: desired::userinfo_name(&r.tenant),
    });
    if status.ready_at.is_none() {
        let now = jiff::Timestamp::now();
        status.ready_at = Some(now.to_string());
        if let Some(created) = &t.meta().creation_timestamp {
            let secs = now.duration_since(created.0).as_secs_f64();
            ctx.metrics.ready_after(secs.max(0.0));
        }
    }
    transition_events(ctx, t, &prev, &status, steps).await;
    write_status(t, ctx, &prev, status).await?;
    ctx.metrics.reconciled("provision", "ready");
    let mut after = ctx.timing.resync;
    if let Some(at) = r.expires_at {
        let left = at
            .duration_since(jiff::Timestamp::now())
            .as_secs_f64()
            .max(0.0);
        after = after.min(Duration::from_secs_f64(left) + Duration::from_millis(100));
    }
    Ok(Action::requeue(after))
}

/// A pass that did not finish: waiting for controllers, a failure that may pass, or one
/// that needs a person (a conflict).
async fn failed(
    t: &Tenant,
    ctx: &Context,
    action: &str,
    e: &Error,
    steps: &[StepOutcome],
) -> Result<Action, ReconcileError> {
    let waiting = matches!(e.root(), Error::Timeout { .. });
    let needs_person = matches!(e.root(), Error::Conflict { .. } | Error::Invalid { .. });
    let deleting = action == "destroy";
    let (phase, result, after) = if waiting {
        let phase = if deleting { "Deleting" } else { "Provisioning" };
        (phase, "waiting", ctx.timing.poll)
    } else if needs_person && !deleting {
        ("Failed", "error", ctx.timing.resync)
    } else {
        let phase = if deleting { "Deleting" } else { "Provisioning" };
        (phase, "error", ctx.timing.retry)
    };
    let mut computed = conditions::from_steps(steps, waiting);
    let reason = if waiting {
        "Waiting"
    } else if deleting {
        "DestroyFailed"
    } else {
        "StepFailed"
    };
    let message = if deleting && !waiting {
        format!("destroy: {e}")
    } else {
        e.to_string()
    };
    computed.push(Computed::new("Ready", "False", reason, message.clone()));
    let prev = t.status.clone().unwrap_or_default();
    let status = next_status(t, computed, phase);
    transition_events(ctx, t, &prev, &status, steps).await;
    if !waiting {
        tracing::warn!(tenant = t.name_any(), action, error = %e, "reconcile failed");
    }
    write_status(t, ctx, &prev, status).await?;
    ctx.metrics.reconciled(action, result);
    Ok(Action::requeue(after))
}

/// Bad input: the field named, nothing created, nothing retried until the spec changes.
async fn invalid(t: &Tenant, ctx: &Context, e: &Error) -> Result<Action, ReconcileError> {
    let prev = t.status.clone().unwrap_or_default();
    let computed = vec![Computed::new(
        "Ready",
        "False",
        "InvalidSpec",
        e.to_string(),
    )];
    let status = next_status(t, computed, "Invalid");
    if prev.phase.as_deref() != Some("Invalid")
        || !conditions::same(&prev.conditions, &status.conditions)
    {
        publish(ctx, t, EventType::Warning, "InvalidSpec", &e.to_string()).await;
    }
    write_status(t, ctx, &prev, status).await?;
    ctx.metrics.reconciled("validate", "invalid");
    // A missing profile may appear: look again now and then.
    Ok(Action::requeue(ctx.timing.resync))
}

fn next_status(t: &Tenant, computed: Vec<Computed>, phase: &str) -> TenantStatus {
    let prev = t.status.clone().unwrap_or_default();
    let now = jiff::Timestamp::now().to_string();
    let mut conds = conditions::merge(&prev.conditions, computed, &now);
    if phase == "Invalid" {
        conds.retain(|c| c.type_ == "Ready");
    }
    TenantStatus {
        observed_generation: t.meta().generation,
        phase: Some(phase.into()),
        conditions: conds,
        started_at: prev.started_at.clone().or(Some(now)),
        ready_at: if phase == "Ready" {
            prev.ready_at.clone()
        } else {
            None
        },
        ..prev
    }
}

/// Writes the status when it says something new (times and durations aside).
async fn write_status(
    t: &Tenant,
    ctx: &Context,
    prev: &TenantStatus,
    status: TenantStatus,
) -> Result<(), ReconcileError> {
    let unchanged = prev.phase == status.phase
        && prev.observed_generation == status.observed_generation
        && prev.user_info == status.user_info
        && prev.ready_at == status.ready_at
        && conditions::same(&prev.conditions, &status.conditions);
    if unchanged {
        return Ok(());
    }
    Api::<Tenant>::all(ctx.client.clone())
        .patch_status(
            &t.name_any(),
            &PatchParams::default(),
            &Patch::Merge(json!({ "status": status })),
        )
        .await
        .map_err(kube_err(format!("patch status of Tenant {}", t.name_any())))?;
    Ok(())
}

async fn ensure_finalizer(t: &Tenant, ctx: &Context) -> Result<(), ReconcileError> {
    if t.finalizers().iter().any(|f| f == FINALIZER) {
        return Ok(());
    }
    let mut list = t.finalizers().to_vec();
    list.push(FINALIZER.into());
    patch_finalizers(t, ctx, list).await
}

/// Sets the finalizer list, guarded by the resourceVersion read (a concurrent change fails
/// with 409 and the pass is retried).
async fn patch_finalizers(
    t: &Tenant,
    ctx: &Context,
    list: Vec<String>,
) -> Result<(), ReconcileError> {
    let patch =
        json!({ "metadata": { "finalizers": list, "resourceVersion": t.resource_version() } });
    Api::<Tenant>::all(ctx.client.clone())
        .patch(&t.name_any(), &PatchParams::default(), &Patch::Merge(patch))
        .await
        .map_err(kube_err(format!(
            "set finalizers of Tenant {}",
            t.name_any()
        )))?;
    Ok(())
}

/// One Event per step of each group whose condition changed, and one per failed step
/// whose message is new: `kubectl describe tenant` tells the story without repeating it
/// on every requeue.
async fn transition_events(
    ctx: &Context,
    t: &Tenant,
    prev: &TenantStatus,
    next: &TenantStatus,
    steps: &[StepOutcome],
) {
    for s in steps {
        let group = conditions::group_of(s.step);
        let before = prev.conditions.iter().find(|c| c.type_ == group);
        let after = next.conditions.iter().find(|c| c.type_ == group);
        let changed =
            before.map(|c| (&c.status, &c.message)) != after.map(|c| (&c.status, &c.message));
        let status_changed = before.map(|c| &c.status) != after.map(|c| &c.status);
        match &s.result {
            Ok(detail) if status_changed => {
                let note = format!("{} {}: {detail} ({} ms)", s.action, s.step, s.millis);
                publish(ctx, t, EventType::Normal, &conditions::camel(s.step), &note).await;
            }
            Err(e) if changed && after.is_some_and(|c| c.reason != "Waiting") => {
                let note = format!("{} {} failed: {e}", s.action, s.step);
                publish(
                    ctx,
                    t,
                    EventType::Warning,
                    &conditions::camel(s.step),
                    &note,
                )
                .await;
            }
            _ => {}
        }
    }
}

async fn publish(ctx: &Context, t: &Tenant, type_: EventType, reason: &str, note: &str) {
    let mut note = note.to_string();
    if note.len() > 1000 {
        let mut end = 1000;
        while !note.is_char_boundary(end) {
            end -= 1;
        }
        note.truncate(end);
    }
    let ev = Event {
        type_,
        reason: reason.chars().take(128).collect(),
        note: Some(note),
        action: "Reconcile".into(),
        secondary: None,
    };
    if let Err(e) = ctx.recorder.publish(&ev, &t.object_ref(&())).await {
        tracing::debug!(error = %e, "event not recorded");
    }
}

fn take(log: &StepLog) -> Vec<StepOutcome> {
    log.lock()
        .map(|mut l| std::mem::take(&mut *l))
        .unwrap_or_default()
}

/// The controller's retry after a pass that could not even write the Tenant.
pub fn error_policy(_t: Arc<Tenant>, e: &ReconcileError, ctx: Arc<Context>) -> Action {
    tracing::warn!(error = %e, "reconcile error");
    ctx.metrics.reconciled("write", "error");
    Action::requeue(ctx.timing.retry)
}
