//! Loading scenario folders and materialising their logs.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::{LogFixture, ScenarioCase};
use crate::Error;

/// Largest generated log, so a typo in a case cannot exhaust memory.
const MAX_GENERATED_BYTES: usize = 100 * 1024 * 1024;

/// Loads `dir/case.yaml` and checks it (see [`ScenarioCase`]).
pub fn load_case(dir: &Path) -> Result<ScenarioCase, Error> {
    let path = dir.join("case.yaml");
    let text = fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let bad = |message: String| Error::Scenario {
        path: path.clone(),
        message,
    };
    let mut case: ScenarioCase = serde_saphyr::from_str(&text).map_err(|e| bad(e.to_string()))?;
    case.dir = dir.to_path_buf();
    let folder = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if case.name != folder {
        return Err(bad(format!(
            "name `{}` differs from the folder `{folder}`",
            case.name
        )));
    }
    if case.request.namespace.is_empty() {
        return Err(bad("request.namespace is empty".into()));
    }
    for log in &case.cluster.logs {
        let sources = [
            log.text.is_some(),
            log.file.is_some(),
            log.generate.is_some(),
        ];
        if sources.iter().filter(|s| **s).count() != 1 {
            return Err(bad(format!(
                "log of {}/{} needs exactly one of text, file, generate",
                log.pod, log.container
            )));
        }
        if log
            .generate
            .as_ref()
            .is_some_and(|g| g.bytes > MAX_GENERATED_BYTES)
        {
            return Err(bad(format!(
                "generated log of {}/{} is over 100 MB",
                log.pod, log.container
            )));
        }
    }
    if case.llm.mode == super::LlmMode::Scripted && case.llm.turns.is_empty() {
        return Err(bad("llm.mode is scripted but llm.turns is empty".into()));
    }
    let turns = case.llm.turns.iter().chain(&case.llm.fallback);
    if let Some((i, _)) = turns.enumerate().find(|(_, t)| t.reply_kinds() != 1) {
        return Err(bad(format!(
            "llm turn {i} needs exactly one of text, tool_calls, text_tool_calls, fault"
        )));
    }
    Ok(case)
}

/// Loads every sub-folder of `root` that has a `case.yaml`, sorted by name.
pub fn load_cases(root: &Path) -> Result<Vec<ScenarioCase>, Error> {
    let io = |source| Error::Io {
        path: root.to_path_buf(),
        source,
    };
    let mut dirs: Vec<_> = fs::read_dir(root)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.yaml").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| load_case(d)).collect()
}

impl ScenarioCase {
    /// The pod named `name`.
    pub fn pod(&self, name: &str) -> Option<&Value> {
        self.cluster
            .pods
            .iter()
            .find(|p| p.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
    }

    /// The TaskRun named `name`, or whose `status.podName` is `name`.
    pub fn task_run_for(&self, name: &str) -> Option<&Value> {
        self.cluster.task_runs.iter().find(|t| {
            let s = |p: &str| t.pointer(p).and_then(Value::as_str) == Some(name);
            s("/metadata/name") || s("/status/podName")
        })
    }

    /// Events whose `involvedObject.name` is `name`.
    pub fn events_for(&self, name: &str) -> Vec<Value> {
        self.cluster
            .events
            .iter()
            .filter(|e| e.pointer("/involvedObject/name").and_then(Value::as_str) == Some(name))
            .cloned()
            .collect()
    }

    /// The log of a container, materialised (read or generated); `None` without a fixture.
    pub fn log(&self, pod: &str, container: &str, previous: bool) -> Result<Option<String>, Error> {
        let found = self
            .cluster
            .logs
            .iter()
            .find(|l| l.pod == pod && l.container == container && l.previous == previous);
        found.map(|l| self.materialise(l)).transpose()
    }

    fn materialise(&self, log: &LogFixture) -> Result<String, Error> {
        if let Some(text) = &log.text {
            return Ok(text.clone());
        }
        if let Some(file) = &log.file {
            let path = self.dir.join(file);
            return fs::read_to_string(&path).map_err(|source| Error::Io { path, source });
        }
        let Some(g) = &log.generate else {
            return Ok(String::new());
        };
        let bytes = g.bytes.min(MAX_GENERATED_BYTES);
        let mut out = String::with_capacity(bytes + g.suffix.len() + 64);
        out.push_str(&g.prefix);
        let filler = g.filler.trim_end_matches('\n');
        let mut n = 0u64;
        while out.len() + g.suffix.len() < bytes && !filler.is_empty() {
            n += 1;
            out.push_str(filler);
            out.push_str(&format!(" #{n}\n"));
        }
        out.push_str(&g.suffix);
        Ok(out)
    }
}
