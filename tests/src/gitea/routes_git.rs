//! (in progress)

use std::sync::Arc;

use axum::Router;

use super::Shared;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
}
