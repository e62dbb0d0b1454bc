//! The classifier over one realistic case per category and signal.

use serde_json::{Value, json};

use super::*;

struct Case {
    name: &'static str,
    pod: Value,
    events: Value,
    log: &'static str,
    category: Category,
    headline: &'static str,
}

fn case(
    name: &'static str,
    pod: Value,
    log: &'static str,
    category: Category,
    headline: &'static str,
) -> Case {
    Case {
        name,
        pod,
        events: json!([]),
        log,
        category,
        headline,
    }
}

fn cases() -> Vec<Case> {
    use Category::*;
    vec![
        case(
            "lab copy",
            exited(1),
            LAB_LOG,
            BuildCopyMissingFile,
            "buildah COPY failed, requirements.txt not found",
        ),
        case(
            "testbed lab log",
            exited(1),
            "STEP 4/7: COPY requirements.txt ./\nError: building at STEP \"COPY requirements.txt ./\": checking on sources under \"/workspace/source/agent\": copier: stat: \"/requirements.txt\": no such file or directory (image quay.io/x/agent:latest)",
            BuildCopyMissingFile,
            "buildah COPY failed, requirements.txt not found",
        ),
        case(
            "docker copy",
            exited(1),
            "COPY failed: file not found in build context or excluded by .dockerignore: stat app/main.py: file does not exist",
            BuildCopyMissingFile,
            "main.py not found",
        ),
        case(
            "buildkit copy",
            exited(1),
            "ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref x::y: \"/go.sum\": not found",
            BuildCopyMissingFile,
            "go.sum not found",
        ),
        case(
            "run failed",
            exited(1),
            "STEP 4/6: RUN make build\nmake: *** [Makefile:3: build] Error 2\nError: building at STEP \"RUN make build\": while running runtime: exit status 2\n",
            BuildRunFailed,
            "`make build` exited with 2",
        ),
        case(
            "no containerfile",
            exited(1),
            "Error: stat /workspace/source/agent/Containerfile: no such file or directory",
            BuildFailed,
            "Containerfile",
        ),
        case(
            "pip",
            exited(1),
            "Collecting fastapi==0.999\nERROR: Could not find a version that satisfies the requirement fastapi==0.999 (from versions: 0.1)\nERROR: No matching distribution found for fastapi==0.999\nError: building at STEP \"RUN pip install -r requirements.txt\": exit status 1",
            DependencyInstall,
            "pip dependency resolution failed: fastapi==0.999",
        ),
        case(
            "npm",
            exited(1),
            "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree",
            DependencyInstall,
            "npm could not resolve",
        ),
        case(
            "cargo",
            exited(101),
            "    Updating crates.io index\nerror: failed to select a version for the requirement `serde = \"^9.0\"`",
            DependencyInstall,
            "cargo dependency resolution failed: serde = \"^9.0\"",
        ),
        case(
            "pytest",
            exited(1),
            "tests/test_api.py::test_health FAILED\nFAILED tests/test_api.py::test_health - assert 500 == 200\n===== 1 failed, 12 passed in 0.8s =====",
            TestFailure,
            "test failed: tests/test_api.py::test_health",
        ),
        case(
            "cargo test",
            exited(101),
            "test result: FAILED. 10 passed; 2 failed; 0 ignored",
            TestFailure,
            "2 test(s) failed",
        ),
        case(
            "go test",
            exited(1),
            "--- FAIL: TestHandler (0.00s)",
            TestFailure,
            "TestHandler",
        ),
        case(
            "git auth",
            exited(1),
            "{\"level\":\"error\",\"msg\":\"Error running git [fetch]: exit status 128\\nfatal: could not read Username for 'https://gitea.example.com': No such device or address\\n\"}",
            GitAuth,
            "authentication required",
        ),
        case(
            "git rev",
            exited(1),
            "{\"level\":\"error\",\"msg\":\"Error running git [fetch origin broken2]: exit status 128\\nfatal: couldn't find remote ref broken2\\n\"}",
            GitRevisionNotFound,
            "revision broken2 not found",
        ),
        case(
            "git pathspec",
            exited(1),
            "error: pathspec 'feature/x' did not match any file(s) known to git",
            GitRevisionNotFound,
            "feature/x",
        ),
        case(
            "git repo",
            exited(128),
            "fatal: repository 'https://gitea.example.com/u/nope.git/' not found",
            GitClone,
            "git clone failed",
        ),
        case(
            "127 from log",
            exited(127),
            "/tekton/scripts/script-0-abc: line 3: jq: command not found",
            CommandNotFound,
            "jq: command not found",
        ),
        case(
            "127 exec",
            exited(127),
            "exec: \"mvn\": executable file not found in $PATH",
            CommandNotFound,
            "mvn",
        ),
        case(
            "126",
            exited(126),
            "/bin/sh: ./deploy.sh: Permission denied",
            NotExecutable,
            "not executable",
        ),
        case("137", exited(137), "", Killed, "SIGKILL"),
        case("143", exited(143), "", Terminated, "SIGTERM"),
        case(
            "exit 1",
            exited(1),
            "starting\nsomething went wrong: error connecting to db\n",
            NonZeroExit,
            "exited with code 1",
        ),
        case("exit 3", exited(3), "", NonZeroExit, "code 3"),
        case(
            "oom",
            pod_with(
                json!({"terminated": {"exitCode": 137, "reason": "OOMKilled"}}),
                json!({}),
            ),
            "",
            OomKilled,
            "OOMKilled",
        ),
        case(
            "crashloop oom",
            pod_with(
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}}),
                json!({"terminated": {"exitCode": 137, "reason": "OOMKilled"}}),
            ),
            "",
            CrashLoopBackOff,
            "last exit: OOMKilled, code 137",
        ),
        case(
            "crashloop error",
            pod_with(
                json!({"waiting": {"reason": "CrashLoopBackOff"}}),
                json!({"terminated": {"exitCode": 1, "reason": "Error"}}),
            ),
            "",
            CrashLoopBackOff,
            "last exit: Error, code 1",
        ),
        case(
            "pull auth",
            waiting(
                "ErrImagePull",
                "failed to pull and unpack image \"quay.io/private/app:1\": failed to resolve reference: unexpected status from HEAD request: 401 UNAUTHORIZED",
            ),
            "",
            ImagePullAuth,
            "quay.io/private/app:1",
        ),
        case(
            "pull not found",
            waiting(
                "ImagePullBackOff",
                "Back-off pulling image \"quay.io/team/app:nope\"",
            ),
            "",
            ImagePullRegistry,
            "quay.io/team/app:nope",
        ),
        case(
            "invalid name",
            waiting(
                "InvalidImageName",
                "couldn't parse image reference \"UPPER/case\"",
            ),
            "",
            ImagePullRegistry,
            "image pull failed",
        ),
        case(
            "configmap",
            waiting(
                "CreateContainerConfigError",
                "configmap \"app-config\" not found",
            ),
            "",
            MissingConfigMap,
            "missing ConfigMap app-config",
        ),
        case(
            "secret",
            waiting(
                "CreateContainerConfigError",
                "secret \"db-creds\" not found",
            ),
            "",
            MissingSecret,
            "missing Secret db-creds",
        ),
        case(
            "secret key",
            waiting(
                "CreateContainerConfigError",
                "couldn't find key password in Secret ns/db-creds",
            ),
            "",
            MissingSecret,
            "ns/db-creds",
        ),
        case(
            "other config",
            waiting(
                "CreateContainerError",
                "context deadline exceeded while creating",
            ),
            "",
            ContainerConfig,
            "cannot be created",
        ),
        case(
            "deadline pod",
            json!({"status": {"reason": "DeadlineExceeded", "message": "Pod was active on the node longer than the specified deadline"}}),
            "",
            DeadlineExceeded,
            "timed out",
        ),
        case(
            "nothing",
            json!({}),
            "all good\n",
            Unknown,
            "not recognised",
        ),
    ]
}

#[test]
fn classification_table() {
    for c in cases() {
        let input = FailureInput {
            pod: Some(&c.pod),
            events: Some(&c.events),
            log: c.log,
            ..Default::default()
        };
        let got = classify(&input);
        assert_eq!(got.category, c.category, "{}: {got:#?}", c.name);
        assert!(
            got.headline.contains(c.headline),
            "{}: headline {:?}",
            c.name,
            got.headline
        );
        assert!(
            !got.summary.is_empty() && !got.probable_cause.is_empty(),
            "{}",
            c.name
        );
        assert!(!got.suggested_fixes.is_empty(), "{}", c.name);
        assert!(
            !got.evidence.is_empty() || c.category == Category::Unknown,
            "{}: no evidence",
            c.name
        );
    }
}
