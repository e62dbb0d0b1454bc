//! Runs a crate's own benchmark target (`cargo bench`) and keeps what it prints.

use std::path::PathBuf;
use std::process::Stdio;

use anyhow::{Context, bail};

use crate::tools::workspace_root;

/// A crate benchmark.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Part {
    /// `mcp-openshift --bench side_by_side`.
    OpenShift,
    /// `mcp-gitea --bench compare`.
    Gitea,
    /// `agent --bench report_failure`.
    Agent,
}

fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// The target dir cargo uses for this workspace (for the peer venv `setup-peer.sh` makes).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// The PyPI `gitea-mcp` peer, installed by `mcp-gitea/benches/setup-peer.sh` if missing.
async fn gitea_peer() -> anyhow::Result<PathBuf> {
    let peer = target_dir().join("peer-venv/bin/gitea-mcp");
    if peer.exists() {
        return Ok(peer);
    }
    let status = tokio::process::Command::new("bash")
        .arg(workspace_root().join("mcp-gitea/benches/setup-peer.sh"))
        .arg(target_dir().join("peer-venv"))
        .stdout(Stdio::null())
        .status()
        .await
        .context("run mcp-gitea/benches/setup-peer.sh")?;
    if !status.success() || !peer.exists() {
        bail!("mcp-gitea/benches/setup-peer.sh failed ({status})");
    }
    Ok(peer)
}

/// Runs `part` built with this binary's profile; returns its stdout.
pub(crate) async fn run(part: Part, seconds: u64) -> anyhow::Result<String> {
    let (package, bench) = match part {
        Part::OpenShift => ("mcp-openshift", "side_by_side"),
        Part::Gitea => ("mcp-gitea", "compare"),
        Part::Agent => ("agent", "report_failure"),
    };
    let mut command = tokio::process::Command::new(cargo());
    command
        .current_dir(workspace_root())
        .args([
            "bench",
            "--quiet",
            "-p",
            package,
            "--bench",
            bench,
            "--profile",
            super::profile(),
        ])
        .env("BENCH_SECONDS", seconds.to_string())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Part::Gitea = part {
        let peer = gitea_peer().await?;
        command
            .arg("--")
            .arg("--peer")
            .arg(peer)
            .args(["--secs", &seconds.to_string()]);
    }
    let output = command
        .output()
        .await
        .with_context(|| format!("cargo bench -p {package}"))?;
    if !output.status.success() {
        bail!(
            "cargo bench -p {package} --bench {bench} failed ({})",
            output.status
        );
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    Ok(match part {
        Part::Agent => agent_table(&text),
        Part::OpenShift => columns_to_markdown(&text),
        Part::Gitea => text,
    })
}

/// The agent bench prints lines; this turns them into a table (the raw lines follow).
fn agent_table(text: &str) -> String {
    let mut table = String::from("| concurrency | runs/s | p50 ms | p99 ms |\n|---|---|---|---|\n");
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("concurrency") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        // "64: 1234 runs/s p50 1.00 ms p99 2.00 ms"
        if let [level, rate, _, _, p50, _, _, p99, ..] = words.as_slice() {
            table.push_str(&format!(
                "| {} | {rate} | {p50} | {p99} |\n",
                level.trim_end_matches(':')
            ));
        }
    }
    table.push('\n');
    for line in text.lines().filter(|l| !l.starts_with("concurrency")) {
        table.push_str(line);
        table.push_str("  \n");
    }
    table
}

/// `side_by_side` prints aligned columns (`metric  ours  upstream  ratio`); this makes them
/// a markdown table (cells are separated by two or more spaces).
fn columns_to_markdown(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let cells: Vec<&str> = line
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            out.push_str(&format!("|{}\n", "---|".repeat(cells.len())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_columns_become_a_markdown_table() {
        let text = "metric      ours   upstream   ratio\nbinary size (MiB)   63.87   71.46   0.89x (ours/upstream, lower is better)\n";
        assert_eq!(
            columns_to_markdown(text),
            "| metric | ours | upstream | ratio |\n|---|---|---|---|\n| binary size (MiB) | 63.87 | 71.46 | 0.89x (ours/upstream, lower is better) |\n"
        );
    }

    #[test]
    fn the_agent_lines_become_a_table() {
        let text =
            "runs per level: 5\nconcurrency 64:      68 runs/s  p50  935.14 ms  p99 1385.37 ms\n";
        assert!(agent_table(text).starts_with("| concurrency | runs/s | p50 ms | p99 ms |\n|---|---|---|---|\n| 64 | 68 | 935.14 | 1385.37 |\n"));
    }
}
