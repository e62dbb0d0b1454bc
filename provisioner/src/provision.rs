//! `provision`: each step idempotent, logged with its duration, and safe to re-run after
//! a failure (credentials are kept in the tenant's state Secret, objects are applied
//! server-side, remote resources are created-or-reused).

use serde_json::Value;

use crate::cluster::describe;
use crate::config::Secret;
use crate::desired::{self, Ctx};
use crate::error::{Error, Result};
use crate::litellm::KeyRequest;
use crate::plan::{Provisioner, Report, Run, planned_objects};
use crate::state::TenantState;
use crate::tenant::{Mode, Tenant};
use crate::wait;

impl Provisioner {
    /// Provisions `tenant` end to end (or resumes a half-done tenant).
    pub async fn provision(&self, tenant: &Tenant) -> Result<Report> {
        let gitea = self.require_gitea()?;
        let llm = self.require_llm()?;
        let mut run = Run::new(self, tenant, "provision");
        let domain = run
            .step("domain", async {
                self.domain().await.map(|d| (d.clone(), d))
            })
            .await?;
        let litemaas_url = self.litemaas_url();
        let gitea_url = self.gitea_url();
        let ctx = Ctx {
            tenant,
            settings: &self.settings,
            domain: &domain,
            litemaas_url: &litemaas_url,
            gitea_url: &gitea_url,
        };
        let c = &ctx;
        run.step("namespaces", self.ensure_namespaces(c)).await?;
        let mut state = run.step("state", self.load_state(c)).await?;
        run.step("appproject", self.apply_all(vec![desired::app_project(c)]))
            .await?;
        let password = Secret::new(state.gitea_password.clone());
        run.step("gitea-user", async {
            gitea.ensure_user(&tenant.username, &password).await?;
            Ok(((), "created or updated".to_string()))
        })
        .await?;
        run.step("gitea-repo", async {
            let s = &self.settings;
            gitea
                .ensure_repo(
                    &tenant.username,
                    &s.repo_name,
                    &s.repo_source,
                    &s.broken_file,
                )
                .await?;
            Ok((
                (),
                format!("{}/{} with main and broken", tenant.username, s.repo_name),
            ))
        })
        .await?;
        state.gitea_token = run
            .step("gitea-token", async {
                let held = Secret::new(state.gitea_token.clone());
                if gitea.token_works(&tenant.username, &held).await? {
                    return Ok((state.gitea_token.clone(), "reused".to_string()));
                }
                let token = gitea.rotate_token(&tenant.username, &password).await?;
                let mut next = state.clone();
                next.gitea_token = token.expose().to_string();
                self.save_state(c, &next).await?;
                Ok((next.gitea_token, "issued".to_string()))
            })
            .await?;
        state.llm_key = run
            .step("llm-key", async {
                let req = KeyRequest {
                    alias: &tenant.key_alias(),
                    guid: &tenant.guid,
                    user: &tenant.username,
                    models: &self.settings.models,
                    duration: &self.settings.key_duration,
                };
                let (key, fresh) = llm
                    .ensure_key(&req, &Secret::new(state.llm_key.clone()))
                    .await?;
                let mut next = state.clone();
                next.llm_key = key.expose().to_string();
                if fresh {
                    self.save_state(c, &next).await?;
                }
                Ok((
                    next.llm_key,
                    if fresh { "generated" } else { "reused" }.to_string(),
                ))
            })
            .await?;
        let charts = match self.mode {
            Mode::Direct => self.render_charts(c).await?,
            Mode::Bootstrap => Vec::new(),
        };
        let plan = planned_objects(c, &state, self.mode, &charts);
        for step in ["secrets", "scc", "deploy"] {
            let objects = objects_of(&plan, step);
            if step == "scc" {
                run.step(step, self.apply_optional_kind(objects)).await?;
            } else {
                run.step(step, self.apply_all(objects)).await?;
            }
        }
        run.step("wait", wait::ready(self, tenant)).await?;
        run.step("userinfo", self.apply_all(objects_of(&plan, "userinfo")))
            .await?;
        Ok(run.finish())
    }

    /// Applies objects in order; the detail counts them.
    pub(crate) async fn apply_all(&self, objects: Vec<Value>) -> Result<((), String)> {
        for obj in &objects {
            self.cluster.apply(obj).await?;
        }
        Ok(((), format!("{} applied", objects.len())))
    }

    /// Like [`Self::apply_all`], but a kind the cluster does not serve (an SCC on plain
    /// Kubernetes) is skipped rather than an error.
    async fn apply_optional_kind(&self, objects: Vec<Value>) -> Result<((), String)> {
        let mut skipped = Vec::new();
        for obj in &objects {
            match self.cluster.apply(obj).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => skipped.push(describe(obj)),
                Err(e) => return Err(e),
            }
        }
        if skipped.is_empty() {
            Ok(((), format!("{} applied", objects.len())))
        } else {
            Ok((
                (),
                format!("kind not served, skipped: {}", skipped.join(", ")),
            ))
        }
    }

    /// Creates the tenant namespaces (when asked) or checks they exist.
    async fn ensure_namespaces(&self, c: &Ctx<'_>) -> Result<((), String)> {
        if c.settings.create_namespaces {
            let plan = planned_objects(c, &TenantState::default(), self.mode, &[]);
            return self.apply_all(objects_of(&plan, "namespaces")).await;
        }
        let mut missing = Vec::new();
        for ns in c.tenant.namespaces() {
            if self
                .cluster
                .get("v1", "Namespace", None, &ns)
                .await?
                .is_none()
            {
                missing.push(ns);
            }
        }
        if missing.is_empty() {
            Ok(((), "exist".into()))
        } else {
            Err(Error::invalid(
                "namespaces",
                format!(
                    "missing {} (set createNamespaces: true to create them)",
                    missing.join(", ")
                ),
            ))
        }
    }

    /// Reads the tenant's state Secret, generates what is missing, and saves it.
    async fn load_state(&self, c: &Ctx<'_>) -> Result<(TenantState, String)> {
        let name = desired::state_secret_name(c.tenant);
        let found = self
            .cluster
            .get("v1", "Secret", Some(&c.settings.control_namespace), &name)
            .await?;
        let mut state = found
            .as_ref()
            .map(TenantState::from_secret)
            .unwrap_or_default();
        let before = state.clone();
        state.fill_generated();
        if found.is_none() || state != before {
            self.save_state(c, &state).await?;
        }
        let detail = if found.is_some() {
            "reused"
        } else {
            "generated"
        };
        Ok((state, detail.into()))
    }

    async fn save_state(&self, c: &Ctx<'_>, state: &TenantState) -> Result<()> {
        self.cluster
            .apply(&desired::state_secret(c, state))
            .await
            .map(|_| ())
    }
}

/// The objects the plan assigns to `step`.
pub(crate) fn objects_of(plan: &[(&'static str, Vec<Value>)], step: &str) -> Vec<Value> {
    plan.iter()
        .filter(|(s, _)| *s == step)
        .flat_map(|(_, objs)| objs.iter().cloned())
        .collect()
}
