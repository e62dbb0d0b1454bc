//! `provisioner serve --profile NAME`: the same HTTP API as the worker pool (`serve.rs`),
//! as a thin front over Tenant resources. An order creates a Tenant (the operator does
//! the work), a read answers from the Tenant's status, a delete deletes the Tenant (its
//! finalizer destroys). Nothing runs in this process, so it can be restarted or scaled
//! freely. Same bearer token guard, same errors (422/409 naming the field).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kube::api::{DeleteParams, PostParams};
use kube::{Api, Client};
use serde_json::json;

use crate::error::Error;
use crate::operator::crd::{ProfileRef, Tenant as TenantResource, TenantSpec};
use crate::serve::{ApiToken, GuidQuery, Order, problem, refusal, require_token};
use crate::tenant::Tenant;

/// What the front needs.
#[derive(Clone)]
pub struct FrontState {
    api: Api<TenantResource>,
    profile: String,
    token: Option<Arc<ApiToken>>,
}

impl FrontState {
    /// Tenants created with `profile` through `client`.
    pub fn new(client: Client, profile: &str) -> Self {
        FrontState {
            api: Api::all(client),
            profile: profile.to_string(),
            token: None,
        }
    }

    /// Requires `token` on every route but `/healthz`.
    pub fn with_token(mut self, token: ApiToken) -> Self {
        self.token = Some(Arc::new(token));
        self
    }
}

/// The HTTP API over Tenant resources.
pub fn router(state: FrontState) -> Router {
    Router::new()
        .route("/tenants", post(order))
        .route("/tenants/{username}", get(show).delete(remove))
        .route("/stats", get(stats))
        .route_layer(axum::middleware::from_fn_with_state(
            state.token.clone(),
            require_token,
        ))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

fn kube_failure(action: &str, e: kube::Error) -> Response {
    refusal(&Error::Kube {
        action: action.into(),
        source: e,
    })
}

async fn order(State(s): State<FrontState>, body: Option<Json<Order>>) -> Response {
    let Some(Json(o)) = body else {
        return problem(
            StatusCode::BAD_REQUEST,
            "body must be JSON {\"username\", \"guid\"}",
        );
    };
    let t = match Tenant::new(&o.username, &o.guid) {
        Ok(t) => t,
        Err(e) => return refusal(&e),
    };
    match s.api.get_opt(&t.username).await {
        Ok(Some(existing)) if existing.spec.guid != t.guid => {
            return refusal(&Error::conflict(
                "guid",
                format!("{} has an order with another guid", t.username),
            ));
        }
        Ok(Some(_)) => return accepted(&t),
        Ok(None) => {}
        Err(e) => return kube_failure("get Tenant", e),
    }
    let mut resource = TenantResource::new(
        &t.username,
        TenantSpec {
            username: t.username.clone(),
            guid: t.guid.clone(),
            profile_ref: ProfileRef {
                name: s.profile.clone(),
            },
            identity: Default::default(),
            gitea: Default::default(),
            showroom: Default::default(),
            deploy: Default::default(),
            quota: None,
            expires_at: None,
        },
    );
    resource.metadata.labels = Some(
        [(
            "app.kubernetes.io/created-by".to_string(),
            "provisioner-serve".to_string(),
        )]
        .into(),
    );
    match s.api.create(&PostParams::default(), &resource).await {
        Ok(_) => accepted(&t),
        Err(kube::Error::Api(e)) if e.code == 409 => refusal(&Error::conflict(
            "username",
            format!("{} was ordered at the same time", t.username),
        )),
        Err(e) => kube_failure("create Tenant", e),
    }
}

fn accepted(t: &Tenant) -> Response {
    (
        StatusCode::ACCEPTED,
        Json(json!({ "username": t.username, "phase": "queued" })),
    )
        .into_response()
}

/// The pool's phase names for a Tenant.
fn phase(t: &TenantResource) -> &'static str {
    if t.metadata.deletion_timestamp.is_some() {
        return "destroying";
    }
    match t.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Ready") => "ready",
        Some("Provisioning") => "provisioning",
        Some("Failed" | "Invalid") => "failed",
        Some("Deleting") => "destroying",
        _ => "queued",
    }
}

async fn show(State(s): State<FrontState>, Path(username): Path<String>) -> Response {
    match s.api.get_opt(&username).await {
        Ok(Some(t)) => {
            let phase = phase(&t);
            let error = (phase == "failed")
                .then(|| {
                    t.status.as_ref().and_then(|st| {
                        st.conditions
                            .iter()
                            .find(|c| c.type_ == "Ready")
                            .map(|c| c.message.clone())
                    })
                })
                .flatten();
            Json(json!({
                "tenant": { "username": t.spec.username, "guid": t.spec.guid },
                "phase": phase,
                "error": error,
                "status": t.status,
            }))
            .into_response()
        }
        Ok(None) => problem(StatusCode::NOT_FOUND, format!("no order for {username}")),
        Err(e) => kube_failure("get Tenant", e),
    }
}

async fn remove(
    State(s): State<FrontState>,
    Path(username): Path<String>,
    Query(q): Query<GuidQuery>,
) -> Response {
    let existing = match s.api.get_opt(&username).await {
        Ok(Some(t)) => t,
        Ok(None) => return problem(StatusCode::NOT_FOUND, format!("no order for {username}")),
        Err(e) => return kube_failure("get Tenant", e),
    };
    if let Some(guid) = q.guid
        && guid != existing.spec.guid
    {
        return refusal(&Error::conflict(
            "guid",
            format!("{guid} is not the guid of {username}'s order"),
        ));
    }
    match s.api.delete(&username, &DeleteParams::default()).await {
        Ok(_) => (
            StatusCode::ACCEPTED,
            Json(json!({ "username": username, "phase": "destroying" })),
        )
            .into_response(),
        Err(e) => kube_failure("delete Tenant", e),
    }
}

async fn stats(State(s): State<FrontState>) -> Response {
    match s.api.list(&Default::default()).await {
        Ok(list) => {
            let mut by_phase = serde_json::Map::new();
            for t in &list.items {
                let n = by_phase.entry(phase(t)).or_insert(json!(0));
                *n = json!(n.as_u64().unwrap_or(0) + 1);
            }
            Json(json!({ "tenants": list.items.len(), "phases": by_phase })).into_response()
        }
        Err(e) => kube_failure("list Tenants", e),
    }
}

/// Serves until SIGTERM or Ctrl-C.
pub async fn run(state: FrontState, listen: &str) -> crate::error::Result<()> {
    if state.token.is_none() {
        tracing::warn!(listen, "serving WITHOUT authentication (loopback only)");
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| Error::Listen {
            addr: listen.to_string(),
            source,
        })?;
    tracing::info!(
        listen,
        profile = state.profile,
        "serving tenant orders as Tenant resources"
    );
    axum::serve(listener, router(state))
        .with_graceful_shutdown(serve_common::shutdown_signal())
        .await
        .map_err(|source| Error::Listen {
            addr: listen.to_string(),
            source,
        })
}
