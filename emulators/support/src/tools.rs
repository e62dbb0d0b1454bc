//! Finds the external programs the tests talk to (kubectl, helm, the upstream Go
//! `kubernetes-mcp-server`, Node 22, the Python MCP SDK), as `scripts/install-tools`
//! installed them, and the real-model server `scripts/install-real-llm` installs.
//!
//! Tests ask for a tool through [`require`]: a missing tool is a test failure with the
//! command that installs it, never a silent skip, so a CI run cannot pass by not testing.

use std::path::{Path, PathBuf};

/// The root of the tool installation: `$TESTBED_TOOLS_DIR`, else `<workspace>/.tools`.
pub fn tools_dir() -> PathBuf {
    match std::env::var_os("TESTBED_TOOLS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join(".tools"),
    }
}

/// The workspace root (two folders above this crate's, `emulators/support`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .to_path_buf()
}

/// A tool the tests may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// The machine's `kubectl`.
    Kubectl,
    /// Helm 3 (v3.18.0).
    Helm,
    /// The upstream Go `kubernetes-mcp-server` 0.0.66.
    UpstreamKubernetesMcpServer,
    /// Node 22 (for the conformance suite).
    Node22,
    /// The machine's Node (20) with the TypeScript SDK in `npm_dir()`.
    Node,
    /// The Python interpreter of the tools venv (has `mcp`, `kubernetes_validate`).
    Python,
    /// `kubernetes-validate` from the tools venv.
    KubernetesValidate,
    /// The Python of the real-model venv, with the `llama_cpp.server` module
    /// (`scripts/install-real-llm`).
    LlamaServer,
}

impl Tool {
    fn candidates(self) -> Vec<PathBuf> {
        let dir = tools_dir();
        match self {
            Tool::Kubectl => vec![
                PathBuf::from("/usr/bin/kubectl"),
                PathBuf::from("/usr/local/bin/kubectl"),
            ],
            Tool::Helm => vec![dir.join("bin/helm")],
            Tool::UpstreamKubernetesMcpServer => {
                vec![dir.join("bin/kubernetes-mcp-server-upstream")]
            }
            Tool::Node22 => vec![dir.join("bin/node22")],
            Tool::Node => vec![
                PathBuf::from("/usr/bin/node"),
                PathBuf::from("/usr/local/bin/node"),
            ],
            Tool::Python => vec![dir.join("venv/bin/python")],
            Tool::KubernetesValidate => vec![dir.join("venv/bin/kubernetes-validate")],
            Tool::LlamaServer => vec![dir.join("llm/venv/bin/python")],
        }
    }

    /// Where the tool is, if installed.
    pub fn find(self) -> Option<PathBuf> {
        self.candidates().into_iter().find(|p| p.exists())
    }
}

/// The path of `tool`, or a panic that tells how to install it (tests only).
pub fn require(tool: Tool) -> PathBuf {
    match tool.find() {
        Some(path) => path,
        None => panic!(
            "{tool:?} is not installed (looked in {:?}); run `scripts/{}` first",
            tool.candidates(),
            if tool == Tool::LlamaServer {
                "install-real-llm"
            } else {
                "install-tools"
            }
        ),
    }
}

/// The npm prefix whose `node_modules` holds the TypeScript SDK and the conformance suite.
pub fn npm_dir() -> PathBuf {
    tools_dir().join("npm")
}
