//! The servers measured as processes (startup, RSS, binary size): where their binaries are
//! and how long they take to answer once spawned.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// The binary `name` of `package` built next to the running program (same target dir and
/// profile), so `testbed bench` never runs cargo; the error names the build command.
pub fn sibling_binary(name: &str, package: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the running program")?;
    let mut dirs = Vec::new();
    if let Some(dir) = exe.parent() {
        dirs.push(dir.to_path_buf());
        // Test and bench programs run from `<profile>/deps`.
        if dir.ends_with("deps")
            && let Some(up) = dir.parent()
        {
            dirs.push(up.to_path_buf());
        }
    }
    if let Some(found) = dirs.iter().map(|d| d.join(name)).find(|p| p.is_file()) {
        return Ok(found);
    }
    let release = if cfg!(debug_assertions) {
        ""
    } else {
        " --release"
    };
    bail!(
        "{name} is not built next to {} (looked in {dirs:?}); run `cargo build{release} -p {package}` first",
        exe.display()
    )
}

/// The target dir the running program was built in (`<target>/<profile>[/deps]/program`).
pub fn target_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let mut dir = exe.parent()?;
    if dir.ends_with("deps") {
        dir = dir.parent()?;
    }
    dir.parent().map(Path::to_path_buf)
}

/// A free loopback port (bound and released; the server binds it right after).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The resident set size of process `pid`, in MiB (Linux `/proc`).
pub fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// The CPU time process `pid` has used so far (user + system), in seconds (Linux
/// `/proc`; the kernel reports it in USER_HZ ticks, 100 per second on Linux).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The size of a file in MiB.
pub fn size_mib(path: &Path) -> anyhow::Result<f64> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(meta.len() as f64 / 1_048_576.0)
}

/// A spawned server (killed on drop) and the time it took to become ready.
#[derive(Debug)]
pub struct Spawned {
    /// The process.
    pub child: Child,
    /// Spawn to the first successful readiness probe.
    pub startup: Duration,
}

impl Spawned {
    /// Its RSS now, in MiB.
    pub fn rss_mib(&self) -> anyhow::Result<f64> {
        self.child
            .id()
            .and_then(rss_mib)
            .context("the server's RSS is not readable (did it exit?)")
    }

    /// The CPU time it has used so far, in seconds.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        self.child
            .id()
            .and_then(cpu_seconds)
            .context("the server's CPU time is not readable (did it exit?)")
    }
}

/// Spawns `command` (output discarded) and probes until `ready` says yes, within `limit`.
pub async fn spawn_ready(
    mut command: Command,
    limit: Duration,
    mut ready: impl AsyncFnMut() -> bool,
) -> anyhow::Result<Spawned> {
    let program = command
        .as_std()
        .get_program()
        .to_string_lossy()
        .into_owned();
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("spawning {program}"))?;
    loop {
        if ready().await {
            return Ok(Spawned {
                child,
                startup: started.elapsed(),
            });
        }
        if let Some(status) = child.try_wait()? {
            bail!("{program} exited before it was ready ({status})");
        }
        if started.elapsed() > limit {
            bail!("{program} was not ready within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// A readiness probe: `GET url` answers 2xx.
pub async fn http_ok(http: &reqwest::Client, url: &str) -> bool {
    http.get(url)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}
