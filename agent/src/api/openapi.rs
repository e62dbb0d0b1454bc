//! A small OpenAPI 3.1 document of the API, served at `/openapi.json`.

use serde_json::{Value, json};

pub(crate) fn document() -> Value {
    let name = |max: u32| json!({"type": "string", "maxLength": max});
    let error = json!({"$ref": "#/components/schemas/Error"});
    let error_response = |what: &str| json!({"description": what, "content": {"application/json": {"schema": error}}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Pipeline Failure Agent", "version": env!("CARGO_PKG_VERSION")},
        "paths": {
            "/report-failure": {"post": {
                "summary": "Analyse a failed pipeline pod and file an issue",
                "parameters": [{"name": "async", "in": "query", "schema": {"type": "boolean"},
                    "description": "Answer 202 at once; poll /runs/{id}. `Prefer: respond-async` does the same."}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["namespace", "pod_name"],
                    "properties": {
                        "namespace": name(63), "pod_name": name(253), "container_name": name(63),
                        "pipeline_run": name(253), "task_run": name(253), "pipeline_run_uid": name(64),
                        "git_revision": name(256), "log_tail": name(32768)}}}}},
                "responses": {
                    "200": {"description": "Issue created", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {
                            "status": {"const": "success"}, "result": {"type": "string"},
                            "issue_url": {"type": ["string", "null"]}, "issue_number": {"type": ["integer", "null"]},
                            "analysis": {}, "iterations": {"type": "integer"}, "fallback": {"type": "boolean"},
                            "run_id": {"type": "string"}}}}}},
                    "202": {"description": "Accepted (async mode)"},
                    "413": error_response("Body too large"),
                    "422": error_response("Invalid request; error.field names the field"),
                    "502": error_response("LLM or MCP failure, no issue filed"),
                    "500": error_response("The run failed unexpectedly (error.kind internal)"),
                    "503": error_response("Not ready (MCP servers not connected), or overloaded (error.kind overloaded, with a Retry-After header)"),
                    "504": error_response("Run deadline exceeded")}}},
            "/runs/{id}": {"get": {"summary": "Result of an async run",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Running, or the final body"}, "404": error_response("Unknown run")}}},
            "/health": {"get": {"summary": "Liveness", "responses": {"200": {"description": "{\"status\":\"healthy\"}"}}}},
            "/readyz": {"get": {"summary": "Readiness: MCP sessions and tools", "responses": {
                "200": {"description": "Ready"}, "503": {"description": "Not ready"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "OpenMetrics text"}}}}
        },
        "components": {"schemas": {"Error": {"type": "object", "properties": {
            "status": {"const": "error"},
            "error": {"type": "object", "properties": {"kind": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}},
            "run_id": {"type": "string"}}}}}
    })
}
