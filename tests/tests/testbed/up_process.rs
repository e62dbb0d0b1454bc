//! Driving the `testbed up` binary as a user does, shared by `up.rs` (emulators only) and
//! `stack_up.rs` (the full stack): a child killed if a test fails early, the env file it
//! writes, and Ctrl-C.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// Kills the child if the test fails before stopping it.
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh directory under the system temp dir, named after `prefix`.
pub(crate) fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits (at most `limit`) for the env file and parses its `KEY=value` lines; fails at once
/// if the child exits first.
pub(crate) fn wait_for_env(
    path: &Path,
    child: &mut Child,
    limit: Duration,
) -> HashMap<String, String> {
    let deadline = Instant::now() + limit;
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("testbed up exited early with {status}");
        }
        assert!(Instant::now() < deadline, "no env file after {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

/// Sends SIGINT, waits (at most `limit`) for the exit status, and returns it with what the
/// child printed on stdout (empty unless stdout was piped).
pub(crate) fn interrupt(mut running: Running, limit: Duration) -> (ExitStatus, String) {
    let pid = running.0.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = running.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "testbed up ignored SIGINT for {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stdout = String::new();
    if let Some(mut out) = running.0.stdout.take() {
        out.read_to_string(&mut stdout).unwrap();
    }
    (status, stdout)
}
