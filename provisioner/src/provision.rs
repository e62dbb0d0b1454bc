//! `provision`: each step idempotent, logged with its duration, and safe to re-run after
//! a failure (credentials are kept in the tenant's state Secret, objects are applied
//! server-side, remote resources are created-or-reused).

use serde_json::{Value, json};

use crate::cluster::describe;
use crate::config::Secret;
use crate::desired::{self, RenderContext};
use crate::error::{Error, Result};
use crate::features::GiteaMode;
use crate::gitea::Gitea;
use crate::journal::{Report, Run};
use crate::litellm::KeyRequest;
use crate::provisioner::{Provisioner, planned_objects};
use crate::state::TenantState;
use crate::tenant::{COMPONENTS, Mode, Tenant};
use crate::wait;

impl Provisioner {
    /// Provisions `tenant` end to end (or resumes a half-done tenant).
    pub async fn provision(&self, tenant: &Tenant) -> Result<Report> {
        let per_tenant = self.settings.gitea.mode == GiteaMode::PerTenant;
        if !per_tenant {
            self.require_gitea()?;
        }
        self.require_llm()?;
        self.preflight(tenant).await?;
        let mut run = Run::new(self, tenant, "provision");
        let domain = run
            .step("domain", async {
                self.domain().await.map(|d| (d.clone(), d))
            })
            .await?;
        let (litemaas_url, gitea_url) = (self.litemaas_url(), self.gitea_url());
        let ctx = RenderContext {
            tenant,
            settings: &self.settings,
            domain: &domain,
            litemaas_url: &litemaas_url,
            gitea_url: &gitea_url,
        };
        let c = &ctx;
        run.step("namespaces", self.ensure_namespaces(c)).await?;
        let mut state = run.step("state", self.load_state(c)).await?;
        if self.settings.identity.enabled {
            state.keycloak_user_id = run
                .step("identity", self.ensure_identity(c, &state))
                .await?;
        }
        run.step("appproject", async {
            let project = vec![desired::app_project(c)];
            match self.mode {
                Mode::Bootstrap => self.apply_all(project).await,
                // Direct mode needs no Argo CD: a cluster without it is fine.
                Mode::Direct => self.apply_optional_kind(project).await,
            }
        })
        .await?;
        // The shared Gitea, or the tenant's own (whose URL the rest of the order uses).
        let own;
        let (gitea, gitea_url) = if per_tenant {
            own = run
                .step("gitea-instance", self.ensure_gitea_instance(c, &state))
                .await?;
            (&own.0, own.1.clone())
        } else {
            (self.require_gitea()?, gitea_url.clone())
        };
        let ctx = RenderContext {
            gitea_url: &gitea_url,
            ..ctx
        };
        let c = &ctx;
        self.gitea_steps(&mut run, c, &mut state, gitea).await?;
        state.llm_key = run.step("llm-key", self.llm_key(c, &state)).await?;
        let plan = planned_objects(c, &state, &[]);
        run.step("secrets", self.apply_all(objects_of(&plan, "secrets")))
            .await?;
        run.step("scc", self.apply_optional_kind(objects_of(&plan, "scc")))
            .await?;
        if self.settings.showroom.enabled {
            run.step("showroom", self.ensure_showroom(c, &state))
                .await?;
        }
        run.step("deploy", self.deploy(c)).await?;
        run.step("wait", wait::ready(self, tenant)).await?;
        run.step("userinfo", self.apply_all(objects_of(&plan, "userinfo")))
            .await?;
        Ok(run.finish())
    }

    /// The Gitea user, its repository and the MCP server's token (kept in the state).
    async fn gitea_steps(
        &self,
        run: &mut Run,
        c: &RenderContext<'_>,
        state: &mut TenantState,
        gitea: &Gitea,
    ) -> Result<()> {
        let user = &c.tenant.username;
        let password = Secret::new(state.gitea_password.clone());
        state.gitea_user_id = run
            .step("gitea-user", self.gitea_user(c, state, &password, gitea))
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

    /// The tenant's Gitea user: created (its id saved in the state at once), or, when the
    /// state says we created it, its password set again. A user of that name that we did
    /// not create is refused and left untouched.
    async fn gitea_user(
        &self,
        c: &RenderContext<'_>,
        state: &TenantState,
        password: &Secret,
        gitea: &Gitea,
    ) -> Result<(String, String)> {
        let user = &c.tenant.username;
        if let Some(id) = gitea.user_id(user).await? {
            if !self
                .owns_gitea_user_on(gitea, c.tenant, Some(state), id)
                .await?
            {
                return Err(foreign_user(user));
            }
            gitea.reset_password(user, password).await?;
            let mut next = state.clone();
            next.gitea_user_id = id.to_string();
            if next != *state {
                self.save_state(c, &next).await?;
            }
            return Ok((next.gitea_user_id, "ours; password set".into()));
        }
        let id = gitea
            .create_user(user, password)
            .await?
            .ok_or_else(|| foreign_user(user))?;
        let mut next = state.clone();
        next.gitea_user_id = id.to_string();
        self.save_state(c, &next).await?;
        Ok((next.gitea_user_id, "created".into()))
    }

    /// The tenant's LiteLLM key: reused while valid, else (re)generated and saved.
    async fn llm_key(
        &self,
        c: &RenderContext<'_>,
        state: &TenantState,
    ) -> Result<(String, String)> {
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

    /// The child Applications (after retiring an app-of-apps of an older version), or in
    /// direct mode the rendered charts.
    async fn deploy(&self, c: &RenderContext<'_>) -> Result<((), String)> {
        let objects = self.render_deploy(c).await?;
        let mut detail = String::new();
        if self.mode == Mode::Bootstrap && self.retire_legacy_bootstrap(c.tenant).await? {
            detail.push_str("legacy bootstrap Application removed (children kept); ");
        }
        let ((), applied) = self.apply_all(objects).await?;
        Ok(((), detail + &applied))
    }

    /// Deletes `bootstrap-tenant-<u>` (rendered from the tenant's own repository by older
    /// versions) without its cascade: its finalizer is dropped first, so the children we
    /// apply next are kept and taken over.
    async fn retire_legacy_bootstrap(&self, t: &Tenant) -> Result<bool> {
        let ns = &self.settings.control_namespace;
        let name = t.legacy_bootstrap_app();
        let api = "argoproj.io/v1alpha1";
        if self
            .cluster
            .get(api, "Application", Some(ns), &name)
            .await?
            .is_none()
        {
            return Ok(false);
        }
        self.cluster
            .merge_patch(
                api,
                "Application",
                Some(ns),
                &name,
                &json!({ "metadata": { "finalizers": [] } }),
            )
            .await?;
        self.cluster
            .delete(api, "Application", Some(ns), &name)
            .await
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
    async fn ensure_namespaces(&self, c: &RenderContext<'_>) -> Result<((), String)> {
        if c.settings.create_namespaces {
            // Created, never adopted: an existing namespace was checked to be ours by the
            // preflight, and one made since then makes the create fail.
            for comp in COMPONENTS {
                let ns = c.tenant.namespace(comp);
                if self
                    .cluster
                    .get("v1", "Namespace", None, &ns)
                    .await?
                    .is_none()
                {
                    self.cluster
                        .create(&desired::namespace(c.tenant, comp))
                        .await?;
                }
            }
            let plan = planned_objects(c, &TenantState::default(), &[]);
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
    async fn load_state(&self, c: &RenderContext<'_>) -> Result<(TenantState, String)> {
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
        state.guid = c.tenant.guid.clone();
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

    pub(crate) async fn save_state(
        &self,
        c: &RenderContext<'_>,
        state: &TenantState,
    ) -> Result<()> {
        self.cluster
            .apply(&desired::state_secret(c, state))
            .await
            .map(|_| ())
    }
}

fn foreign_user(user: &str) -> Error {
    Error::conflict(
        "username",
        format!(
            "Gitea user {user} exists and was not created by this provisioner for this tenant; it is left untouched"
        ),
    )
}

/// The objects the plan assigns to `step`.
pub(crate) fn objects_of(plan: &[(&'static str, Vec<Value>)], step: &str) -> Vec<Value> {
    plan.iter()
        .filter(|(s, _)| *s == step)
        .flat_map(|(_, objs)| objs.iter().cloned())
        .collect()
}
