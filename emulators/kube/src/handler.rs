//! The single entry point of the API: parses the URL the way the API server does
//! (discovery paths, `/api/v1/...`, `/apis/<g>/<v>/...`, namespaced or not, subresource),
//! authenticates the bearer token, authorizes the verb, and hands over to `verbs`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::auth::{Attributes, Identity};
use super::call::Call;
use super::discovery;
use super::fieldcheck::{FieldValidation, Warnings};
use super::observe::RecordedRequest;
use super::respond::{self, json_response};
use super::status::ApiError;
use super::{Inner, verbs};

/// Largest accepted request body (the real server's limit is 3 MiB).
pub(super) const BODY_LIMIT: usize = 3 * 1024 * 1024;

/// The axum fallback handler serving every path.
pub(super) async fn handle(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    match dispatch(&inner, req).await {
        Ok(resp) => resp,
        Err(err) => {
            tracing::debug!(code = err.code, reason = err.reason, message = %err.message, "request refused");
            err.into_response()
        }
    }
}

fn identity(inner: &Inner, req: &Request) -> Result<Identity, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        if inner
            .require_tokens
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return Err(ApiError::unauthorized());
        }
        return Ok(Identity::admin("system:admin"));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(ApiError::unauthorized)?;
    if token == inner.admin_token {
        return Ok(Identity::admin("system:admin"));
    }
    let st = inner.lock();
    st.identities
        .get(token)
        .cloned()
        .ok_or_else(ApiError::unauthorized)
}

async fn dispatch(inner: &Arc<Inner>, req: Request) -> Result<Response, ApiError> {
    {
        let header = |name| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        inner.observer.record(RecordedRequest {
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().unwrap_or("").to_string(),
            content_type: header(header::CONTENT_TYPE),
            accept: header(header::ACCEPT),
            authenticated: req.headers().contains_key(header::AUTHORIZATION),
        });
    }
    if let Some(fault) = inner
        .observer
        .fault_for(req.method().as_str(), req.uri().path())
    {
        return Err(fault);
    }
    let identity = identity(inner, &req)?;
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let (accept, content_type) = {
        let header = |name| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        (header(header::ACCEPT), header(header::CONTENT_TYPE))
    };
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let types = inner.lock().types.clone();
    let ok = |v: serde_json::Value| Ok(json_response(StatusCode::OK, &v));
    match segs.as_slice() {
        [] => return ok(discovery::root(&types)),
        ["version"] => return ok(discovery::version()),
        ["healthz" | "livez" | "readyz"] => return Ok((StatusCode::OK, "ok").into_response()),
        ["api" | "apis"] if discovery::wants_aggregated(&accept) => {
            let mut resp = json_response(
                StatusCode::OK,
                &discovery::aggregated(&types, segs == ["api"]),
            );
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static(discovery::AGGREGATED_CONTENT_TYPE),
            );
            return Ok(resp);
        }
        ["openapi", ..] => return openapi_route(inner, &segs, &accept),
        ["api"] => return ok(discovery::core_versions()),
        ["apis"] => return ok(discovery::groups(&types)),
        ["apis", g] => {
            return discovery::group(&types, g)
                .map(|v| json_response(StatusCode::OK, &v))
                .ok_or_else(ApiError::no_route);
        }
        ["api", "v1"] => {
            return discovery::resources(&types, "", "v1")
                .map(|v| json_response(StatusCode::OK, &v))
                .ok_or_else(ApiError::no_route);
        }
        ["apis", g, v] => {
            return discovery::resources(&types, g, v)
                .map(|v| json_response(StatusCode::OK, &v))
                .ok_or_else(ApiError::no_route);
        }
        _ => {}
    }
    let (group, version, rest) = match segs.as_slice() {
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Err(ApiError::no_route()),
    };
    let find = |plural: &str| {
        types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
            .cloned()
    };
    let (rt, namespace, name, sub) = match rest {
        ["namespaces", ns, plural, tail @ ..] if find(plural).is_some_and(|t| t.namespaced) => {
            let rt = find(plural).ok_or_else(ApiError::no_route)?;
            (
                rt,
                ns.to_string(),
                tail.first().map(|s| s.to_string()),
                tail.get(1).map(|s| s.to_string()),
            )
        }
        [plural, tail @ ..] => {
            let rt = find(plural).ok_or_else(ApiError::no_route)?;
            if tail.len() > 2 {
                return Err(ApiError::no_route());
            }
            (
                rt,
                String::new(),
                tail.first().map(|s| s.to_string()),
                tail.get(1).map(|s| s.to_string()),
            )
        }
        [] => return Err(ApiError::no_route()),
    };
    if let Some(s) = &sub
        && !rt.has_sub(s)
    {
        return Err(ApiError::no_route());
    }
    if sub.as_deref() == Some("exec") {
        let attrs = Attributes {
            verb: "create".into(),
            group: String::new(),
            resource: "pods".into(),
            subresource: "exec".into(),
            namespace: namespace.clone(),
            name: name.clone().unwrap_or_default(),
        };
        if !identity.allows(&attrs) {
            return Err(attrs.forbidden(&identity.username));
        }
        let Some(pod) = name.as_deref() else {
            return Err(ApiError::no_route());
        };
        let call = super::exec::ExecCall {
            rt: &rt,
            namespace: &namespace,
            pod,
            query: &query,
        };
        return super::exec::handle(inner, call, req);
    }
    let body = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
        .await
        .map_err(|_| ApiError::too_large())?;
    let fields = FieldValidation::parse(
        query
            .iter()
            .find(|(k, _)| k == "fieldValidation")
            .map(|(_, v)| v.as_str()),
    )?;
    let call = Call {
        fields,
        warnings: Warnings::default(),
        method,
        rt,
        namespace,
        name,
        sub,
        query,
        accept,
        content_type,
        identity,
        body,
    };
    authorize(&call)?;
    let warnings = call.warnings.clone();
    let mut resp = route(inner, call).await?;
    for w in warnings.take() {
        let text = format!("299 - {}", serde_json::Value::String(w));
        if let Ok(v) = header::HeaderValue::from_str(&text) {
            resp.headers_mut().append("warning", v);
        }
    }
    Ok(resp)
}

/// `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version path>`.
fn openapi_route(inner: &Inner, segs: &[&str], accept: &str) -> Result<Response, ApiError> {
    let (types, schemas) = {
        let st = inner.lock();
        (st.types.clone(), st.schemas.clone())
    };
    match segs {
        ["openapi", "v2"] => {
            // kubectl asks for protobuf only; 406 sends it to the v3 documents.
            respond::negotiate(accept)?;
            let docs = super::openapi::all_documents(&types, &schemas);
            Ok(json_response(
                StatusCode::OK,
                &super::openapi::swagger(&docs),
            ))
        }
        ["openapi", "v3"] => Ok(json_response(
            StatusCode::OK,
            &super::openapi::index(&types, &schemas),
        )),
        ["openapi", "v3", rest @ ..] if !rest.is_empty() => {
            respond::negotiate(accept)?;
            let doc = super::openapi::document(&rest.join("/"), &types, &schemas)
                .ok_or_else(ApiError::no_route)?;
            let mut resp = json_response(StatusCode::OK, &doc.value);
            resp.headers_mut().insert(
                header::ETAG,
                header::HeaderValue::from_str(&format!("\"{}\"", doc.hash))
                    .unwrap_or_else(|_| header::HeaderValue::from_static("\"0\"")),
            );
            Ok(resp)
        }
        _ => Err(ApiError::no_route()),
    }
}

fn rbac_verb(call: &Call) -> &'static str {
    match (&call.method, call.name.is_some()) {
        (&Method::GET, true) => "get",
        (&Method::GET, false) if call.flag("watch") => "watch",
        (&Method::GET, false) => "list",
        (&Method::POST, _) => "create",
        (&Method::PUT, _) => "update",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, true) => "delete",
        (&Method::DELETE, false) => "deletecollection",
        _ => "unknown",
    }
}

fn authorize(call: &Call) -> Result<(), ApiError> {
    if call.rt.plural == "selfsubjectaccessreviews" {
        return Ok(());
    }
    let is_namespace = call.rt.group.is_empty() && call.rt.plural == "namespaces";
    let is_project = call.rt.group == "project.openshift.io" && call.rt.plural == "projects";
    let attrs = Attributes {
        verb: rbac_verb(call).into(),
        group: call.rt.group.clone(),
        resource: call.rt.plural.clone(),
        subresource: call.sub.clone().unwrap_or_default(),
        // A namespace is checked against rules of its own namespace, as RBAC does.
        namespace: match (&call.name, is_namespace || is_project) {
            (Some(name), true) => name.clone(),
            _ => call.namespace.clone(),
        },
        name: call.name.clone().unwrap_or_default(),
    };
    // OpenShift lets everyone list and watch projects; the list is filtered to the
    // namespaces the caller has any access to (see `verbs::list`).
    let project_read = is_project && matches!(attrs.verb.as_str(), "list" | "watch");
    let project_get =
        is_project && attrs.verb == "get" && call.identity.can_see_namespace(&attrs.namespace);
    if project_read || project_get || call.identity.allows(&attrs) {
        Ok(())
    } else {
        Err(attrs.forbidden(&call.identity.username))
    }
}

async fn route(inner: &Arc<Inner>, call: Call) -> Result<Response, ApiError> {
    let want = respond::negotiate(&call.accept);
    if call.rt.plural == "selfsubjectaccessreviews" {
        if call.method != Method::POST {
            return Err(ApiError::method_not_allowed(
                "the server does not allow this method on the requested resource",
            ));
        }
        let review = super::auth::access_review(&call.identity, &call.body)?;
        return Ok(json_response(StatusCode::CREATED, &review));
    }
    if call.rt.namespaced && call.namespace.is_empty() && call.name.is_some() {
        return Err(ApiError::no_route());
    }
    let want = want?;
    match (
        call.method.clone(),
        call.name.is_some(),
        call.sub.as_deref(),
    ) {
        (Method::GET, true, Some("log")) => super::logs::read(inner, &call),
        (Method::GET | Method::PUT | Method::PATCH, true, Some("scale")) => {
            super::scale::handle(inner, &call)
        }
        (Method::GET, true, None | Some("status")) => verbs::get(inner, &call, want),
        (Method::GET, false, None) if call.flag("watch") => {
            super::watch::watch(inner, &call).map(|b: Body| {
                let mut resp = Response::new(b);
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("application/json"),
                );
                resp
            })
        }
        (Method::GET, false, None) => verbs::list(inner, &call, want),
        (Method::POST, false, None) => verbs::create(inner, &call, want),
        (Method::PUT, true, None | Some("status")) => verbs::replace(inner, &call, want),
        (Method::PATCH, true, None | Some("status")) => verbs::patch(inner, &call, want),
        (Method::DELETE, true, None) => verbs::delete(inner, &call, want),
        (Method::DELETE, false, None) => verbs::delete_collection(inner, &call, want),
        _ => Err(ApiError::method_not_allowed(
            "the server does not allow this method on the requested resource",
        )),
    }
}
