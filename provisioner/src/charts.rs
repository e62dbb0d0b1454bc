//! Renders the tenant charts with the real `helm template` (never a home-made template
//! engine), for `--mode direct` and for `render`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use tokio::process::Command;

use crate::error::{Error, Result};

/// Charts applied in direct mode, in order.
pub const DIRECT_CHARTS: [&str; 4] = ["agent", "mcp-openshift", "mcp-gitea", "librechat-config"];

/// Where helm and the charts are.
#[derive(Debug, Clone)]
pub struct Helm {
    /// The helm binary.
    pub binary: PathBuf,
    /// The folder holding `agent/`, `bootstrap/`, ….
    pub charts_dir: PathBuf,
}

impl Helm {
    /// Renders one chart with `values`; returns the objects (empty documents dropped).
    pub async fn template(&self, chart: &str, values: &Value) -> Result<Vec<Value>> {
        let dir = self.charts_dir.join(chart);
        if !dir.join("Chart.yaml").is_file() {
            return Err(Error::Helm(format!("no chart at {}", dir.display())));
        }
        let file = values_file(values)?;
        let output = Command::new(&self.binary)
            .arg("template")
            .arg(chart)
            .arg(&dir)
            .arg("--values")
            .arg(&file.0)
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(Duration::from_secs(60), output)
            .await
            .map_err(|_| Error::Helm(format!("helm template {chart} took over 60 s")))?
            .map_err(|e| Error::Helm(format!("cannot run {}: {e}", self.binary.display())))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(Error::Helm(format!("template {chart}: {}", stderr.trim())));
        }
        parse_documents(&String::from_utf8_lossy(&output.stdout))
    }

    /// Every chart of direct mode, in apply order.
    pub async fn template_direct(&self, values: &Value) -> Result<Vec<Value>> {
        let mut all = Vec::new();
        for chart in DIRECT_CHARTS {
            all.extend(self.template(chart, values).await?);
        }
        Ok(all)
    }
}

/// A values file removed on drop.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn values_file(values: &Value) -> Result<TempFile> {
    let name = format!(
        "provisioner-values-{}-{}.json",
        std::process::id(),
        crate::state::random_hex(12)
    );
    let path = std::env::temp_dir().join(name);
    std::fs::write(&path, values.to_string()).map_err(|source| Error::File {
        path: path.display().to_string(),
        source,
    })?;
    Ok(TempFile(path))
}

/// Splits multi-document YAML into objects, dropping empty documents.
pub fn parse_documents(text: &str) -> Result<Vec<Value>> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text)
        .map_err(|e| Error::Helm(format!("output is not YAML: {e}")))?;
    Ok(docs.into_iter().filter(|d| d.is_object()).collect())
}

/// Whether `path` looks like a charts folder.
pub fn is_charts_dir(path: &Path) -> bool {
    path.join("bootstrap/Chart.yaml").is_file()
}
