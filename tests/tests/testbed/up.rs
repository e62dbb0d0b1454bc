//! `testbed up --no-platform` (the emulators only) as a user runs it: start the binary, wait for the env file, talk to
//! every service it lists, then stop it with SIGINT (Ctrl-C) and expect a clean exit.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::up_process::{Running, interrupt, temp_dir, wait_for_env};

/// How long `up` may take to write its env file, and to stop after Ctrl-C.
const ENV_FILE_LIMIT: Duration = Duration::from_secs(60);
const SIGINT_LIMIT: Duration = Duration::from_secs(20);

fn start(args: &[&str], env_file: &Path) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_testbed"))
        .env("RUST_LOG", "warn")
        .arg("up")
        .args(args)
        .arg("--env-file")
        .arg(env_file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    Running(child)
}

/// A client whose requests give up after `timeout`, so a hung service fails the test.
fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder().timeout(timeout).build().unwrap()
}

/// Sends `request` and requires a successful answer with a JSON body.
async fn ok_json(request: reqwest::RequestBuilder) -> Value {
    let response = request.send().await.unwrap().error_for_status().unwrap();
    response.json().await.unwrap()
}

/// Runs `testbed up --only llm --llm-script <script>` to its end (a bad script must stop
/// it before it serves).
fn up_llm_with_script(script: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_testbed"))
        .args(["up", "--only", "llm", "--llm-script", script])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[tokio::test]
async fn up_serves_every_emulator_and_stops_on_sigint() {
    let dir = temp_dir("testbed-up-all");
    let env_file = dir.join("testbed.env");
    let mut running = start(
        &[
            "--no-platform",
            "--seed",
            "lab",
            "--state-dir",
            dir.to_str().unwrap(),
            "--llm-model",
            "llama-scout-17b",
        ],
        &env_file,
    );
    let env = wait_for_env(&env_file, &mut running.0, ENV_FILE_LIMIT);
    for key in [
        "KUBECONFIG",
        "KUBE_API_URL",
        "LLM_URL",
        "LLM_API_KEY",
        "LITELLM_MASTER_KEY",
    ] {
        assert!(env.contains_key(key), "{key} missing from {env:?}");
    }

    // Kubernetes: the kubeconfig works and the lab is seeded.
    let kubeconfig = kube::config::Kubeconfig::read_from(&env["KUBECONFIG"]).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    assert_eq!(
        config.cluster_url.to_string().trim_end_matches('/'),
        env["KUBE_API_URL"]
    );
    let client = kube::Client::try_from(config).unwrap();
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(client);
    let names: Vec<String> = tokio::time::timeout(
        Duration::from_secs(10),
        namespaces.list(&Default::default()),
    )
    .await
    .unwrap()
    .unwrap()
    .items
    .into_iter()
    .filter_map(|ns| ns.metadata.name)
    .collect();
    assert!(names.contains(&"agent-user1".to_string()), "{names:?}");

    // LLM: the key answers chat on the chosen model, the master key manages keys.
    let http = http_client(Duration::from_secs(10));
    assert!(env["LLM_URL"].ends_with("/v1"));
    let answer = ok_json(
        http.post(format!("{}/chat/completions", env["LLM_URL"]))
            .bearer_auth(&env["LLM_API_KEY"])
            .json(&json!({
                "model": "llama-scout-17b",
                "messages": [{"role": "user", "content": "why did my build fail?"}],
                "tools": [{"type": "function", "function": {"name": "pods_log", "parameters": {}}}],
            })),
    )
    .await;
    // `--seed lab` gives the LLM the lab script: it first reads the failed step's log.
    let call = &answer["choices"][0]["message"]["tool_calls"][0]["function"];
    assert_eq!(call["name"], "pods_log");
    let args: Value = serde_json::from_str(call["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args["namespace"], "agent-user1");
    let generated = http
        .post(format!(
            "{}/key/generate",
            env["LLM_URL"].trim_end_matches("/v1")
        ))
        .bearer_auth(&env["LITELLM_MASTER_KEY"])
        .json(&json!({"key_alias": "virtkey-test", "models": ["llama-scout-17b"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(generated.status(), 200);

    // Gitea: the user token and admin basic auth work; the lab repo has `broken`.
    let user = ok_json(
        http.get(format!("{}/api/v1/user", env["GITEA_URL"]))
            .header(
                "authorization",
                format!("token {}", env["GITEA_USER_TOKEN"]),
            ),
    )
    .await;
    assert_eq!(user["login"], env["GITEA_USER"].as_str());
    let admin_list = http
        .get(format!("{}/api/v1/admin/users", env["GITEA_URL"]))
        .basic_auth(&env["GITEA_ADMIN_USER"], Some(&env["GITEA_ADMIN_PASSWORD"]))
        .send()
        .await
        .unwrap();
    assert_eq!(admin_list.status(), 200);
    let repo = http
        .get(format!(
            "{}/api/v1/repos/{}/mcp/branches/broken",
            env["GITEA_URL"], env["GITEA_USER"]
        ))
        .header(
            "authorization",
            format!("token {}", env["GITEA_ADMIN_TOKEN"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(repo.status(), 200);

    let status = interrupt(running, SIGINT_LIMIT).0;
    assert!(status.success(), "exit status {status}");
    assert!(!env_file.exists(), "the env file is removed on exit");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unknown_component_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_testbed"))
        .args(["up", "--only", "nothing"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing"));
}

#[tokio::test]
async fn only_llm_starts_just_the_llm() {
    let dir = temp_dir("testbed-up-llm");
    let env_file = dir.join("llm.env");
    let script = dir.join("script.yaml");
    std::fs::write(&script, "turns:\n  - text: scripted from a file\n").unwrap();
    let mut running = start(
        &[
            "--only",
            "llm",
            "--llm-api-key",
            "sk-chosen",
            "--llm-script",
            script.to_str().unwrap(),
        ],
        &env_file,
    );
    let env = wait_for_env(&env_file, &mut running.0, ENV_FILE_LIMIT);
    assert!(
        !env.contains_key("KUBECONFIG") && !env.contains_key("GITEA_URL"),
        "{env:?}"
    );
    let http = http_client(Duration::from_secs(10));
    let models = ok_json(
        http.get(format!("{}/models", env["LLM_URL"]))
            .bearer_auth(&env["LLM_API_KEY"]),
    )
    .await;
    assert_eq!(models["data"][0]["id"], "local");
    let answer = ok_json(
        http.post(format!("{}/chat/completions", env["LLM_URL"]))
            .bearer_auth(&env["LLM_API_KEY"])
            .json(&json!({"model": "local", "messages": [{"role": "user", "content": "hi"}]})),
    )
    .await;
    assert_eq!(
        answer["choices"][0]["message"]["content"],
        "scripted from a file"
    );
    let status = interrupt(running, SIGINT_LIMIT).0;
    assert!(status.success(), "exit status {status}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_script_file_fails_before_serving() {
    let dir = temp_dir("testbed-up-bad");
    let script = dir.join("bad.yaml");
    std::fs::write(&script, "turns: [ { txt: typo } ]").unwrap();
    let output = up_llm_with_script(script.to_str().unwrap());
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("txt"), "{stderr}");
    let missing = up_llm_with_script("/nonexistent/script.yaml");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/script.yaml"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn sigint_ends_up_even_with_a_request_in_flight() {
    let dir = temp_dir("testbed-up-busy");
    let script = dir.join("slow.yaml");
    std::fs::write(&script, "turns:\n  - { text: slow, delay_ms: 60000 }\n").unwrap();
    let env_file = dir.join("busy.env");
    let mut running = start(
        &["--only", "llm", "--llm-script", script.to_str().unwrap()],
        &env_file,
    );
    let env = wait_for_env(&env_file, &mut running.0, ENV_FILE_LIMIT);
    let http = http_client(Duration::from_secs(30));
    let url = format!("{}/chat/completions", env["LLM_URL"]);
    let key = env["LLM_API_KEY"].clone();
    let pending = tokio::spawn(async move {
        http.post(url)
            .bearer_auth(key)
            .json(&json!({"model": "local", "messages": [{"role": "user", "content": "hi"}]}))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let status = interrupt(running, SIGINT_LIMIT).0;
    assert!(status.success(), "exit status {status}");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(
        pending.await.unwrap().is_err(),
        "the slow request is cut off"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The provisioner README's first steps as a new user takes them: `testbed up
/// --no-platform`, then `provisioner provision` with nothing but the env file. The stack
/// runs the simulated controllers and writes the provisioner's settings, so the tenant
/// becomes ready (before, the wait sat silent for 300 s and failed); with
/// `--no-controllers` nothing becomes ready and the wait's error says what it waited for.
#[tokio::test]
async fn a_tenant_provisioned_on_the_emulators_only_stack_becomes_ready() {
    use clap::Parser;
    use provisioner::cli::{Cli, run};
    for (controllers, user) in [(true, "user57"), (false, "user58")] {
        let dir = temp_dir("testbed-up-provision");
        let env_file = dir.join("testbed.env");
        let mut args = vec!["--no-platform", "--state-dir", dir.to_str().unwrap()];
        if !controllers {
            args.push("--no-controllers");
        }
        let mut running = start(&args, &env_file);
        let env = wait_for_env(&env_file, &mut running.0, ENV_FILE_LIMIT);
        let mut values = env
            .get("PROVISIONER_VALUES")
            .unwrap_or_else(|| panic!("PROVISIONER_VALUES missing: {env:?}"))
            .clone();
        if !controllers {
            // nothing will become ready: give up after two seconds, not two minutes
            let text = std::fs::read_to_string(&values).unwrap();
            assert!(text.contains("waitSeconds: 120"), "{text}");
            values = dir.join("short-wait.yaml").display().to_string();
            std::fs::write(&values, text.replace("waitSeconds: 120", "waitSeconds: 2")).unwrap();
        }
        // what `source .env` gives the provisioner through clap's `env = ...`
        let mut argv = vec![
            "provisioner",
            "provision",
            "--username",
            user,
            "--guid",
            "kd7wl",
        ];
        argv.extend(["--values", values.as_str()]);
        for (flag, key) in [
            ("--helm", "HELM_BIN"),
            ("--charts-dir", "PROVISIONER_CHARTS_DIR"),
        ] {
            let value = env
                .get(key)
                .unwrap_or_else(|| panic!("{key} missing: {env:?}"));
            argv.extend([flag, value.as_str()]);
        }
        let cli = Cli::try_parse_from(&argv).unwrap();
        let outcome = tokio::time::timeout(Duration::from_secs(180), run(cli, &env))
            .await
            .expect("provision hung");
        if controllers {
            let report = outcome.unwrap();
            assert!(
                report.contains("applications synced and healthy"),
                "{report}"
            );
        } else {
            let err = outcome.unwrap_err().to_string();
            assert!(
                err.contains("step `wait` failed: timed out after 2."),
                "{err}"
            );
            assert!(
                err.contains(&format!(
                    "Application openshift-gitops/agent-{user} is unknown/unknown (wants Synced/Healthy)"
                )),
                "{err}"
            );
        }
        let (status, _) = interrupt(running, SIGINT_LIMIT);
        assert!(status.success(), "{status}");
    }
}
