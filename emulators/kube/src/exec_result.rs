//! [`ExecResult`]: what a scripted `pods/exec` command prints and how it exits, as the
//! emulator's state keeps it and the exec handler plays it back.

/// What a scripted command prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecResult {
    /// Text on stdout.
    pub stdout: String,
    /// Text on stderr.
    pub stderr: String,
    /// Exit code (0 = success).
    pub exit_code: i32,
}

impl ExecResult {
    /// A successful command printing `stdout`.
    pub fn ok(stdout: &str) -> Self {
        Self {
            stdout: stdout.into(),
            stderr: String::new(),
            exit_code: 0,
        }
    }
}
