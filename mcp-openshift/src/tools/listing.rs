//! Lists of one kind rendered as configured (`--list-output`): a kubectl-like table from the
//! API server's Table answer, or YAML; both with the items as structured content.

use serde_json::Value;

use super::ToolContext;
use crate::config::ListOutput;
use crate::error::KubeError;
use crate::kube_api::{ResourceInfo, TABLE_ACCEPT};
use crate::output::{self, Table};

/// Selectors and scope of one list call.
pub(crate) struct ListQuery<'a> {
    pub namespace: Option<&'a str>,
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
}

/// List a kind and render it as configured; returns text and structured items.
pub(crate) async fn list_rendered(
    ctx: &ToolContext<'_>,
    ri: &ResourceInfo,
    q: &ListQuery<'_>,
) -> Result<(String, Value), KubeError> {
    let path = format!(
        "{}{}",
        ri.collection(q.namespace),
        crate::kube_api::query(&[
            ("labelSelector", q.label_selector.clone()),
            ("fieldSelector", q.field_selector.clone())
        ])
    );
    match ctx.list_output {
        ListOutput::Yaml => {
            let list = ctx.kube.get_json(&path).await?;
            let mut items = list["items"].as_array().cloned().unwrap_or_default();
            items.iter_mut().for_each(output::strip_managed_fields);
            Ok((
                output::list_yaml(&list),
                serde_json::json!({ "items": items }),
            ))
        }
        ListOutput::Table => {
            let text = ctx
                .kube
                .send(http::Method::GET, &path, TABLE_ACCEPT, None)
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
            Ok((table.render(), serde_json::json!({ "items": items })))
        }
    }
}
