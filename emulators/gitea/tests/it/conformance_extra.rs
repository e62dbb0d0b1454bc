//! Conformance of the areas the Gitea MCP server's newer tool groups use: wiki, time
//! tracking, notifications, packages, Actions settings and runs, and issue attachments.
//! Part of `conformance::every_operation_conforms_to_the_swagger`; runs after
//! `users_and_admin` created `lab-org` (the admin is a member, `user1` is not).

use base64::Engine;
use gitea_emulator::{GiteaEmulator, SeedJob};
use serde_json::json;

use super::checker::{Checker, Who};

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

pub(crate) async fn wiki(c: &mut Checker<'_>, user: &str) {
    let u = Who::Token(user);
    let base = "/repos/user1/mcp/wiki";
    let page =
        json!({"title": "Build Notes", "content_base64": b64("# Notes\n"), "message": "add notes"});
    let made = c.post(u, &format!("{base}/new"), page.clone(), 201).await;
    assert_eq!(made["sub_url"], "Build-Notes", "{made}");
    c.post(u, &format!("{base}/new"), page, 400).await;
    c.post(
        u,
        &format!("{base}/new"),
        json!({"content_base64": b64("x")}),
        400,
    )
    .await;
    let listed = c
        .get(u, &format!("{base}/pages?page=1&limit=10"), 200)
        .await;
    assert_eq!(listed[0]["title"], "Build Notes", "{listed}");
    let got = c
        .get(Who::Anonymous, &format!("{base}/page/Build-Notes"), 200)
        .await;
    assert_eq!(got["content_base64"], b64("# Notes\n"));
    c.get(u, &format!("{base}/page/Nope"), 404).await;
    let edit = json!({"content_base64": b64("# Notes v2\n"), "message": "v2"});
    let edited = c
        .patch(u, &format!("{base}/page/Build-Notes"), edit, 200)
        .await;
    assert_eq!(edited["commit_count"], 2, "{edited}");
    let revs = c
        .get(u, &format!("{base}/revisions/Build-Notes?page=1"), 200)
        .await;
    assert_eq!(revs["count"], 2, "{revs}");
    assert_eq!(revs["commits"][0]["message"], "v2");
    c.get(u, &format!("{base}/revisions/Nope"), 404).await;
    c.delete(u, &format!("{base}/page/Build-Notes"), 204).await;
    c.delete(u, &format!("{base}/page/Build-Notes"), 404).await;
}

pub(crate) async fn times(c: &mut Checker<'_>, user: &str) {
    let u = Who::Token(user);
    let issue = "/repos/user1/mcp/issues/1";
    let added = c
        .post(u, &format!("{issue}/times"), json!({"time": 1800}), 200)
        .await;
    assert_eq!(added["time"], 1800, "{added}");
    let id = added["id"].as_i64().unwrap_or(0);
    c.post(u, &format!("{issue}/times"), json!({}), 422).await;
    let listed = c
        .get(u, &format!("{issue}/times?page=1&limit=10"), 200)
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    c.get(u, "/repos/user1/mcp/issues/999/times", 404).await;
    let repo = c.get(u, "/repos/user1/mcp/times?user=user1", 200).await;
    assert_eq!(repo[0]["user_name"], "user1", "{repo}");
    let mine = c.get(u, "/user/times", 200).await;
    assert_eq!(mine[0]["id"], id, "{mine}");
    c.call(u, "POST", &format!("{issue}/stopwatch/start"), None, 201)
        .await;
    c.call(u, "POST", &format!("{issue}/stopwatch/start"), None, 409)
        .await;
    let watches = c.get(u, "/user/stopwatches", 200).await;
    assert_eq!(watches[0]["issue_index"], 1, "{watches}");
    c.call(u, "POST", &format!("{issue}/stopwatch/stop"), None, 201)
        .await;
    c.call(u, "POST", &format!("{issue}/stopwatch/stop"), None, 409)
        .await;
    c.call(u, "POST", &format!("{issue}/stopwatch/start"), None, 201)
        .await;
    c.delete(u, &format!("{issue}/stopwatch/delete"), 204).await;
    c.delete(u, &format!("{issue}/stopwatch/delete"), 409).await;
    c.delete(u, &format!("{issue}/times/{id}"), 204).await;
    c.delete(u, &format!("{issue}/times/{id}"), 404).await;
}

pub(crate) async fn notifications(
    c: &mut Checker<'_>,
    emu: &GiteaEmulator,
    admin: &str,
    user: &str,
) {
    let a = Who::Token(admin);
    let first = emu.notify("gitea-admin", "user1", "mcp", 1);
    emu.notify("gitea-admin", "user1", "mcp", 1);
    let listed = c
        .get(
            a,
            "/notifications?status-types=unread&subject-type=issue",
            200,
        )
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(listed[0]["subject"]["type"], "Issue");
    let repo = c
        .get(a, "/repos/user1/mcp/notifications?all=true", 200)
        .await;
    assert_eq!(repo.as_array().map(Vec::len), Some(2), "{repo}");
    let one = c
        .get(a, &format!("/notifications/threads/{first}"), 200)
        .await;
    assert_eq!(one["unread"], true);
    // `user1` may not read the admin's thread (and lacks the scope anyway).
    c.get(
        Who::Token(user),
        &format!("/notifications/threads/{first}"),
        403,
    )
    .await;
    c.get(a, "/notifications/threads/99999", 404).await;
    let marked = c
        .call(
            a,
            "PATCH",
            &format!("/notifications/threads/{first}?to-status=read"),
            None,
            205,
        )
        .await;
    assert_eq!(marked["unread"], false, "{marked}");
    let rest = c
        .call(
            a,
            "PUT",
            "/repos/user1/mcp/notifications?to-status=read",
            None,
            205,
        )
        .await;
    assert_eq!(rest.as_array().map(Vec::len), Some(1), "{rest}");
    let none = c.call(a, "PUT", "/notifications?all=true", None, 205).await;
    assert_eq!(none, json!([]));
}

pub(crate) async fn packages(c: &mut Checker<'_>, emu: &GiteaEmulator, admin: &str, user: &str) {
    let a = Who::Token(admin);
    emu.add_package("user1", "generic", "agent", "1.0.0");
    emu.add_package("user1", "generic", "agent", "1.1.0");
    emu.add_package("user1", "npm", "ui", "0.1.0");
    let all = c
        .get(a, "/packages/user1?type=generic&q=age&page=1&limit=10", 200)
        .await;
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
    let versions = c.get(a, "/packages/user1/generic/agent", 200).await;
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");
    c.get(a, "/packages/user1/generic/nope", 404).await;
    c.get(a, "/packages/ghost", 404).await;
    let one = c.get(a, "/packages/user1/generic/agent/1.0.0", 200).await;
    assert_eq!(one["version"], "1.0.0");
    // `user1`'s token has no package scope.
    c.delete(Who::Token(user), "/packages/user1/generic/agent/1.0.0", 403)
        .await;
    c.delete(a, "/packages/user1/generic/agent/1.0.0", 204)
        .await;
    c.get(a, "/packages/user1/generic/agent/1.0.0", 404).await;
}

pub(crate) async fn actions_config(c: &mut Checker<'_>, admin: &str, user: &str) {
    let (a, u) = (Who::Token(admin), Who::Token(user));
    for base in ["/repos/user1/mcp/actions", "/orgs/lab-org/actions"] {
        let who = if base.starts_with("/orgs") { a } else { u };
        let secret = json!({"data": "s3cret", "description": "deploy key"});
        c.put(
            who,
            &format!("{base}/secrets/deploy_key"),
            secret.clone(),
            201,
        )
        .await;
        c.put(who, &format!("{base}/secrets/DEPLOY_KEY"), secret, 204)
            .await;
        c.put(
            who,
            &format!("{base}/secrets/GITEA_X"),
            json!({"data": "x"}),
            400,
        )
        .await;
        let listed = c
            .get(who, &format!("{base}/secrets?page=1&limit=10"), 200)
            .await;
        assert_eq!(listed[0]["name"], "DEPLOY_KEY", "{listed}");
        assert!(listed[0].get("data").is_none(), "{listed}");
        c.delete(who, &format!("{base}/secrets/DEPLOY_KEY"), 204)
            .await;
        c.delete(who, &format!("{base}/secrets/DEPLOY_KEY"), 404)
            .await;
        let var = json!({"value": "quay.io", "description": "registry"});
        c.post(who, &format!("{base}/variables/registry"), var.clone(), 201)
            .await;
        c.post(who, &format!("{base}/variables/registry"), var, 409)
            .await;
        let got = c.get(who, &format!("{base}/variables/REGISTRY"), 200).await;
        assert_eq!(got["data"], "quay.io", "{got}");
        let upd = json!({"value": "ghcr.io", "name": "REGISTRY_HOST"});
        c.put(who, &format!("{base}/variables/REGISTRY"), upd, 204)
            .await;
        let vars = c
            .get(who, &format!("{base}/variables?page=1&limit=10"), 200)
            .await;
        assert_eq!(vars[0]["name"], "REGISTRY_HOST", "{vars}");
        c.get(who, &format!("{base}/variables/REGISTRY"), 404).await;
        c.delete(who, &format!("{base}/variables/REGISTRY_HOST"), 204)
            .await;
        c.delete(who, &format!("{base}/variables/REGISTRY_HOST"), 404)
            .await;
    }
    // Not a member of lab-org, and another user's repository.
    c.get(u, "/orgs/lab-org/actions/secrets", 403).await;
    c.get(a, "/orgs/nobody/actions/variables", 404).await;
}

pub(crate) async fn actions_runs(c: &mut Checker<'_>, emu: &GiteaEmulator, user: &str) {
    let u = Who::Token(user);
    let wf = "name: Build\non:\n  workflow_dispatch:\njobs:\n  build:\n    runs-on: ubuntu-latest\n  test:\n    runs-on: ubuntu-latest\n";
    emu.put_file(
        "user1",
        "mcp",
        "main",
        ".gitea/workflows/build.yml",
        wf.as_bytes(),
    );
    let base = "/repos/user1/mcp/actions";
    let flows = c.get(u, &format!("{base}/workflows"), 200).await;
    assert_eq!(flows["total_count"], 1, "{flows}");
    assert_eq!(flows["workflows"][0]["id"], "build.yml");
    let one = c.get(u, &format!("{base}/workflows/build.yml"), 200).await;
    assert_eq!(one["name"], "Build");
    c.get(u, &format!("{base}/workflows/nope.yml"), 404).await;
    let dispatch = json!({"ref": "main", "inputs": {"level": "debug"}});
    c.post(
        u,
        &format!("{base}/workflows/build.yml/dispatches"),
        dispatch.clone(),
        204,
    )
    .await;
    let details = c
        .post(
            u,
            &format!("{base}/workflows/build.yml/dispatches?return_run_details=true"),
            dispatch,
            200,
        )
        .await;
    assert!(details["workflow_run_id"].as_i64().is_some(), "{details}");
    c.post(
        u,
        &format!("{base}/workflows/build.yml/dispatches"),
        json!({"ref": "nope"}),
        422,
    )
    .await;
    let jobs = [
        SeedJob {
            name: "build",
            outcome: "success",
            log: "building\nok\n",
        },
        SeedJob {
            name: "test",
            outcome: "failure",
            log: "test a ... FAILED\n",
        },
    ];
    let (run, job_ids) = emu.add_action_run(("user1", "mcp"), "build.yml", "main", &jobs);
    emu.add_artifact(run, "report", 2048);
    let runs = c
        .get(
            u,
            &format!("{base}/runs?status=failure&branch=main&event=push&page=1&limit=10"),
            200,
        )
        .await;
    assert_eq!(runs["total_count"], 1, "{runs}");
    assert_eq!(runs["workflow_runs"][0]["conclusion"], "failure");
    let all = c.get(u, &format!("{base}/runs"), 200).await;
    assert_eq!(all["total_count"], 3, "{all}");
    let got = c.get(u, &format!("{base}/runs/{run}"), 200).await;
    assert_eq!(got["status"], "completed");
    c.get(u, &format!("{base}/runs/99999"), 404).await;
    let rjobs = c
        .get(u, &format!("{base}/runs/{run}/jobs?status=failure"), 200)
        .await;
    assert_eq!(rjobs["jobs"][0]["name"], "test", "{rjobs}");
    let jobs_all = c.get(u, &format!("{base}/jobs?page=1&limit=50"), 200).await;
    assert_eq!(jobs_all["total_count"], 6, "{jobs_all}");
    let test_job = job_ids.get(1).copied().unwrap_or(0);
    let job = c.get(u, &format!("{base}/jobs/{test_job}"), 200).await;
    assert_eq!(job["conclusion"], "failure");
    let log = c.get(u, &format!("{base}/jobs/{test_job}/logs"), 200).await;
    assert_eq!(log, json!("test a ... FAILED\n"));
    c.get(u, &format!("{base}/jobs/99999/logs"), 404).await;
    let arts = c
        .get(u, &format!("{base}/artifacts?name=report"), 200)
        .await;
    assert_eq!(arts["total_count"], 1, "{arts}");
    let art_id = arts["artifacts"][0]["id"].as_i64().unwrap_or(0);
    c.get(u, &format!("{base}/artifacts/{art_id}"), 200).await;
    c.get(u, &format!("{base}/artifacts/99999"), 404).await;
    let run_arts = c.get(u, &format!("{base}/runs/{run}/artifacts"), 200).await;
    assert_eq!(run_arts["total_count"], 1, "{run_arts}");
    let again = c
        .call(u, "POST", &format!("{base}/runs/{run}/rerun"), None, 201)
        .await;
    assert_eq!(again["run_attempt"], 2, "{again}");
    c.call(u, "POST", &format!("{base}/runs/{run}/rerun"), None, 400)
        .await;
}

pub(crate) async fn attachments(c: &mut Checker<'_>, emu: &GiteaEmulator, user: &str) {
    let u = Who::Token(user);
    let (id, _) = emu.attach(("user1", "mcp", 1), None, "build.log", b"step 3 failed\n");
    let comment = c
        .post(
            u,
            "/repos/user1/mcp/issues/1/comments",
            json!({"body": "log attached"}),
            201,
        )
        .await;
    let cid = comment["id"].as_i64().unwrap_or(0);
    let (cat, _) = emu.attach(("user1", "mcp", 1), Some(cid), "shot.png", b"\x89PNG\r\n");
    let base = "/repos/user1/mcp/issues";
    let listed = c.get(u, &format!("{base}/1/assets"), 200).await;
    assert_eq!(listed[0]["name"], "build.log", "{listed}");
    let one = c.get(u, &format!("{base}/1/assets/{id}"), 200).await;
    assert_eq!(one["size"], 14);
    c.get(u, &format!("{base}/1/assets/{cat}"), 404).await;
    c.get(u, &format!("{base}/999/assets"), 404).await;
    let on_comment = c
        .get(u, &format!("{base}/comments/{cid}/assets"), 200)
        .await;
    assert_eq!(on_comment[0]["name"], "shot.png", "{on_comment}");
    c.get(u, &format!("{base}/comments/{cid}/assets/{cat}"), 200)
        .await;
    c.get(u, &format!("{base}/comments/99999/assets"), 404)
        .await;
}
