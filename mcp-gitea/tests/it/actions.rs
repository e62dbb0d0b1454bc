//! `actions_run_read`/`actions_run_write` and `actions_config_read`/`actions_config_write`
//! against the emulator: workflows from the repository's files, dispatch with inputs,
//! seeded runs with jobs and logs, log preview bounds, artifacts, rerun, the missing
//! cancel endpoint, secrets and variables of a repository and an organization, and how
//! `-read-only` and `-scope` treat these tools.

use std::collections::BTreeSet;

use gitea_emulator::SeedJob;
use serde_json::json;

use super::common::{client, err, err_lab, ok, ok_lab, start};

const WORKFLOW: &str =
    "name: Build\non:\n  workflow_dispatch:\njobs:\n  build:\n    runs-on: ubuntu-latest\n";

#[tokio::test]
async fn runs_jobs_logs_and_artifacts() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    emu.put_file(
        "user1",
        "mcp",
        "main",
        ".gitea/workflows/build.yml",
        WORKFLOW.as_bytes(),
    );
    let c = client(&env.url, None).await;
    let read = |m: &str| json!({"method": m});

    let flows = ok_lab(&c, "actions_run_read", read("list_workflows")).await;
    assert_eq!(flows["total_count"], 1, "{flows}");
    assert_eq!(flows["workflows"][0]["path"], ".gitea/workflows/build.yml");
    let one = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "get_workflow", "workflow_id": "build.yml"}),
    )
    .await;
    assert_eq!(one["name"], "Build");

    let dispatched = ok_lab(
        &c,
        "actions_run_write",
        json!({"method": "dispatch_workflow", "workflow_id": "build.yml", "ref": "main", "inputs": {"level": "debug"}}),
    )
    .await;
    assert!(
        dispatched["workflow_run_id"].as_i64().is_some(),
        "{dispatched}"
    );
    let runs = emu.action_runs("user1", "mcp");
    assert_eq!(runs[0]["event"], "workflow_dispatch");
    assert_eq!(runs[0]["inputs"], json!({"level": "debug"}));

    let long: String = (1..=400)
        .map(|i| format!("line {i:03} of the build output\n"))
        .collect();
    let jobs = [
        SeedJob {
            name: "build",
            outcome: "success",
            log: "ok\n",
        },
        SeedJob {
            name: "test",
            outcome: "failure",
            log: &long,
        },
    ];
    let (run, job_ids) = emu.add_action_run(("user1", "mcp"), "build.yml", "main", &jobs);
    emu.add_artifact(run, "report", 4096);
    let failed = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "list_runs", "status": "failure"}),
    )
    .await;
    assert_eq!(failed["total_count"], 1, "{failed}");
    assert_eq!(failed["workflow_runs"][0]["id"], run);
    assert_eq!(failed["workflow_runs"][0]["workflow_id"], "build.yml");
    let got = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "get_run", "run_id": run}),
    )
    .await;
    assert_eq!(
        (got["status"].as_str(), got["conclusion"].as_str()),
        (Some("completed"), Some("failure"))
    );
    let listed = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "list_run_jobs", "run_id": run}),
    )
    .await;
    assert_eq!(listed["total_count"], 2, "{listed}");
    let all_jobs = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "list_jobs", "status": "failure"}),
    )
    .await;
    assert_eq!(all_jobs["jobs"][0]["name"], "test", "{all_jobs}");
    let test_job = job_ids[1];
    let job = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "get_job", "job_id": test_job}),
    )
    .await;
    assert_eq!(job["conclusion"], "failure");

    // The preview keeps the last lines, then the last max_bytes of them.
    let preview = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "get_job_log_preview", "job_id": test_job, "tail_lines": 2}),
    )
    .await;
    assert_eq!(
        preview["log"],
        "line 399 of the build output\nline 400 of the build output"
    );
    assert_eq!(preview["truncated"], true);
    assert_eq!(preview["bytes"], long.len());
    let capped = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "get_job_log_preview", "job_id": test_job, "max_bytes": "1024"}),
    )
    .await;
    let text = capped["log"].as_str().unwrap();
    assert!(
        text.len() <= 1024 && text.ends_with("line 400 of the build output"),
        "{capped}"
    );
    assert_eq!(capped["max_bytes"], 1024);
    let whole = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "download_job_log", "job_id": test_job}),
    )
    .await;
    assert_eq!(whole["log"], long.as_str());
    assert_eq!(whole["truncated"], false);

    let arts = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "list_run_artifacts", "run_id": run}),
    )
    .await;
    assert_eq!(arts["artifacts"][0]["name"], "report", "{arts}");
    let id = arts["artifacts"][0]["id"].clone();
    let dl = ok_lab(
        &c,
        "actions_run_read",
        json!({"method": "download_artifact", "artifact_id": id}),
    )
    .await;
    assert!(
        dl["archive_download_url"]
            .as_str()
            .unwrap()
            .ends_with("/zip"),
        "{dl}"
    );
    assert_eq!(dl["size_in_bytes"], 4096);

    let again = ok_lab(
        &c,
        "actions_run_write",
        json!({"method": "rerun_run", "run_id": run}),
    )
    .await;
    assert_eq!(again["run_attempt"], 2, "{again}");
    let rerun = emu
        .action_runs("user1", "mcp")
        .into_iter()
        .find(|r| r["id"] == run)
        .unwrap();
    assert_eq!(
        (rerun["attempt"].clone(), rerun["status"].clone()),
        (json!(2), json!("queued"))
    );

    // Error paths: a missing argument is named, Gitea's 404 carries its reason, and the
    // cancel endpoint Gitea 1.26 lacks is explained.
    assert_eq!(
        err_lab(&c, "actions_run_read", json!({"method": "get_run"})).await,
        "run_id is required"
    );
    let e = err_lab(
        &c,
        "actions_run_read",
        json!({"method": "get_run", "run_id": 99999}),
    )
    .await;
    assert!(
        e.starts_with("get user1/mcp run 99999 err: request failed with status 404"),
        "{e}"
    );
    let e = err_lab(
        &c,
        "actions_run_write",
        json!({"method": "cancel_run", "run_id": run}),
    )
    .await;
    assert!(
        e.contains("status 404") && e.contains("no API to cancel"),
        "{e}"
    );
    let e = err_lab(&c, "actions_run_write", json!({"method": "dispatch_workflow", "workflow_id": "build.yml", "ref": "main", "inputs": "x"})).await;
    assert_eq!(e, "inputs must be an object");
    let e = err_lab(
        &c,
        "actions_run_write",
        json!({"method": "dispatch_workflow", "workflow_id": "nope.yml", "ref": "main"}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
    assert_eq!(
        err_lab(&c, "actions_run_read", json!({"method": "tail"})).await,
        "unknown method: tail"
    );
    assert_eq!(
        err(&c, "actions_run_read", json!({"method": "list_runs"})).await,
        "owner is required"
    );
}

#[tokio::test]
async fn secrets_and_variables() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    emu.create_org("lab-org", "gitea-admin");
    let c = client(&env.url, None).await;

    let saved = ok_lab(&c, "actions_config_write", json!({"method": "upsert_repo_secret", "name": "deploy_key", "data": "s3cret", "description": "key"})).await;
    assert_eq!(saved, json!("Secret saved"));
    let listed = ok_lab(
        &c,
        "actions_config_read",
        json!({"method": "list_repo_secrets"}),
    )
    .await;
    assert_eq!(
        listed,
        json!([{"name": "DEPLOY_KEY", "description": "key", "created_at": listed[0]["created_at"]}])
    );
    assert!(!listed.to_string().contains("s3cret"));
    ok_lab(
        &c,
        "actions_config_write",
        json!({"method": "create_repo_variable", "name": "REGISTRY", "value": "quay.io"}),
    )
    .await;
    ok_lab(
        &c,
        "actions_config_write",
        json!({"method": "update_repo_variable", "name": "REGISTRY", "value": "ghcr.io"}),
    )
    .await;
    let var = ok_lab(
        &c,
        "actions_config_read",
        json!({"method": "get_repo_variable", "name": "registry"}),
    )
    .await;
    assert_eq!(var["value"], "ghcr.io", "{var}");
    assert_eq!(
        emu.action_settings("user1", Some("mcp")),
        (
            vec![("REGISTRY".to_string(), "ghcr.io".to_string())],
            vec!["DEPLOY_KEY".to_string()]
        )
    );
    ok_lab(
        &c,
        "actions_config_write",
        json!({"method": "delete_repo_secret", "name": "DEPLOY_KEY"}),
    )
    .await;
    ok_lab(
        &c,
        "actions_config_write",
        json!({"method": "delete_repo_variable", "name": "REGISTRY"}),
    )
    .await;
    assert_eq!(emu.action_settings("user1", Some("mcp")), (vec![], vec![]));

    // Organization settings, as its member (the admin); user1 is not one.
    let admin = client(&env.url, Some(&env.lab.admin_token)).await;
    ok(
        &admin,
        "actions_config_write",
        json!({"method": "create_org_variable", "org": "lab-org", "name": "ENV", "value": "lab"}),
    )
    .await;
    ok(
        &admin,
        "actions_config_write",
        json!({"method": "upsert_org_secret", "org": "lab-org", "name": "TOKEN", "data": "t"}),
    )
    .await;
    let vars = ok(
        &admin,
        "actions_config_read",
        json!({"method": "list_org_variables", "org": "lab-org"}),
    )
    .await;
    assert_eq!(
        vars,
        json!([{"name": "ENV", "value": "lab", "description": ""}])
    );
    let secrets = ok(
        &admin,
        "actions_config_read",
        json!({"method": "list_org_secrets", "org": "lab-org"}),
    )
    .await;
    assert_eq!(secrets[0]["name"], "TOKEN");
    let e = err(
        &c,
        "actions_config_read",
        json!({"method": "list_org_secrets", "org": "lab-org"}),
    )
    .await;
    assert!(e.contains("status 403"), "{e}");

    assert_eq!(
        err(
            &c,
            "actions_config_read",
            json!({"method": "list_org_variables"})
        )
        .await,
        "org is required"
    );
    assert_eq!(
        err_lab(
            &c,
            "actions_config_write",
            json!({"method": "upsert_repo_secret", "name": "X"})
        )
        .await,
        "data is required"
    );
    assert_eq!(
        err_lab(
            &c,
            "actions_config_write",
            json!({"method": "create_repo_variable"})
        )
        .await,
        "name is required"
    );
    let e = err_lab(
        &c,
        "actions_config_read",
        json!({"method": "get_repo_variable", "name": "NOPE"}),
    )
    .await;
    assert!(
        e.contains("status 404") && e.contains("get user1/mcp variable NOPE"),
        "{e}"
    );
}

#[tokio::test]
async fn read_only_and_scope_filters_classify_the_new_tools() {
    let env = start(|c| c.read_only = true).await;
    let c = client(&env.url, None).await;
    let listed: BTreeSet<String> = c
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    for read in [
        "actions_run_read",
        "actions_config_read",
        "wiki_read",
        "timetracking_read",
        "notification_read",
        "package_read",
        "project_read",
        "attachment_read",
    ] {
        assert!(listed.contains(read), "{read} hidden in read-only mode");
    }
    for write in [
        "actions_run_write",
        "actions_config_write",
        "wiki_write",
        "timetracking_write",
        "notification_write",
        "package_write",
        "project_write",
    ] {
        assert!(!listed.contains(write), "{write} listed in read-only mode");
    }
    let e = err_lab(&c, "wiki_write", json!({"method": "create", "title": "x"})).await;
    assert!(e.contains("read-only"), "{e}");
    assert!(env.emu().wiki_page("user1", "mcp", "x").is_none());

    let env = start(|c| c.scopes = ["actions".to_string()].into()).await;
    let c = client(&env.url, None).await;
    let listed: BTreeSet<String> = c
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    let expected: BTreeSet<String> = [
        "actions_config_read",
        "actions_config_write",
        "actions_run_read",
        "actions_run_write",
    ]
    .map(String::from)
    .into();
    assert_eq!(listed, expected);
}
