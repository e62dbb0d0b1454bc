//! Gitea's list conventions: `page` (1-based) and `limit` query parameters, default page
//! size 30 silently capped at 50, and the `X-Total-Count` and `Link` response headers with
//! absolute URLs built from the root URL.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::query::Query;
use super::state::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// Which slice of a list was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    pub(crate) page: usize,
    pub(crate) limit: usize,
}

impl Paging {
    /// Reads `page` and `limit` (or `per_page`), falling back like Gitea on bad values.
    pub(crate) fn from_query(query: &Query) -> Self {
        let page = query
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
            .filter(|p| *p > 0)
            .unwrap_or(1);
        let limit = query
            .get("limit")
            .or_else(|| query.get("per_page"))
            .and_then(|l| l.parse::<usize>().ok())
            .filter(|l| *l > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .min(MAX_PAGE_SIZE);
        Self { page, limit }
    }

    /// The items of this page.
    pub(crate) fn slice<T: Clone>(&self, items: &[T]) -> Vec<T> {
        let start = (self.page - 1).saturating_mul(self.limit);
        items.iter().skip(start).take(self.limit).cloned().collect()
    }
}

/// A JSON list response with Gitea's pagination headers.
pub(crate) struct PagedJson {
    pub(crate) items: Vec<Value>,
    pub(crate) headers: HeaderMap,
}

impl IntoResponse for PagedJson {
    fn into_response(self) -> Response {
        (self.headers, axum::Json(Value::Array(self.items))).into_response()
    }
}

/// Builds the headers for a page of `total` items served at `path` (under the root URL).
pub(crate) fn headers(
    root_url: &str,
    path: &str,
    query: &Query,
    paging: Paging,
    total: usize,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    insert(&mut headers, "x-total-count", &total.to_string());
    let last = total.div_ceil(paging.limit).max(1);
    let base = format!("{}{}", root_url.trim_end_matches('/'), path);
    let link = |page: usize, rel: &str| {
        format!(
            "<{base}?{}>; rel=\"{rel}\"",
            query.with_page(page, paging.limit)
        )
    };
    let mut links = Vec::new();
    if paging.page < last {
        links.push(link(paging.page + 1, "next"));
        links.push(link(last, "last"));
    }
    if paging.page > 1 {
        links.push(link(1, "first"));
        links.push(link((paging.page - 1).min(last), "prev"));
    }
    if !links.is_empty() {
        insert(&mut headers, "link", &links.join(","));
    }
    insert(
        &mut headers,
        "access-control-expose-headers",
        "X-Total-Count, Link",
    );
    headers
}

/// Extra headers Gitea adds to commit lists.
pub(crate) fn commit_headers(headers: &mut HeaderMap, paging: Paging, total: usize) {
    let pages = total.div_ceil(paging.limit).max(1);
    insert(headers, "x-page", &paging.page.to_string());
    insert(headers, "x-perpage", &paging.limit.to_string());
    insert(headers, "x-total", &total.to_string());
    insert(headers, "x-pagecount", &pages.to_string());
    insert(
        headers,
        "x-hasmore",
        if paging.page < pages { "true" } else { "false" },
    );
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

/// Pages `items` and wraps them with headers in one step.
pub(crate) fn paged(root_url: &str, path: &str, query: &Query, items: Vec<Value>) -> PagedJson {
    let paging = Paging::from_query(query);
    let total = items.len();
    PagedJson {
        headers: headers(root_url, path, query, paging, total),
        items: paging.slice(&items),
    }
}
