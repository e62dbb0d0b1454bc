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
        self.require_gitea()?;
        self.require_llm()?;
        let mut run = Run::new(self, tenant, "provision");
        let domain = run
            .step("domain", async {
                self.domain().await.map(|d| (d.clone(), d))
            })
            .await?;
        let (litemaas_url, gitea_url) = (self.litemaas_url(), self.gitea_url());
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
        run.step("appproject", async {
            let project = vec![desired::app_project(c)];
            match self.mode {
                Mode::Bootstrap => self.apply_all(project).await,
                // Direct mode needs no Argo CD: a cluster without it is fine.
                Mode::Direct => self.apply_optional_kind(project).await,
            }
        })
        .await?;
        self.gitea_steps(&mut run, c, &mut state).await?;
        state.llm_key = run.step("llm-key", self.llm_key(c, &state)).await?;
        let plan = planned_objects(c, &state, Mode::Bootstrap, &[]);
        run.step("secrets", self.apply_all(objects_of(&plan, "secrets")))
            .await?;
        run.step("scc", self.apply_optional_kind(objects_of(&plan, "scc")))
            .await?;
        run.step("deploy", self.deploy(c, objects_of(&plan, "deploy")))
            .await?;
        run.step("wait", wait::ready(self, tenant)).await?;
        run.step("userinfo", self.apply_all(objects_of(&plan, "userinfo")))
            .await?;
        Ok(run.finish())
    }

    /// The Gitea user, its repository and the MCP server's token (kept in the state).
    async fn gitea_steps(&self, run: &mut Run, c: &Ctx<'_>, state: &mut TenantState) -> Result<()> {
        let gitea = self.require_gitea()?;
        let user = &c.tenant.username;
        let password = Secret::new(state.gitea_password.clone());
        run.step("gitea-user", async {
            gitea.ensure_user(user, &password).await?;
            Ok(((), "created or updated".to_string()))
        })
        .await?;
        run.step("gitea-repo", async {
            let s = &self.settings;
            gitea
                .ensure_repo(user, &s.repo_name, &s.repo_source, &s.broken_file)
                .await?;
            Ok(((), format!("{user}/{} with main and broken", s.repo_name)))
        })
        .await?;
        let current = state.clone();
        state.gitea_token = run
            .step("gitea-token", async {
                let held = Secret::new(current.gitea_token.clone());
                if gitea.token_works(user, &held).await? {
                    return Ok((current.gitea_token.clone(), "reused".to_string()));
                }
                let token = gitea.rotate_token(user, &password).await?;
                let mut next = current.clone();
                next.gitea_token = token.expose().to_string();
                self.save_state(c, &next).await?;
                Ok((next.gitea_token, "issued".to_string()))
            })
            .await?;
        Ok(())
    }

    /// The tenant's LiteLLM key: reused while valid, else (re)generated and saved.
    async fn llm_key(&self, c: &Ctx<'_>, state: &TenantState) -> Result<(String, String)> {
        let t = c.tenant;
        let alias = t.key_alias();
        let req = KeyRequest {
            alias: &alias,
            guid: &t.guid,
            user: &t.username,
            models: &self.settings.models,
            duration: &self.settings.key_duration,
        };
        let held = Secret::new(state.llm_key.clone());
        let (key, fresh) = self.require_llm()?.ensure_key(&req, &held).await?;
        let mut next = state.clone();
        next.llm_key = key.expose().to_string();
        if fresh {
            self.save_state(c, &next).await?;
        }
        let detail = if fresh { "generated" } else { "reused" };
        Ok((next.llm_key, detail.to_string()))
    }

    /// The bootstrap Application, or in direct mode the rendered charts.
    async fn deploy(&self, c: &Ctx<'_>, bootstrap: Vec<Value>) -> Result<((), String)> {
        match self.mode {
            Mode::Bootstrap => self.apply_all(bootstrap).await,
            Mode::Direct => self.apply_all(self.render_charts(c).await?).await,
        }
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
