//! The provisioner's view of the cluster: server-side apply, get, list and delete of
//! any kind given as JSON, with kinds resolved once through discovery (so plural names
//! and scopes are the server's, not guessed) and transient failures retried.

use std::collections::HashMap;
use std::sync::Arc;

use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiResource, Scope};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::desired::FIELD_MANAGER;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// A resolved kind: the resource and whether it is namespaced.
type Kind = (ApiResource, bool);

/// A cheap-to-clone cluster handle shared by all steps and tenants.
#[derive(Clone)]
pub struct Cluster {
    client: Client,
    kinds: Arc<Mutex<HashMap<(String, String), Kind>>>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cluster")
    }
}

/// `Kind namespace/name` for logs and reports.
pub fn describe(obj: &Value) -> String {
    let kind = obj["kind"].as_str().unwrap_or("?");
    let name = obj["metadata"]["name"].as_str().unwrap_or("?");
    match obj["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

fn field<'a>(obj: &'a Value, path: &[&str], what: &str) -> Result<&'a str> {
    let mut v = obj;
    for p in path {
        v = &v[*p];
    }
    v.as_str()
        .ok_or_else(|| Error::invalid("object", format!("{what} missing in {}", describe(obj))))
}

impl Cluster {
    /// Wraps a client.
    pub fn new(client: Client) -> Self {
        Cluster {
            client,
            kinds: Arc::default(),
            retry: RetryPolicy::default(),
        }
    }

    async fn kind(&self, api_version: &str, kind: &str) -> Result<Kind> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(k) = self.kinds.lock().await.get(&key) {
            return Ok(k.clone());
        }
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let action = format!("discover {api_version} {kind}");
        let (ar, caps) = self
            .retry
            .run(&action, || async {
                kube::discovery::pinned_kind(&self.client, &gvk)
                    .await
                    .map_err(|source| Error::Kube {
                        action: action.clone(),
                        source,
                    })
            })
            .await?;
        let resolved = (ar, matches!(caps.scope, Scope::Namespaced));
        self.kinds.lock().await.insert(key, resolved.clone());
        Ok(resolved)
    }

    async fn api(
        &self,
        api_version: &str,
        kind: &str,
        ns: Option<&str>,
    ) -> Result<Api<DynamicObject>> {
        let (ar, namespaced) = self.kind(api_version, kind).await?;
        Ok(match (namespaced, ns) {
            (true, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, &ar),
            (true, None) => {
                return Err(Error::invalid(
                    "object",
                    format!("{kind} is namespaced but no namespace was given"),
                ));
            }
            (false, _) => Api::all_with(self.client.clone(), &ar),
        })
    }

    /// Server-side apply with the provisioner's field manager (forced: we own our fields).
    pub async fn apply(&self, obj: &Value) -> Result<Value> {
        let api_version = field(obj, &["apiVersion"], "apiVersion")?;
        let kind = field(obj, &["kind"], "kind")?;
        let name = field(obj, &["metadata", "name"], "metadata.name")?;
        let api = self
            .api(api_version, kind, obj["metadata"]["namespace"].as_str())
            .await?;
        let action = format!("apply {}", describe(obj));
        let params = PatchParams::apply(FIELD_MANAGER).force();
        let applied = self
            .retry
            .run(&action, || async {
                api.patch(name, &params, &Patch::Apply(obj))
                    .await
                    .map_err(|source| Error::Kube {
                        action: action.clone(),
                        source,
                    })
            })
            .await?;
        serde_json::to_value(applied).map_err(|e| Error::invalid("object", e.to_string()))
    }

    /// Creates the object; an existing one is an error (409), never taken over.
    pub async fn create(&self, obj: &Value) -> Result<Value> {
        let api_version = field(obj, &["apiVersion"], "apiVersion")?;
        let kind = field(obj, &["kind"], "kind")?;
        let api = self
            .api(api_version, kind, obj["metadata"]["namespace"].as_str())
            .await?;
        let object: DynamicObject = serde_json::from_value(obj.clone())
            .map_err(|e| Error::invalid("object", e.to_string()))?;
        let action = format!("create {}", describe(obj));
        let created = api
            .create(&PostParams::default(), &object)
            .await
            .map_err(|source| Error::Kube { action, source })?;
        serde_json::to_value(created).map_err(|e| Error::invalid("object", e.to_string()))
    }

    /// A JSON merge patch of one object.
    pub async fn merge_patch(
        &self,
        api_version: &str,
        kind: &str,
        ns: Option<&str>,
        name: &str,
        patch: &Value,
    ) -> Result<Value> {
        let api = self.api(api_version, kind, ns).await?;
        let action = format!("patch {kind} {}/{name}", ns.unwrap_or(""));
        let patched = self
            .retry
            .run(&action, || async {
                api.patch(name, &PatchParams::default(), &Patch::Merge(patch))
                    .await
                    .map_err(|source| Error::Kube {
                        action: action.clone(),
                        source,
                    })
            })
            .await?;
        serde_json::to_value(patched).map_err(|e| Error::invalid("object", e.to_string()))
    }

    /// The object, or `None` when it does not exist.
    pub async fn get(
        &self,
        api_version: &str,
        kind: &str,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>> {
        let api = self.api(api_version, kind, ns).await?;
        let action = format!("get {kind} {}/{name}", ns.unwrap_or(""));
        let got = self
            .retry
            .run(&action, || async {
                api.get_opt(name).await.map_err(|source| Error::Kube {
                    action: action.clone(),
                    source,
                })
            })
            .await?;
        got.map(serde_json::to_value)
            .transpose()
            .map_err(|e| Error::invalid("object", e.to_string()))
    }

    /// Objects of a kind, optionally in one namespace and matching a label selector.
    pub async fn list(
        &self,
        api_version: &str,
        kind: &str,
        ns: Option<&str>,
        selector: &str,
    ) -> Result<Vec<Value>> {
        let (ar, namespaced) = self.kind(api_version, kind).await?;
        let api: Api<DynamicObject> = match (namespaced, ns) {
            (true, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, &ar),
            _ => Api::all_with(self.client.clone(), &ar),
        };
        let action = format!("list {kind}");
        let lp = ListParams::default().labels(selector);
        let list = self
            .retry
            .run(&action, || async {
                api.list(&lp).await.map_err(|source| Error::Kube {
                    action: action.clone(),
                    source,
                })
            })
            .await?;
        list.items
            .into_iter()
            .map(|o| serde_json::to_value(o).map_err(|e| Error::invalid("object", e.to_string())))
            .collect()
    }

    /// Deletes (foreground for cascades); `false` when it was already gone.
    pub async fn delete(
        &self,
        api_version: &str,
        kind: &str,
        ns: Option<&str>,
        name: &str,
    ) -> Result<bool> {
        let api = self.api(api_version, kind, ns).await?;
        let action = format!("delete {kind} {}/{name}", ns.unwrap_or(""));
        let result = self
            .retry
            .run(&action, || async {
                api.delete(name, &DeleteParams::default())
                    .await
                    .map_err(|source| Error::Kube {
                        action: action.clone(),
                        source,
                    })
            })
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Deletes the object described by `obj` (its apiVersion, kind, namespace, name).
    pub async fn delete_object(&self, obj: &Value) -> Result<bool> {
        let api_version = field(obj, &["apiVersion"], "apiVersion")?;
        let kind = field(obj, &["kind"], "kind")?;
        let name = field(obj, &["metadata", "name"], "metadata.name")?;
        self.delete(
            api_version,
            kind,
            obj["metadata"]["namespace"].as_str(),
            name,
        )
        .await
    }
}
