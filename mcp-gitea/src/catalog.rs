//! Tool definitions: names, scopes, read/write class, annotations, input schemas and the
//! handler that runs each tool.
//!
//! Names, `method` enums, parameter names, types, defaults and required lists are the
//! upstream ≈v1.8 compatibility contract; titles and descriptions are ours. The schemas
//! are built by a tiny builder so that each domain module declares its tools in a few
//! lines next to the code that runs them; a [`ToolSpec`] carries its [`Handler`], so the
//! list of specs is the whole registry (see `tools::registry`).

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::args::{Args, ToolError};
use crate::context::{Output, ToolContext};

/// The future a [`Handler`] returns.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = Result<Output, ToolError>> + Send + 'a>>;

/// Runs one tool: its arguments, with the caller's Gitea access, to its output. Written
/// with `tools::handler!(function)` around an `async fn(ToolContext, &Args)`.
pub type Handler = for<'a> fn(ToolContext<'a>, &'a Args) -> ToolFuture<'a>;

/// Read tools survive read-only mode; the two write classes differ in `destructiveHint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only reads (`readOnlyHint: true`).
    Read,
    /// Creates or changes without deleting or overwriting (`destructiveHint: false`).
    Write,
    /// Can delete or overwrite (`destructiveHint: true`).
    Destructive,
}

/// One input parameter and its JSON schema.
#[derive(Debug, Clone)]
pub struct Param {
    name: &'static str,
    schema: Value,
}

impl Param {
    fn new(name: &'static str, ty: &str, desc: &str) -> Self {
        Param {
            name,
            schema: json!({"type": ty, "description": desc}),
        }
    }
    /// Adds a `default`.
    pub fn default(mut self, v: Value) -> Self {
        self.schema["default"] = v;
        self
    }
    /// Restricts to an enum of strings.
    pub fn one_of(mut self, values: &[&str]) -> Self {
        self.schema["enum"] = json!(values);
        self
    }
    /// Sets `minimum`.
    pub fn min(mut self, n: i64) -> Self {
        self.schema["minimum"] = json!(n);
        self
    }
}

/// A string parameter.
pub fn string_param(name: &'static str, desc: &str) -> Param {
    Param::new(name, "string", desc)
}
/// A numeric parameter (upstream uses `number` for integers).
pub fn number_param(name: &'static str, desc: &str) -> Param {
    Param::new(name, "number", desc)
}
/// A boolean parameter.
pub fn bool_param(name: &'static str, desc: &str) -> Param {
    Param::new(name, "boolean", desc)
}
/// An array of strings.
pub fn string_list_param(name: &'static str, desc: &str) -> Param {
    let mut p = Param::new(name, "array", desc);
    p.schema["items"] = json!({"type": "string"});
    p
}
/// An array of numbers.
pub fn number_list_param(name: &'static str, desc: &str) -> Param {
    let mut p = Param::new(name, "array", desc);
    p.schema["items"] = json!({"type": "number"});
    p
}
/// An array of objects with the given item schema.
pub fn object_list_param(name: &'static str, desc: &str, item: Value) -> Param {
    let mut p = Param::new(name, "array", desc);
    p.schema["items"] = item;
    p
}
/// A JSON object parameter (free-form keys).
pub fn object_param(name: &'static str, desc: &str) -> Param {
    Param::new(name, "object", desc)
}
/// `owner` and `repo`, used by most tools.
pub fn owner_repo() -> [Param; 2] {
    [
        string_param("owner", "repository owner"),
        string_param("repo", "repository name"),
    ]
}
/// `page` (default 1) and `per_page` with the given default.
pub fn paging(per_page: i64) -> [Param; 2] {
    [
        number_param("page", "page number, from 1")
            .default(json!(1))
            .min(1),
        number_param("per_page", "results per page")
            .default(json!(per_page))
            .min(1),
    ]
}
/// The `method` selector of a method tool.
pub fn method(values: &[&str]) -> Param {
    string_param("method", "operation to perform").one_of(values)
}

/// One tool of the catalog: its definition and its handler.
#[derive(Debug, Clone)]
pub struct ToolSpec {
    /// Tool name (contract).
    pub name: &'static str,
    /// Upstream scope for `-scope`.
    pub scope: &'static str,
    /// Read/write class.
    pub kind: Kind,
    idempotent: bool,
    title: &'static str,
    description: &'static str,
    params: Vec<Param>,
    required: Vec<&'static str>,
    output: Option<Value>,
    handler: Option<Handler>,
}

impl ToolSpec {
    /// A tool of `kind` in `scope`.
    pub fn new(
        name: &'static str,
        scope: &'static str,
        kind: Kind,
        title: &'static str,
        description: &'static str,
    ) -> Self {
        ToolSpec {
            name,
            scope,
            kind,
            idempotent: kind == Kind::Read,
            title,
            description,
            params: Vec::new(),
            required: Vec::new(),
            output: None,
            handler: None,
        }
    }
    /// The function that runs the tool (write it with `tools::handler!`).
    pub fn runs(mut self, handler: Handler) -> Self {
        self.handler = Some(handler);
        self
    }
    /// The tool's handler (every tool of `tools::registry` has one; a test checks).
    pub fn handler(&self) -> Option<Handler> {
        self.handler
    }
    /// Adds parameters.
    pub fn params(mut self, params: impl IntoIterator<Item = Param>) -> Self {
        self.params.extend(params);
        self
    }
    /// Declares required parameters.
    pub fn required(mut self, names: &[&'static str]) -> Self {
        self.required.extend_from_slice(names);
        self
    }
    /// Marks a write as idempotent.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
    /// Declares an `outputSchema` (only for tools with a fixed object shape).
    pub fn output(mut self, schema: Value) -> Self {
        self.output = Some(schema);
        self
    }

    /// The input schema as a JSON object.
    pub fn input_schema(&self, drop: &[&str]) -> JsonObject {
        let mut props = serde_json::Map::new();
        for p in self.params.iter().filter(|p| !drop.contains(&p.name)) {
            props.insert(p.name.to_string(), p.schema.clone());
        }
        let required: Vec<&str> = self
            .required
            .iter()
            .copied()
            .filter(|r| !drop.contains(r))
            .collect();
        let mut schema = serde_json::Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(props));
        if !required.is_empty() {
            schema.insert("required".into(), json!(required));
        }
        schema
    }

    /// The MCP tool definition.
    pub fn to_tool(&self) -> Tool {
        let mut tool = Tool::new(
            self.name,
            self.description,
            Arc::new(self.input_schema(&[])),
        );
        tool.title = Some(self.title.to_string());
        tool.annotations = Some(annotations(self.title, self.kind, self.idempotent));
        if let Some(Value::Object(o)) = &self.output {
            tool.output_schema = Some(Arc::new(o.clone()));
        }
        tool
    }

    /// Whether a parameter exists (used by the catalog tests).
    pub fn has_param(&self, name: &str) -> bool {
        self.params.iter().any(|p| p.name == name)
    }

    /// Whether the tool declares an output schema.
    pub fn has_output_schema(&self) -> bool {
        self.output.is_some()
    }
}

/// Annotations for a tool class.
pub fn annotations(title: &str, kind: Kind, idempotent: bool) -> ToolAnnotations {
    let a = ToolAnnotations::with_title(title);
    match kind {
        Kind::Read => a.read_only(true),
        Kind::Write => a.read_only(false).destructive(false).idempotent(idempotent),
        Kind::Destructive => a.read_only(false).destructive(true).idempotent(idempotent),
    }
}

/// The scopes upstream knows (for warnings about unknown `-scope` values).
pub const SCOPES: &[&str] = &[
    "version",
    "user",
    "search",
    "notification",
    "label",
    "milestone",
    "wiki",
    "timetracking",
    "packages",
    "project",
    "issue",
    "pull_request",
    "actions",
    "repository",
    "file",
    "branch",
    "tag",
    "commit",
    "release",
];

/// Which tools are exposed, from `-read-only`, `-tools` and `-scope`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Hide writes.
    pub read_only: bool,
    /// Allowed names (empty with empty `scopes` = all).
    pub tools: BTreeSet<String>,
    /// Allowed scopes (union with `tools`).
    pub scopes: BTreeSet<String>,
}

impl Filter {
    /// Whether `spec` is exposed.
    pub fn allows(&self, spec: &ToolSpec) -> bool {
        if self.read_only && spec.kind != Kind::Read {
            return false;
        }
        if self.tools.is_empty() && self.scopes.is_empty() {
            return true;
        }
        self.tools.contains(spec.name) || self.scopes.contains(spec.scope)
    }

    /// Why `spec` is hidden, for the error returned when it is called anyway.
    pub fn refusal(&self, spec: &ToolSpec) -> String {
        if self.read_only && spec.kind != Kind::Read {
            format!(
                "tool {} is disabled: the server runs in read-only mode",
                spec.name
            )
        } else {
            format!(
                "tool {} is disabled by the server's -tools/-scope configuration",
                spec.name
            )
        }
    }
}
