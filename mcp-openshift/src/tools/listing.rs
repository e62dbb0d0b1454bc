//! Lists of one kind rendered as configured (`--list-output`): a kubectl-like table from the
//! API server's Table answer, or YAML; both with the items as structured content. A call may
//! shape the answer (page, projection, summary: [`super::paging`]); every answer is held to
//! the list byte budget.

use serde_json::Value;

use super::ToolContext;
use super::paging::{ListShape, cap, continue_note, with_kind};
use crate::config::ListOutput;
use crate::error::KubeError;
use crate::kube_api::{ResourceInfo, TABLE_ACCEPT};
use crate::output::{self, Table};

/// Selectors and scope of one list call.
pub(crate) struct ListQuery<'a> {
    pub namespace: Option<&'a str>,
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    /// Page, projection and summary asked for (default: upstream's plain list).
    pub shape: ListShape,
}

/// What the rendered list is called in notes (`pods`, `namespaces`).
fn noun(ri: &ResourceInfo) -> &str {
    &ri.plural
}

/// List a kind and render it as configured; returns text and structured items.
pub(crate) async fn list_rendered(
    ctx: &ToolContext<'_>,
    ri: &ResourceInfo,
    q: &ListQuery<'_>,
) -> Result<(String, Value), KubeError> {
    let [limit, cont] = q.shape.query_pairs();
    let path = format!(
        "{}{}",
        ri.collection(q.namespace),
        crate::kube_api::query(&[
            ("labelSelector", q.label_selector.clone()),
            ("fieldSelector", q.field_selector.clone()),
            limit,
            cont,
        ])
    );
    let (text, mut structured, list_meta) = if q.shape.is_plain() {
        plain(ctx, ri, &path).await?
    } else {
        let list = ctx.kube.get_json(&path).await?;
        let mut items = list["items"].as_array().cloned().unwrap_or_default();
        items.iter_mut().for_each(output::strip_managed_fields);
        let items = with_kind(items, &ri.kind);
        let (text, structured) = q
            .shape
            .render(noun(ri), &items)
            .unwrap_or_else(|| (String::new(), serde_json::json!({ "items": items })));
        (text, structured, list)
    };
    Ok(finish(ctx, text, &mut structured, &list_meta))
}

/// Add the continue note and token, then hold the text to the budget.
pub(crate) fn finish(
    ctx: &ToolContext<'_>,
    mut text: String,
    structured: &mut Value,
    list: &Value,
) -> (String, Value) {
    if let Some((note, token)) = continue_note(list) {
        if !text.ends_with('\n') && !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&note);
        text.push('\n');
        structured["continue"] = Value::String(token);
    }
    (
        cap(text, ctx.limits.list_output_bytes),
        std::mem::take(structured),
    )
}

/// Upstream's rendering: table or YAML as configured; also returns the list's metadata.
async fn plain(
    ctx: &ToolContext<'_>,
    ri: &ResourceInfo,
    path: &str,
) -> Result<(String, Value, Value), KubeError> {
    match ctx.list_output {
        ListOutput::Yaml => {
            let list = ctx.kube.get_json(path).await?;
            let mut items = list["items"].as_array().cloned().unwrap_or_default();
            items.iter_mut().for_each(output::strip_managed_fields);
            let meta = serde_json::json!({ "metadata": list["metadata"] });
            Ok((
                output::list_yaml(&list),
                serde_json::json!({ "items": items }),
                meta,
            ))
        }
        ListOutput::Table => {
            let text = ctx
                .kube
                .send(http::Method::GET, path, TABLE_ACCEPT, None)
                .await?;
            let body: Value = serde_json::from_str(&text).map_err(|e| {
                KubeError::msg(format!("unexpected answer from the API server: {e}"))
            })?;
            let table = if body["kind"] == "Table" {
                Table::from_server_table(&body, &ri.api_version(), &ri.kind)
            } else {
                Table::from_plain_list(&body, &ri.api_version(), &ri.kind, jiff::Timestamp::now())
            };
            let items: Vec<Value> = table
                .rows
                .iter()
                .map(|r| {
                    Value::Object(
                        table
                            .headers
                            .iter()
                            .cloned()
                            .zip(r.iter().map(|c| Value::String(c.clone())))
                            .collect(),
                    )
                })
                .collect();
            let meta = serde_json::json!({ "metadata": body["metadata"] });
            Ok((table.render(), serde_json::json!({ "items": items }), meta))
        }
    }
}
