//! Completing what a weak model files: the lab guide's four body sections and a title
//! about the failure. A small model forced to call the issue tool writes whatever its
//! grammar allows (an empty title, "Build failed", a body of one sentence); the sections it
//! left out are taken from the deterministic pre-analysis rendered by `failure-analysis`
//! (the same text the fallback issue has), after what it wrote. A body that already has a
//! section keeps it as written, and a title with one specific word is kept, so a good
//! model's issue is filed unchanged.

use crate::prompt::BODY_SECTIONS;

/// Words that say nothing about which failure it was: a title made of these alone (or
/// empty) is replaced.
const GENERIC_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "in",
    "of",
    "on",
    "for",
    "with",
    "has",
    "is",
    "was",
    "it",
    "new",
    "issue",
    "bug",
    "problem",
    "error",
    "errors",
    "fail",
    "failed",
    "fails",
    "failure",
    "failing",
    "pipeline",
    "pipelinerun",
    "build",
    "task",
    "taskrun",
    "run",
    "step",
    "job",
    "ci",
    "title",
    "report",
    "crash",
    "broken",
    "write",
    "create",
    "created",
    "untitled",
    "analysis",
    "summary",
];

/// The section name of a heading line, lower-cased, if the line is one (`### Name`,
/// `## Name:`, `**Name**`); `None` for other lines.
fn heading_name(line: &str) -> Option<String> {
    let trimmed = line.trim();
    if !(trimmed.starts_with('#') || trimmed.starts_with("**")) {
        return None;
    }
    let name = trimmed
        .trim_start_matches(['#', '*', ' '])
        .trim_end_matches(['*', ':', ' '])
        .to_ascii_lowercase();
    Some(name)
}

/// The plain name of one of [`BODY_SECTIONS`] (`summary of the problem`).
fn section_name(section: &str) -> String {
    section.trim_start_matches(['#', ' ']).to_ascii_lowercase()
}

/// Whether `body` has a heading for `section`.
fn has_section(body: &str, section: &str) -> bool {
    let name = section_name(section);
    body.lines()
        .filter_map(heading_name)
        .any(|h| h.starts_with(&name))
}

/// The text of `section` in a rendered issue body: from its heading to the next of the
/// four headings or the footer rule.
fn rendered_section<'a>(rendered: &'a str, section: &str) -> Option<&'a str> {
    let start = rendered.find(section)?;
    let rest = &rendered[start + section.len()..];
    let end = BODY_SECTIONS
        .iter()
        .filter_map(|s| rest.find(s))
        .chain(rest.find("\n---\n"))
        .min()
        .unwrap_or(rest.len());
    Some(rendered[start..start + section.len() + end].trim_end())
}

/// The model's (already sanitised) body with the sections it lacks appended from
/// `rendered`, the pre-analysis issue body. Unchanged when nothing is missing.
pub(super) fn complete_body(model: &str, rendered: &str) -> String {
    let missing: Vec<&str> = BODY_SECTIONS
        .iter()
        .filter(|s| !has_section(model, s))
        .filter_map(|s| rendered_section(rendered, s))
        .collect();
    if missing.is_empty() {
        return model.to_string();
    }
    tracing::info!(
        added = missing.len(),
        model_body_chars = model.chars().count(),
        "completed the model's issue body with sections from the pre-analysis"
    );
    let mut out = model.trim_end().to_string();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str("_Sections completed from the automatic pre-analysis:_\n\n");
    out.push_str(&missing.join("\n\n"));
    out
}

/// Template text a model copies instead of writing a title ("Issue 1: [insert error
/// message here]", seen with SmolLM2-135M).
const PLACEHOLDERS: &[&str] = &[
    "[insert",
    "<insert",
    "insert here",
    "placeholder",
    "todo:",
    "tbd",
    "xxx",
];

/// Whether a title says nothing specific: empty, generic words and numbers only, or a
/// template placeholder.
pub(super) fn is_generic_title(title: &str) -> bool {
    let lower = title.to_lowercase();
    PLACEHOLDERS.iter().any(|p| lower.contains(p))
        || lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| GENERIC_WORDS.contains(&w) || w.chars().all(|c| c.is_ascii_digit()))
}

/// The model's title, or the pre-analysis one when the model's is generic.
pub(super) fn specific_title(model: &str, rendered: &str) -> String {
    if is_generic_title(model) {
        // The model's title is not logged (model output); its size says enough.
        tracing::info!(
            model_title_chars = model.chars().count(),
            "replaced a generic issue title by the pre-analysis one"
        );
        rendered.to_string()
    } else {
        model.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RENDERED: &str = "### Cluster/namespace location\n\n`ns/pod`\n\n### Summary of the problem\n\nCOPY failed.\n\n### Detailed error/code\n\n```text\nno such file\n```\n\n### Possible solutions\n\n1. Add requirements.txt.\n\n---\nnamespace `ns`\n\n<!-- marker -->\n";

    #[test]
    fn a_body_without_sections_gets_all_four_after_the_model_text() {
        let body = complete_body("The build broke.", RENDERED);
        assert!(body.starts_with("The build broke."));
        let positions: Vec<usize> = BODY_SECTIONS
            .iter()
            .map(|s| body.find(s).unwrap_or(usize::MAX))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{body}");
        assert!(body.contains("no such file") && body.contains("Add requirements.txt"));
        assert!(!body.contains("---") && !body.contains("marker"), "{body}");
    }

    #[test]
    fn only_missing_sections_are_added_and_a_complete_body_is_unchanged() {
        let partial = "## Summary of the problem:\nMine.\n\n**Possible solutions**\n1. Mine.";
        let body = complete_body(partial, RENDERED);
        assert!(body.starts_with(partial));
        assert_eq!(body.matches("Summary of the problem").count(), 1, "{body}");
        assert_eq!(body.matches("Possible solutions").count(), 1, "{body}");
        assert!(body.contains("### Cluster/namespace location") && body.contains("no such file"));
        let full = BODY_SECTIONS.map(|s| format!("{s}\n\nx\n")).join("\n");
        assert_eq!(complete_body(&full, RENDERED), full);
    }

    #[test]
    fn generic_titles_are_replaced_and_specific_ones_kept() {
        for generic in [
            "",
            "  ",
            "Issue",
            "Bug",
            "Build failed",
            "Pipeline failure!",
            "The build failed",
            "Issue 1",
            "Issue write",
            "Issue 1: [insert error message here]",
        ] {
            assert_eq!(
                specific_title(generic, "p: COPY failed"),
                "p: COPY failed",
                "{generic:?}"
            );
        }
        for specific in [
            "build-agent: buildah COPY failed, requirements.txt not found",
            "Issue with Agent pipeline",
            "OOMKilled in build step",
            "Issue 1: Build-copy failed, build context not found",
        ] {
            assert_eq!(specific_title(specific, "p: x"), specific);
        }
    }
}
