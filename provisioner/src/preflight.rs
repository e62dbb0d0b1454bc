//! Checks run before a provision or destroy touches anything: that the order's guid is
//! this tenant's (and no other tenant's), that the username neither collides with nor
//! shadows an existing namespace, and that no Gitea user, namespace, LiteLLM key, Keycloak
//! user or OpenShift User of the tenant's names exists that the provisioner did not create. A failed check is
//! [`Error::Invalid`] (the username can never work) or [`Error::Conflict`] (something of
//! someone else's is in the way); nothing has been created or changed.

use serde_json::Value;

use crate::desired::{self, CREATED_BY_LABEL, FIELD_MANAGER, GUID_LABEL, TENANT_LABEL};
use crate::error::{Error, Result};
use crate::provisioner::Provisioner;
use crate::state::TenantState;
use crate::tenant::Tenant;

impl Provisioner {
    /// The tenant's state Secret, if there is one.
    pub async fn stored_state(&self, t: &Tenant) -> Result<Option<TenantState>> {
        let found = self
            .cluster
            .get(
                "v1",
                "Secret",
                Some(&self.settings.control_namespace),
                &desired::state_secret_name(t),
            )
            .await?;
        Ok(found.as_ref().map(TenantState::from_secret))
    }

    /// Refuses an order whose guid is not the one this tenant was provisioned with (in its
    /// state, or on its namespaces). Returns the stored state.
    pub async fn check_guid(&self, t: &Tenant) -> Result<Option<TenantState>> {
        let state = self.stored_state(t).await?;
        let mut recorded: Vec<String> = state
            .iter()
            .map(|s| s.guid.clone())
            .filter(|g| !g.is_empty())
            .collect();
        for ns in t.namespaces() {
            if let Some(obj) = self.cluster.get("v1", "Namespace", None, &ns).await?
                && obj["metadata"]["labels"][TENANT_LABEL] == t.username.as_str()
                && let Some(g) = obj["metadata"]["labels"][GUID_LABEL].as_str()
            {
                recorded.push(g.to_string());
            }
        }
        if recorded.iter().any(|g| *g != t.guid) {
            return Err(Error::conflict(
                "guid",
                format!(
                    "tenant {} belongs to another order (guid); nothing was changed",
                    t.username
                ),
            ));
        }
        Ok(state)
    }

    /// Every check a new or resumed order must pass before anything is created.
    pub async fn preflight(&self, t: &Tenant) -> Result<()> {
        let state = self.check_guid(t).await?;
        self.check_guid_unused(t).await?;
        self.check_namespaces(t).await?;
        let per_tenant = self.settings.gitea.mode == crate::features::GiteaMode::PerTenant;
        if per_tenant {
            self.check_own_namespace(t, crate::gitea_instance::COMPONENT)
                .await?;
        }
        if let Some(gitea) = self.gitea.as_ref().filter(|_| !per_tenant)
            && let Some(id) = gitea.user_id(&t.username).await?
            && !self.owns_gitea_user(t, state.as_ref(), id).await?
        {
            return Err(Error::conflict(
                "username",
                format!(
                    "Gitea user {} exists and was not created by this provisioner for \
                     this tenant; it is left untouched",
                    t.username
                ),
            ));
        }
        if let Some(llm) = &self.llm {
            llm.check_alias(&t.key_alias(), &t.username).await?;
        }
        if self.settings.showroom.enabled {
            self.check_showroom(t).await?;
        }
        if self.settings.identity.enabled {
            let domain = self.domain().await?;
            self.check_identity(t, state.as_ref(), &domain).await?;
        }
        Ok(())
    }

    /// Whether the Gitea user `t.username`, of id `id`, is the one the provisioner created
    /// for this tenant: its id is the one the state recorded, or (a state of an older
    /// version, or a run that stopped before recording the id) the state's generated
    /// password authenticates as it, which nobody else can know.
    pub async fn owns_gitea_user(
        &self,
        t: &Tenant,
        state: Option<&TenantState>,
        id: i64,
    ) -> Result<bool> {
        self.owns_gitea_user_on(self.require_gitea()?, t, state, id)
            .await
    }

    /// [`Self::owns_gitea_user`] on a given Gitea (the tenant's own instance).
    pub(crate) async fn owns_gitea_user_on(
        &self,
        gitea: &crate::gitea::Gitea,
        t: &Tenant,
        state: Option<&TenantState>,
        id: i64,
    ) -> Result<bool> {
        let Some(state) = state else {
            return Ok(false);
        };
        if !state.gitea_user_id.is_empty() {
            return Ok(state.gitea_user_id == id.to_string());
        }
        let password = crate::config::Secret::new(state.gitea_password.clone());
        gitea.password_works(&t.username, &password).await
    }

    /// No other tenant's state carries this guid (its key alias would be shared).
    async fn check_guid_unused(&self, t: &Tenant) -> Result<()> {
        let selector = format!(
            "{GUID_LABEL}={},app.kubernetes.io/managed-by={FIELD_MANAGER}",
            t.guid
        );
        let secrets = self
            .cluster
            .list(
                "v1",
                "Secret",
                Some(&self.settings.control_namespace),
                &selector,
            )
            .await?;
        let taken = secrets
            .iter()
            .any(|s| s["metadata"]["labels"][TENANT_LABEL] != t.username.as_str());
        if taken {
            return Err(Error::conflict(
                "guid",
                format!("guid {} is another tenant's order", t.guid),
            ));
        }
        Ok(())
    }

    /// The username against every namespace of the cluster: the tenant's own must be
    /// absent or made by us for it (or, without `createNamespaces`, not another
    /// tenant's); no cluster namespace `openshift-<u>` / `kube-<u>` may exist; no other
    /// tenant's namespace may end in `-<u>`, and `<u>` must not end in `-<v>` for another
    /// tenant `v` (`bob` and `alice-bob` would make `*-bob` names ambiguous).
    async fn check_namespaces(&self, t: &Tenant) -> Result<()> {
        let u = &t.username;
        let control = &self.settings.control_namespace;
        if t.owns_namespace(control) {
            return Err(Error::invalid(
                "--username",
                format!("{u:?} would make {control} a tenant namespace"),
            ));
        }
        let suffix = format!("-{u}");
        for ns in self.cluster.list("v1", "Namespace", None, "").await? {
            let name = ns["metadata"]["name"].as_str().unwrap_or_default();
            let owner = ns["metadata"]["labels"][TENANT_LABEL].as_str();
            if t.owns_namespace(name) {
                check_own_namespace(self.settings.create_namespaces, t, name, &ns)?;
                continue;
            }
            let system = ["openshift-", "kube-"]
                .iter()
                .any(|p| name.strip_prefix(p) == Some(u.as_str()));
            if system {
                return Err(Error::invalid(
                    "--username",
                    format!("{u:?} is the name of the cluster namespace {name}"),
                ));
            }
            let Some(v) = owner.filter(|v| *v != u.as_str()) else {
                continue;
            };
            if name.ends_with(&suffix) || u.ends_with(&format!("-{v}")) {
                return Err(Error::invalid(
                    "--username",
                    format!("{u:?} and another tenant, {v:?}, would have ambiguous names ({name})"),
                ));
            }
        }
        Ok(())
    }
}

/// One of the tenant's own namespace names that exists already: with `createNamespaces`
/// it must be one the provisioner made for this tenant (never adopted); otherwise (the
/// Sandbox API made it) it must not be labelled as another tenant's.
fn check_own_namespace(create: bool, t: &Tenant, name: &str, ns: &Value) -> Result<()> {
    let labels = &ns["metadata"]["labels"];
    let owner = labels[TENANT_LABEL].as_str();
    if owner.is_some_and(|o| o != t.username) {
        return Err(Error::conflict(
            "username",
            format!("namespace {name} belongs to another tenant"),
        ));
    }
    if create && (labels[CREATED_BY_LABEL] != FIELD_MANAGER || owner != Some(&t.username)) {
        return Err(Error::conflict(
            "username",
            format!(
                "namespace {name} exists and was not created by this provisioner for {}; \
                 it is not adopted",
                t.username
            ),
        ));
    }
    Ok(())
}
