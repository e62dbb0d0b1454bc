//! Time tracking: `timetracking_read` (tracked times of an issue, a repository or the
//! caller; the caller's running stopwatches) and `timetracking_write` (start, stop or
//! discard a stopwatch; add or delete a tracked time). Empty lists are answered with a
//! message, as upstream does.

use serde_json::{Value, json};

use super::{RepoRef, ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, number_param, paging, string_param};

const READ: &[&str] = &[
    "list_issue_times",
    "list_repo_times",
    "get_my_stopwatches",
    "get_my_times",
];
const WRITE: &[&str] = &[
    "start_stopwatch",
    "stop_stopwatch",
    "delete_stopwatch",
    "add_time",
    "delete_time",
];

pub(super) fn specs() -> Vec<ToolSpec> {
    let target = [
        string_param("owner", "repository owner"),
        string_param("repo", "repository name"),
        number_param("issue_number", "issue number"),
    ];
    vec![
        ToolSpec::new(
            "timetracking_read",
            "timetracking",
            Kind::Read,
            "Read tracked time and stopwatches",
            "Tracked times of an issue, a repository or yourself; your running stopwatches.",
        )
        .runs(handler!(timetracking_read))
        .params([method(READ)])
        .params(target.clone())
        .params(paging(30))
        .required(&["method"]),
        ToolSpec::new(
            "timetracking_write",
            "timetracking",
            Kind::Destructive,
            "Track time on issues",
            "Start, stop or delete a stopwatch on an issue; add time (seconds) or delete a tracked time (id).",
        )
        .runs(handler!(timetracking_write))
        .params([method(WRITE)])
        .params(target)
        .params([
            number_param("time", "seconds to add (add_time)"),
            number_param("id", "tracked time id (delete_time)"),
        ])
        .required(&["method"]),
    ]
}

fn tracked(v: &Value) -> Value {
    let mut out = json!({
        "id": v["id"],
        "time": v["time"],
        "user_name": v["user_name"],
        "created": v["created"],
    });
    if let Some(n) = v["issue"]["number"].as_i64() {
        out["issue_number"] = json!(n);
        out["issue_title"] = v["issue"]["title"].clone();
    }
    out
}

fn stopwatch(v: &Value) -> Value {
    json!({
        "issue_index": v["issue_index"],
        "issue_title": v["issue_title"],
        "repository": format!("{}/{}", v["repo_owner_name"].as_str().unwrap_or_default(), v["repo_name"].as_str().unwrap_or_default()),
        "created": v["created"],
        "seconds": v["seconds"],
        "duration": v["duration"],
    })
}

/// A slim list, or `empty` as a message when there is nothing.
fn listed(got: &Value, f: fn(&Value) -> Value, empty: String) -> Value {
    match got.as_array() {
        Some(items) if !items.is_empty() => items.iter().map(f).collect(),
        _ => json!(empty),
    }
}

async fn timetracking_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, READ)?;
    let q = page_query(args, 30)?;
    match m.as_str() {
        "list_issue_times" => {
            let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
            let n = args.int_req("issue_number")?;
            let got = ctx
                .get(format!("{base}/issues/{n}/times"))
                .query(q)
                .send(&format!("list {full}#{n} tracked times"))
                .await?;
            Ok(listed(
                &got,
                tracked,
                format!("No tracked times for {full}#{n}"),
            ))
        }
        "list_repo_times" => {
            let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
            let got = ctx
                .get(format!("{base}/times"))
                .query(q)
                .send(&format!("list {full} tracked times"))
                .await?;
            Ok(listed(&got, tracked, format!("No tracked times in {full}")))
        }
        "get_my_stopwatches" => {
            let got = ctx
                .get("/user/stopwatches")
                .query(q)
                .send("list my stopwatches")
                .await?;
            Ok(listed(&got, stopwatch, "No active stopwatches".into()))
        }
        _ => {
            let got = ctx
                .get("/user/times")
                .query(q)
                .send("list my tracked times")
                .await?;
            Ok(listed(&got, tracked, "No tracked times".into()))
        }
    }
}

async fn timetracking_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, WRITE)?;
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let n = args.int_req("issue_number")?;
    let issue = format!("{base}/issues/{n}");
    match m.as_str() {
        "start_stopwatch" | "stop_stopwatch" => {
            let verb = m.trim_end_matches("_stopwatch");
            ctx.post(format!("{issue}/stopwatch/{verb}"))
                .send(&format!("{verb} stopwatch on {full}#{n}"))
                .await?;
            Ok(json!(if verb == "start" {
                "Stopwatch started"
            } else {
                "Stopwatch stopped"
            }))
        }
        "delete_stopwatch" => {
            ctx.delete(format!("{issue}/stopwatch/delete"))
                .send(&format!("delete stopwatch on {full}#{n}"))
                .await?;
            Ok(json!("Stopwatch deleted"))
        }
        "add_time" => {
            let seconds = args.int_req("time")?;
            if seconds <= 0 {
                return Err(ToolError::invalid(
                    "time",
                    "must be a positive number of seconds",
                ));
            }
            let body = json!({"time": seconds});
            let got = ctx
                .post(format!("{issue}/times"))
                .json(&body)
                .send(&format!("add time to {full}#{n}"))
                .await?;
            Ok(tracked(&got))
        }
        _ => {
            let id = args.int_req("id")?;
            ctx.delete(format!("{issue}/times/{id}"))
                .send(&format!("delete tracked time {id} of {full}#{n}"))
                .await?;
            Ok(json!("Tracked time deleted"))
        }
    }
}
