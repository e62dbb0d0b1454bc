//! The LLM's side of the analysis: the JSON Schema the model answers in, and completing its
//! answer from the deterministic pre-analysis.

use serde_json::Value;

use super::{Category, Classification};

impl Classification {
    /// Completes an LLM answer with the deterministic pre-analysis: every empty field, an
    /// `unknown` category and a missing failing step take the pre-analysis value. The LLM's
    /// own statements win where it made them.
    pub fn completed_with(mut self, base: &Classification) -> Classification {
        if self.category == Category::Unknown {
            self.category = base.category;
        }
        if self.failing_step.as_deref().is_none_or(str::is_empty) {
            self.failing_step.clone_from(&base.failing_step);
        }
        for (mine, theirs) in [
            (&mut self.headline, &base.headline),
            (&mut self.summary, &base.summary),
            (&mut self.probable_cause, &base.probable_cause),
        ] {
            if mine.trim().is_empty() {
                mine.clone_from(theirs);
            }
        }
        if self.evidence.is_empty() {
            self.evidence.clone_from(&base.evidence);
        }
        if self.suggested_fixes.is_empty() {
            self.suggested_fixes.clone_from(&base.suggested_fixes);
        }
        self
    }
}

/// JSON Schema of [`Classification`], for a `response_format` or the parameters of a tool
/// through which the model submits its analysis.
pub fn analysis_schema() -> Value {
    let categories: Vec<&str> = ALL_CATEGORIES.iter().map(|c| c.as_str()).collect();
    serde_json::json!({
        "type": "object",
        "properties": {
            "category": {"type": "string", "enum": categories},
            "failing_step": {"type": "string", "description": "The failing container, e.g. step-build."},
            "headline": {"type": "string", "description": "A short title phrase naming the failure and its object, e.g. 'buildah COPY failed, requirements.txt not found'."},
            "summary": {"type": "string", "description": "One or two sentences on what happened."},
            "evidence": {"type": "array", "items": {"type": "string"}, "description": "Verbatim log or status lines that show the error."},
            "probable_cause": {"type": "string"},
            "suggested_fixes": {"type": "array", "items": {"type": "string"}, "description": "Concrete fixes, most likely first."},
            "confidence": {"type": "string", "enum": ["high", "medium", "low"]}
        },
        "required": ["category", "headline", "summary", "evidence", "probable_cause", "suggested_fixes"],
        "additionalProperties": false
    })
}

/// Every category, in declaration order.
pub const ALL_CATEGORIES: &[Category] = &[
    Category::OomKilled,
    Category::CrashLoopBackOff,
    Category::ImagePullAuth,
    Category::ImagePullNotFound,
    Category::ImagePullRegistry,
    Category::MissingConfigMap,
    Category::MissingSecret,
    Category::ContainerConfig,
    Category::CommandNotFound,
    Category::NotExecutable,
    Category::Killed,
    Category::Terminated,
    Category::DeadlineExceeded,
    Category::BuildCopyMissingFile,
    Category::BuildRunFailed,
    Category::BuildFailed,
    Category::DependencyInstall,
    Category::TestFailure,
    Category::GitAuth,
    Category::GitRevisionNotFound,
    Category::GitClone,
    Category::NonZeroExit,
    Category::Unknown,
];
