//! Renderers for the simulated Argo CD: [`gitea_renderer`] renders an Application's
//! chart the way Argo CD's repo server does, from the repository the Application names
//! (the Gitea emulator's copy, at its `targetRevision`), with the real helm (run by the
//! caller's [`ChartTemplate`], e.g. the provisioner's `Helm::template`, so this crate
//! needs no product crate). A tenant's commit therefore reaches the cluster only through
//! the AppProject rules.

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

use super::AppRenderer;
use gitea_emulator::GiteaEmulator;

/// Runs `helm template` on the chart in a folder with the given values (`valuesObject`)
/// and returns the rendered objects; an `Err` is the reason as text.
pub type ChartTemplate =
    Arc<dyn Fn(PathBuf, Value) -> BoxFuture<'static, Result<Vec<Value>, String>> + Send + Sync>;

/// A folder removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `(owner, repo)` of a Gitea clone URL `…/<owner>/<repo>.git`; `None` for any other URL
/// (the upstream LibreChat chart on GitHub: not reachable from the testbed).
pub fn gitea_repo(url: &str) -> Option<(String, String)> {
    let path = url.strip_suffix(".git")?;
    let (rest, repo) = path.rsplit_once('/')?;
    let (_, owner) = rest.rsplit_once('/')?;
    (!owner.is_empty() && !repo.is_empty()).then(|| (owner.to_string(), repo.to_string()))
}

/// Renders `spec.source` from the Gitea emulator with `helm template` (values from
/// `helm.valuesObject`). A source outside Gitea renders nothing (marked synced as is); a
/// missing repository or chart is an error, as Argo CD's ComparisonError. `template`
/// renders the chart folder the repository's files are copied to.
pub fn gitea_renderer(gitea: GiteaEmulator, template: ChartTemplate) -> AppRenderer {
    Arc::new(move |app: Value| {
        let gitea = gitea.clone();
        let template = template.clone();
        Box::pin(async move {
            let source = &app["spec"]["source"];
            let Some((owner, repo)) = gitea_repo(source["repoURL"].as_str().unwrap_or("")) else {
                return Ok(vec![]);
            };
            let path = source["path"].as_str().unwrap_or_default();
            let revision = source["targetRevision"].as_str().unwrap_or("main");
            let files = gitea.files_under(&owner, &repo, revision, path);
            if files.iter().all(|(p, _)| p != "Chart.yaml") {
                return Err(format!("{owner}/{repo}@{revision}: no chart at {path}"));
            }
            let dir = TempDir(std::env::temp_dir().join(format!("argo-{}", uuid::Uuid::new_v4())));
            let chart = dir.0.join("chart");
            for (rel, bytes) in &files {
                if rel.split('/').any(|seg| seg == "..") {
                    return Err(format!("{path}/{rel}: path leaves the chart"));
                }
                let file = chart.join(rel);
                if let Some(parent) = file.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                std::fs::write(&file, bytes).map_err(|e| e.to_string())?;
            }
            template(chart, source["helm"]["valuesObject"].clone()).await
        })
    })
}

/// Copies the workspace's chart `name` into `owner/repo` on `branch` at `charts/<name>`
/// (how the lab's source repository carries the component charts).
pub fn seed_chart(
    gitea: &GiteaEmulator,
    charts_dir: &std::path::Path,
    name: &str,
    owner: &str,
    repo: &str,
    branch: &str,
) -> std::io::Result<()> {
    let root = charts_dir.join(name);
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&root).map_err(std::io::Error::other)?;
            let target = format!("charts/{name}/{}", rel.to_string_lossy());
            gitea.put_file(owner, repo, branch, &target, &std::fs::read(&path)?);
        }
    }
    Ok(())
}
