//! The attendee's identity (platform-contract.md §1): a Keycloak user in the realm behind
//! the cluster's OAuth provider, with the password generated once and kept in the tenant's
//! state, plus the OpenShift `User` `<u>` and `Identity` `<provider>:<keycloak id>` it logs
//! in as. Never adopted: a Keycloak user is ours only if the state holds its id (recorded
//! when we created it) or, for a state without one (a run stopped right after the create),
//! if the state's password - which nobody else knows - logs in as it; an OpenShift `User`
//! only if it carries our labels for this tenant or links our identity. Anything else of
//! that name is refused on provision and left alone by destroy.

use serde_json::{Value, json};

use crate::config::Secret;
use crate::desired::{CREATED_BY_LABEL, FIELD_MANAGER, GUID_LABEL, RenderContext, TENANT_LABEL};
use crate::error::{Error, Result};
use crate::keycloak::{Keycloak, KeycloakAccess, NewUser};
use crate::provisioner::Provisioner;
use crate::state::TenantState;
use crate::tenant::Tenant;

const USER_API: &str = "user.openshift.io/v1";

impl Provisioner {
    /// The Keycloak admin client: from the environment, else `identity.url` (or
    /// `https://sso.<domain>`) with the admin Secret `identity.adminSecret` read from
    /// the cluster (keys `username`, `password`).
    pub(crate) async fn keycloak(&self, domain: &str) -> Result<Keycloak> {
        if let Some(kc) = &self.keycloak {
            return Ok(kc.clone());
        }
        let s = &self.settings.identity;
        let (ns, name) = s.admin_secret_ref()?;
        let secret = self
            .cluster
            .get("v1", "Secret", Some(ns), name)
            .await?
            .ok_or(Error::MissingCredential("KEYCLOAK_ADMIN_PASSWORD"))?;
        let field = |key: &str| -> Option<String> {
            use base64::Engine;
            let value = match secret["data"][key].as_str() {
                Some(b64) => {
                    let raw = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
                    String::from_utf8(raw).ok()?
                }
                None => secret["stringData"][key].as_str()?.to_string(),
            };
            Some(value).filter(|v| !v.is_empty())
        };
        let password = field("password").ok_or_else(|| {
            Error::invalid(
                "identity.adminSecret",
                format!("{ns}/{name} has no key password"),
            )
        })?;
        Keycloak::new(KeycloakAccess {
            url: s.url_for(domain),
            admin_user: field("username").unwrap_or_else(|| "admin".into()),
            admin_password: Secret::new(password),
        })
    }

    /// Whether the Keycloak user `id` named `t.username` is the one we created for this
    /// tenant (see the module doc).
    pub(crate) async fn owns_keycloak_user(
        &self,
        kc: &Keycloak,
        t: &Tenant,
        state: Option<&TenantState>,
        id: &str,
    ) -> Result<bool> {
        let Some(state) = state else {
            return Ok(false);
        };
        if !state.keycloak_user_id.is_empty() {
            return Ok(state.keycloak_user_id == id);
        }
        let password = Secret::new(state.keycloak_password.clone());
        kc.password_works(&self.settings.identity.realm, &t.username, &password)
            .await
    }

    /// The identity step: the Keycloak user created (201) or, on 409, looked up, checked
    /// to be ours and its password set again; its id saved in the state; then the
    /// OpenShift `User` and `Identity`. Returns the Keycloak user id.
    pub(crate) async fn ensure_identity(
        &self,
        c: &RenderContext<'_>,
        state: &TenantState,
    ) -> Result<(String, String)> {
        let s = &self.settings.identity;
        let kc = self.keycloak(c.domain).await?;
        let t = c.tenant;
        let password = Secret::new(state.keycloak_password.clone());
        let email = s
            .email_domain
            .as_ref()
            .map(|d| format!("{}@{d}", t.username));
        let new_user = NewUser {
            username: &t.username,
            first_name: &t.username,
            last_name: "Attendee",
            email: email.as_deref(),
            password: &password,
        };
        let (id, mut detail) = match kc.create_user(&s.realm, &new_user).await? {
            Some(id) => (id, "created".to_string()),
            None => {
                let id = kc
                    .user_id(&s.realm, &t.username)
                    .await?
                    .ok_or_else(|| foreign_keycloak_user(t, "its email is another user's"))?;
                if !self.owns_keycloak_user(&kc, t, Some(state), &id).await? {
                    return Err(foreign_keycloak_user(t, "it exists"));
                }
                kc.reset_password(&s.realm, &id, &password).await?;
                (id, "exists (ours); password set".to_string())
            }
        };
        if state.keycloak_user_id != id {
            let mut next = state.clone();
            next.keycloak_user_id = id.clone();
            self.save_state(c, &next).await?;
        }
        if s.openshift_user {
            self.ensure_openshift_user(c, &id).await?;
            detail.push_str(&format!(
                "; User {} and Identity {}",
                t.username,
                identity_name(s.provider.as_str(), &id)
            ));
        }
        Ok((id, detail))
    }

    /// The OpenShift `User` (refused when one of that name is not ours) and `Identity`.
    async fn ensure_openshift_user(&self, c: &RenderContext<'_>, id: &str) -> Result<()> {
        let t = c.tenant;
        let provider = &self.settings.identity.provider;
        if let Some(user) = self
            .cluster
            .get(USER_API, "User", None, &t.username)
            .await?
            && !openshift_user_is_ours(&user, t, provider, id)
        {
            return Err(Error::conflict(
                "username",
                format!(
                    "OpenShift User {} exists and was not created for this tenant; it is not adopted",
                    t.username
                ),
            ));
        }
        let user = self.cluster.apply(&openshift_user(t, provider, id)).await?;
        let uid = user["metadata"]["uid"].as_str().unwrap_or_default();
        self.cluster
            .apply(&openshift_identity(t, provider, id, uid))
            .await?;
        Ok(())
    }

    /// Preflight: a Keycloak user or OpenShift `User` of the tenant's name that is not
    /// ours refuses the order before anything is created.
    pub(crate) async fn check_identity(
        &self,
        t: &Tenant,
        state: Option<&TenantState>,
        domain: &str,
    ) -> Result<()> {
        let s = &self.settings.identity;
        let kc = self.keycloak(domain).await?;
        let found = kc.user_id(&s.realm, &t.username).await?;
        if let Some(id) = &found
            && !self.owns_keycloak_user(&kc, t, state, id).await?
        {
            return Err(foreign_keycloak_user(t, "it exists"));
        }
        if s.openshift_user
            && let Some(user) = self
                .cluster
                .get(USER_API, "User", None, &t.username)
                .await?
        {
            let id = found.unwrap_or_default();
            if !openshift_user_is_ours(&user, t, &s.provider, &id) {
                return Err(Error::conflict(
                    "username",
                    format!(
                        "OpenShift User {} exists and is not this tenant's",
                        t.username
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Destroy: the Keycloak user (only ours), then the OpenShift `Identity` of our
    /// Keycloak id and the `User` (only ours). Already gone is done.
    pub(crate) async fn destroy_identity(
        &self,
        t: &Tenant,
        stored: Option<&TenantState>,
        domain: &str,
    ) -> Result<((), String)> {
        let s = &self.settings.identity;
        let kc = self.keycloak(domain).await?;
        let mut detail = Vec::new();
        let mut ours_id = stored
            .map(|st| st.keycloak_user_id.clone())
            .filter(|id| !id.is_empty());
        match kc.user_id(&s.realm, &t.username).await? {
            Some(id) if self.owns_keycloak_user(&kc, t, stored, &id).await? => {
                kc.delete_user(&s.realm, &id).await?;
                detail.push("Keycloak user deleted");
                ours_id = Some(id);
            }
            Some(_) => detail.push("Keycloak user not created by us, kept"),
            None => detail.push("Keycloak user absent"),
        }
        if let Some(id) = &ours_id {
            let name = identity_name(&s.provider, id);
            if self
                .cluster
                .delete(USER_API, "Identity", None, &name)
                .await?
            {
                detail.push("Identity deleted");
            }
        }
        if let Some(user) = self
            .cluster
            .get(USER_API, "User", None, &t.username)
            .await?
        {
            if openshift_user_is_ours(&user, t, &s.provider, ours_id.as_deref().unwrap_or("")) {
                self.cluster
                    .delete(USER_API, "User", None, &t.username)
                    .await?;
                detail.push("User deleted");
            } else {
                detail.push("User not ours, kept");
            }
        }
        Ok(((), detail.join("; ")))
    }
}

/// `<provider>:<keycloak id>`.
pub fn identity_name(provider: &str, id: &str) -> String {
    format!("{provider}:{id}")
}

/// Ours: labelled as created by the provisioner for this tenant (and order), or linked
/// to the identity of the Keycloak user we created (OpenShift made it at the first login).
fn openshift_user_is_ours(user: &Value, t: &Tenant, provider: &str, id: &str) -> bool {
    let labels = &user["metadata"]["labels"];
    let labelled = labels[CREATED_BY_LABEL] == FIELD_MANAGER
        && labels[TENANT_LABEL] == t.username.as_str()
        && labels[GUID_LABEL] == t.guid.as_str();
    let linked = !id.is_empty()
        && user["identities"].as_array().is_some_and(|ids| {
            ids.iter()
                .any(|i| i == identity_name(provider, id).as_str())
        });
    labelled || linked
}

fn ours_labels(t: &Tenant) -> Value {
    json!({ TENANT_LABEL: t.username, GUID_LABEL: t.guid, CREATED_BY_LABEL: FIELD_MANAGER,
        "app.kubernetes.io/managed-by": FIELD_MANAGER })
}

/// The OpenShift `User` of the attendee.
pub fn openshift_user(t: &Tenant, provider: &str, id: &str) -> Value {
    json!({ "apiVersion": USER_API, "kind": "User",
        "metadata": { "name": t.username, "labels": ours_labels(t) },
        "fullName": t.username,
        "identities": [identity_name(provider, id)] })
}

/// The OpenShift `Identity` `<provider>:<id>` mapped to the attendee's `User`.
pub fn openshift_identity(t: &Tenant, provider: &str, id: &str, user_uid: &str) -> Value {
    json!({ "apiVersion": USER_API, "kind": "Identity",
        "metadata": { "name": identity_name(provider, id), "labels": ours_labels(t) },
        "providerName": provider,
        "providerUserName": id,
        "user": { "name": t.username, "uid": user_uid },
        "extra": { "preferred_username": t.username } })
}

fn foreign_keycloak_user(t: &Tenant, why: &str) -> Error {
    Error::conflict(
        "username",
        format!(
            "Keycloak user {} was not created by this provisioner for this tenant ({why}); \
             it is left untouched",
            t.username
        ),
    )
}
