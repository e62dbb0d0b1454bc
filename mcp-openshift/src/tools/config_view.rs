//! `configuration_view`: the kubeconfig in use, minified on request, with credentials redacted.

use serde_json::{Map, Value};

use super::{ToolContext, ToolResult};
use crate::args::Args;
use crate::error::Context;
use crate::output::yaml;

/// Replacement text for secrets.
pub(crate) const REDACTED: &str = "REDACTED";

/// Keys under `users[].user` whose values are credentials.
const SECRET_KEYS: &[&str] = &[
    "token",
    "password",
    "client-key-data",
    "client-key",
    "id-token",
    "refresh-token",
    "client-secret",
    "access-token",
];

/// `configuration_contexts_list`: the contexts a tool's `context` argument may name.
pub(super) fn contexts_list(ctx: &ToolContext<'_>) -> ToolResult {
    let Some(contexts) = ctx.contexts.filter(|c| c.is_multi()) else {
        return Ok(
            "This server has a single context; tools take no context argument."
                .to_string()
                .into(),
        );
    };
    let (text, structured) = contexts.listing();
    Ok(super::ToolOutput {
        text,
        structured: Some(structured),
    })
}

pub(super) fn view(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let minified = a
        .opt_bool("minified")
        .context("failed to get configuration")?
        .unwrap_or(true);
    let mut kc = ctx.cluster.kubeconfig().clone();
    if minified {
        kc = minify(&kc);
    }
    redact(&mut kc);
    Ok(yaml(&kc).into())
}

/// Keep only the current context, its cluster and its user.
pub(crate) fn minify(kc: &Value) -> Value {
    let current = kc["current-context"].as_str().unwrap_or_default();
    let pick = |list: &str, name: &str| -> Value {
        Value::Array(
            kc[list]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["name"] == name)
                .cloned()
                .collect(),
        )
    };
    let ctx_entry = kc["contexts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == current)
        .cloned();
    let (cluster, user) = ctx_entry
        .as_ref()
        .map(|c| {
            (
                c["context"]["cluster"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                c["context"]["user"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .unwrap_or_default();
    let mut out = Map::new();
    for k in ["apiVersion", "kind", "preferences"] {
        if let Some(v) = kc.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    out.insert("clusters".into(), pick("clusters", &cluster));
    out.insert("contexts".into(), pick("contexts", current));
    out.insert("current-context".into(), current.into());
    out.insert("users".into(), pick("users", &user));
    Value::Object(out)
}

/// Replace every credential in `users` (and auth-provider/exec details) with [`REDACTED`].
pub(crate) fn redact(kc: &mut Value) {
    for user in kc
        .get_mut("users")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let Some(u) = user.get_mut("user").and_then(Value::as_object_mut) else {
            continue;
        };
        for (k, v) in u.iter_mut() {
            if SECRET_KEYS.contains(&k.as_str()) && !v.is_null() {
                *v = REDACTED.into();
            }
        }
        if let Some(cfg) = u
            .get_mut("auth-provider")
            .and_then(|p| p.get_mut("config"))
            .and_then(Value::as_object_mut)
        {
            cfg.values_mut().for_each(|v| *v = REDACTED.into());
        }
        if let Some(env) = u
            .get_mut("exec")
            .and_then(|e| e.get_mut("env"))
            .and_then(Value::as_array_mut)
        {
            env.iter_mut().for_each(|e| e["value"] = REDACTED.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minify_and_redact() {
        let kc = json!({
            "apiVersion": "v1", "kind": "Config", "current-context": "a",
            "clusters": [{"name": "ca", "cluster": {"server": "https://a"}}, {"name": "cb", "cluster": {"server": "https://b"}}],
            "contexts": [{"name": "a", "context": {"cluster": "ca", "user": "ua"}}, {"name": "b", "context": {"cluster": "cb", "user": "ub"}}],
            "users": [{"name": "ua", "user": {"token": "sha256~secret", "client-key-data": "S0VZ", "client-certificate-data": "Q0VSVA=="}}, {"name": "ub", "user": {"password": "pw"}}]
        });
        let mut m = minify(&kc);
        redact(&mut m);
        let text = yaml(&m);
        assert!(
            !text.contains("sha256~secret") && !text.contains("S0VZ"),
            "{text}"
        );
        assert!(
            text.contains("https://a") && !text.contains("https://b"),
            "{text}"
        );
        assert!(text.contains("client-certificate-data: Q0VSVA=="), "{text}");
        let mut full = kc.clone();
        redact(&mut full);
        assert_eq!(full["users"][1]["user"]["password"], REDACTED);
    }
}
