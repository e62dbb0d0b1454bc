//! Query-string access without axum's rejections: repeated keys, comma lists and no
//! failure on unexpected parameters (Gitea ignores them).

use url::form_urlencoded;

/// The decoded query string of one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `key`, if any and not empty.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// All values of `key`, comma-separated values split (Gitea's `labels=a,b`).
    pub(crate) fn list(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(',').map(str::trim).map(str::to_string))
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A boolean parameter (`true`/`1`).
    pub(crate) fn flag(&self, key: &str) -> Option<bool> {
        self.get(key).map(|v| v == "true" || v == "1")
    }

    /// This query with `page`/`limit` replaced, minus credentials, for `Link` headers.
    pub(crate) fn with_page(&self, page: usize, limit: usize) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            if !matches!(k.as_str(), "page" | "limit" | "token" | "access_token") {
                out.append_pair(k, v);
            }
        }
        out.append_pair("limit", &limit.to_string());
        out.append_pair("page", &page.to_string());
        out.finish()
    }
}
