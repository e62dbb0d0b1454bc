//! Identities and RBAC per bearer token. A token maps to a user or service account with
//! rules (verbs × groups × resources × namespaces); every request is checked against them
//! and SelfSubjectAccessReview answers from the same rules, so a test can prove that a
//! read-only identity cannot delete.

use serde_json::{Value, json};

use super::protobuf::field;
use super::status::ApiError;

/// One permission rule; an empty list or `*` matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rule {
    /// Verbs (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `*`).
    pub verbs: Vec<String>,
    /// API groups (`""` for core, `*`).
    pub api_groups: Vec<String>,
    /// Resources, optionally with subresource (`pods`, `pods/log`, `*`).
    pub resources: Vec<String>,
    /// Namespaces the rule applies in; empty = every namespace and cluster scope.
    pub namespaces: Vec<String>,
}

impl Rule {
    /// A rule from string slices.
    pub fn new(
        verbs: &[&str],
        api_groups: &[&str],
        resources: &[&str],
        namespaces: &[&str],
    ) -> Self {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Self {
            verbs: own(verbs),
            api_groups: own(api_groups),
            resources: own(resources),
            namespaces: own(namespaces),
        }
    }

    fn matches(&self, attrs: &Attributes) -> bool {
        let any = |list: &[String], value: &str| list.iter().any(|x| x == "*" || x == value);
        let resource = if attrs.subresource.is_empty() {
            attrs.resource.clone()
        } else {
            format!("{}/{}", attrs.resource, attrs.subresource)
        };
        any(&self.verbs, &attrs.verb)
            && any(&self.api_groups, &attrs.group)
            && (any(&self.resources, &resource)
                || (attrs.subresource.is_empty() && any(&self.resources, &attrs.resource)))
            && (self.namespaces.is_empty()
                || (!attrs.namespace.is_empty()
                    && self.namespaces.iter().any(|n| n == &attrs.namespace)))
    }
}

/// Who a bearer token is.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// `alice` or `system:serviceaccount:<ns>:<name>`.
    pub username: String,
    /// Groups (`system:authenticated` is implied).
    pub groups: Vec<String>,
    /// What the identity may do.
    pub rules: Vec<Rule>,
}

impl Identity {
    /// A cluster admin.
    pub fn admin(username: &str) -> Self {
        Self {
            username: username.into(),
            groups: vec!["system:masters".into()],
            rules: vec![Rule::new(&["*"], &["*"], &["*"], &[])],
        }
    }

    /// Read-only (`get`, `list`, `watch`) on everything, optionally limited to namespaces.
    pub fn read_only(username: &str, namespaces: &[&str]) -> Self {
        Self {
            username: username.into(),
            groups: vec![],
            rules: vec![Rule::new(
                &["get", "list", "watch"],
                &["*"],
                &["*"],
                namespaces,
            )],
        }
    }

    /// A service account identity with the given rules.
    pub fn service_account(namespace: &str, name: &str, rules: Vec<Rule>) -> Self {
        Self {
            username: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
            ],
            rules,
        }
    }

    /// A user with the given rules.
    pub fn user(username: &str, rules: Vec<Rule>) -> Self {
        Self {
            username: username.into(),
            groups: vec![],
            rules,
        }
    }

    /// Whether any rule grants anything in `namespace` (OpenShift shows such projects).
    pub fn can_see_namespace(&self, namespace: &str) -> bool {
        self.rules.iter().any(|r| {
            !r.verbs.is_empty()
                && (r.namespaces.is_empty() || r.namespaces.iter().any(|n| n == namespace))
        })
    }

    /// Whether the identity may do what `attrs` describes.
    pub fn allows(&self, attrs: &Attributes) -> bool {
        self.rules.iter().any(|r| r.matches(attrs))
    }
}

/// What a request wants to do, as RBAC sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    /// Verb.
    pub verb: String,
    /// API group.
    pub group: String,
    /// Plural resource.
    pub resource: String,
    /// Subresource (`log`, `status`) or empty.
    pub subresource: String,
    /// Namespace or empty for cluster scope.
    pub namespace: String,
    /// Object name or empty.
    pub name: String,
}

impl Attributes {
    /// The 403 the real server sends when `user` may not do this.
    pub fn forbidden(&self, user: &str) -> ApiError {
        let resource = if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        };
        let what = super::status::qualified(&self.group, &self.resource);
        let subject = if self.name.is_empty() {
            what
        } else {
            format!("{what} \"{}\"", self.name)
        };
        let scope = if self.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", self.namespace)
        };
        let mut err = ApiError::forbidden(format!(
            "{subject} is forbidden: User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            self.verb, self.group
        ));
        err.details = Some(json!({"name": self.name, "group": self.group, "kind": self.resource}));
        err
    }

    fn from_json(attrs: &Value) -> Self {
        let s = |k: &str| {
            attrs
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Self {
            verb: s("verb"),
            group: s("group"),
            resource: s("resource"),
            subresource: s("subresource"),
            namespace: s("namespace"),
            name: s("name"),
        }
    }

    fn to_json(&self) -> Value {
        json!({"namespace": self.namespace, "verb": self.verb, "group": self.group, "resource": self.resource, "subresource": self.subresource, "name": self.name})
    }
}

/// Answers a SelfSubjectAccessReview body (JSON or the protobuf client-go posts).
pub(super) fn access_review(identity: &Identity, body: &[u8]) -> Result<Value, ApiError> {
    let attrs = if body.starts_with(b"k8s\0") {
        protobuf_attributes(&body[4..]).ok_or_else(|| {
            ApiError::bad_request("unable to decode protobuf SelfSubjectAccessReview")
        })?
    } else {
        let review: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid SelfSubjectAccessReview: {e}")))?;
        if review
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k != "SelfSubjectAccessReview")
        {
            return Err(ApiError::bad_request(
                "the body must be a SelfSubjectAccessReview",
            ));
        }
        match review.pointer("/spec/resourceAttributes") {
            Some(a) => Attributes::from_json(a),
            None => {
                // Non-resource URLs (/healthz, /api) are readable by everyone authenticated.
                return Ok(json!({
                    "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                    "metadata": {"creationTimestamp": null}, "spec": review.get("spec").cloned().unwrap_or(json!({})),
                    "status": {"allowed": true}
                }));
            }
        }
    };
    let allowed = identity.allows(&attrs);
    let mut status = json!({"allowed": allowed});
    if allowed {
        status["reason"] = json!(format!(
            "allowed for user \"{}\" by the testbed RBAC rules",
            identity.username
        ));
    }
    Ok(json!({
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": {"resourceAttributes": attrs.to_json()},
        "status": status,
    }))
}

/// Decodes the `runtime.Unknown` envelope → SelfSubjectAccessReview → spec →
/// resourceAttributes (namespace=1, verb=2, group=3, version=4, resource=5,
/// subresource=6, name=7).
fn protobuf_attributes(envelope: &[u8]) -> Option<Attributes> {
    let raw = field(envelope, 2)?;
    let spec = field(raw, 2)?;
    let Some(attrs) = field(spec, 1) else {
        return Some(Attributes {
            verb: "get".into(),
            ..Default::default()
        });
    };
    let text = |n| {
        field(attrs, n)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    Some(Attributes {
        namespace: text(1),
        verb: text(2),
        group: text(3),
        resource: text(5),
        subresource: text(6),
        name: text(7),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(field: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![(field << 3) | 2, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn decodes_protobuf_review() {
        let attrs = [
            ld(1, b"ns1"),
            ld(2, b"list"),
            ld(3, b""),
            ld(4, b"v1"),
            ld(5, b"pods"),
        ]
        .concat();
        let spec = ld(1, &attrs);
        let review = [ld(1, b""), ld(2, &spec)].concat();
        let envelope = [
            ld(
                1,
                &[
                    ld(1, b"authorization.k8s.io/v1"),
                    ld(2, b"SelfSubjectAccessReview"),
                ]
                .concat(),
            ),
            ld(2, &review),
        ]
        .concat();
        let body = [b"k8s\0".as_slice(), &envelope].concat();
        let reader = Identity::read_only("u", &["ns1"]);
        let answer = access_review(&reader, &body).unwrap();
        assert_eq!(answer["status"]["allowed"], true);
        assert_eq!(answer["spec"]["resourceAttributes"]["resource"], "pods");
        let other = Identity::read_only("u", &["ns2"]);
        assert_eq!(
            access_review(&other, &body).unwrap()["status"]["allowed"],
            false
        );
        assert!(access_review(&reader, b"k8s\0\xff\xff").is_err());
    }
}
