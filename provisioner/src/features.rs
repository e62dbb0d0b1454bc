//! Settings of the tenant's optional parts (`--values` keys `identity`, `showroom`,
//! `gitea`): the attendee's Keycloak user and OpenShift login, the lab guide, and where the
//! tenant's Gitea lives (the shared instance, or one of its own made by the Gitea
//! operator). Each has an off switch; the defaults keep today's tenant.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// `identity`: the attendee's Keycloak (RHBK) user, and the OpenShift `User` and
/// `Identity` it logs in as.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentitySettings {
    /// Create the Keycloak user (off by default).
    pub enabled: bool,
    /// The realm of the attendees (`sso`).
    pub realm: String,
    /// Keycloak's root URL when `KEYCLOAK_URL` is not set (default `https://sso.<domain>`).
    pub url: Option<String>,
    /// `namespace/name` of the Secret with keys `username` and `password` used when
    /// `KEYCLOAK_ADMIN_PASSWORD` is not set (RHBK's `keycloak/keycloak-initial-admin`).
    pub admin_secret: String,
    /// The OpenShift OAuth identity provider backed by the realm (`rhbk`): identities are
    /// `<provider>:<keycloak user id>`.
    pub provider: String,
    /// The attendee's email is `<u>@<emailDomain>` when set (else none).
    pub email_domain: Option<String>,
    /// Also create the OpenShift `User` and `Identity` (so RoleBindings to the user bind
    /// someone before the first login).
    pub openshift_user: bool,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        IdentitySettings {
            enabled: false,
            realm: "sso".into(),
            url: None,
            admin_secret: "keycloak/keycloak-initial-admin".into(),
            provider: "rhbk".into(),
            email_domain: None,
            openshift_user: true,
        }
    }
}

impl IdentitySettings {
    /// The admin Secret as (namespace, name).
    pub fn admin_secret_ref(&self) -> Result<(&str, &str)> {
        self.admin_secret
            .split_once('/')
            .filter(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'))
            .ok_or_else(|| Error::invalid("identity.adminSecret", "must be namespace/name"))
    }

    /// Keycloak's root URL for apps domain `domain`.
    pub fn url_for(&self, domain: &str) -> String {
        self.url
            .clone()
            .unwrap_or_else(|| format!("https://sso.{domain}"))
    }

    fn validate(&self) -> Result<()> {
        let segment = |field: &str, v: &str| {
            let ok = !v.is_empty()
                && v.len() <= 100
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if ok {
                Ok(())
            } else {
                Err(Error::invalid(
                    field,
                    format!("{v:?}: letters, digits, '-', '_' only"),
                ))
            }
        };
        segment("identity.realm", &self.realm)?;
        segment("identity.provider", &self.provider)?;
        self.admin_secret_ref()?;
        if let Some(d) = &self.email_domain
            && (d.is_empty() || d.contains(['@', '/', ' ']))
        {
            return Err(Error::invalid(
                "identity.emailDomain",
                format!("{d:?} is not a domain"),
            ));
        }
        if let Some(u) = &self.url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(Error::invalid("identity.url", "must be an http(s) URL"));
        }
        Ok(())
    }
}

/// `showroom`: the lab guide in `showroom-<u>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ShowroomSettings {
    /// Deploy the guide (off by default).
    pub enabled: bool,
    /// The guide's content repository (Antora).
    pub content_repo: String,
    /// Its branch or tag.
    pub content_ref: String,
}

impl Default for ShowroomSettings {
    fn default() -> Self {
        ShowroomSettings {
            enabled: false,
            content_repo: "https://github.com/rhpds/lb1726-mcp-showroom".into(),
            content_ref: "main".into(),
        }
    }
}

/// Where the tenant's Gitea user lives.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub enum GiteaMode {
    /// The cluster's one Gitea (`GITEA_URL`).
    #[default]
    Shared,
    /// A Gitea of the tenant's own, made by the Gitea operator in `gitea-<u>`.
    PerTenant,
}

/// `gitea`: the mode and, per tenant, the Gitea operator's CR.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct GiteaSettings {
    /// `shared` (default) or `perTenant`.
    pub mode: GiteaMode,
    /// `giteaImage`.
    pub image: String,
    /// `giteaImageTag`.
    pub image_tag: String,
    /// `giteaVolumeSize`.
    pub volume_size: String,
    /// `postgresqlVolumeSize`.
    pub postgresql_volume_size: String,
    /// `giteaAdminUser` of the tenant's instance.
    pub admin_user: String,
    /// `giteaSsl`: the instance's Route is https.
    pub ssl: bool,
}

impl Default for GiteaSettings {
    fn default() -> Self {
        GiteaSettings {
            mode: GiteaMode::Shared,
            image: "quay.io/rhpds/gitea".into(),
            image_tag: "1.25.4".into(),
            volume_size: "4Gi".into(),
            postgresql_volume_size: "4Gi".into(),
            admin_user: "gitea-admin".into(),
            ssl: true,
        }
    }
}

/// Checks the three groups.
pub(crate) fn validate(identity: &IdentitySettings, gitea: &GiteaSettings) -> Result<()> {
    identity.validate()?;
    if gitea.admin_user.is_empty() || gitea.admin_user.len() > 40 {
        return Err(Error::invalid("gitea.adminUser", "1 to 40 characters"));
    }
    Ok(())
}
