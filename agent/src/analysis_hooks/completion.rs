//! Completing what a weak model files: the lab guide's four body sections and a title
//! about the failure. A small model forced to call the issue tool writes whatever its
//! grammar allows (an empty title, "Build failed", a body of one sentence); the sections it
//! left out are taken from the deterministic pre-analysis rendered by `failure-analysis`
//! (the same text the fallback issue has), after what it wrote. A body that already has a
//! section keeps it as written, and a title with one specific word is kept, so a good
//! model's issue is filed as written, with a provenance line at the end. When the model's
//! text contradicts the pre-analysis ([`compose`]), the four pre-analysis sections lead and
//! the model's text follows, its headings demoted, the contradicted parts marked. Whatever the
//! model wrote, the filed body names the failed step and the failure's key terms: a fact the
//! model's text left out is restated from the pre-analysis after it
//! (`failure_analysis::issue::required`), and the provenance line says so.

use failure_analysis::issue::required::restate;
use failure_analysis::issue::vet::Problem;

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

/// Where the parts of a vetted model issue came from.
pub(super) struct Provenance<'a> {
    /// Why the model's title was replaced by the pre-analysis one (`None`: the model's;
    /// [`Problem::MissingFacts`]: the model's with the headline added).
    pub title: Option<&'a Problem>,
    /// The blocks of the model's body that were left out.
    pub dropped: &'a [Problem],
    /// The kept text contradicts the pre-analysis: its sections lead.
    pub contradicted: bool,
    /// The facts the filed body must name (the failed step, the failure's key terms):
    /// what the model's text leaves out is restated from the pre-analysis.
    pub facts: &'a [String],
}

/// The body filed for a model's issue: the model's vetted (sanitised) text and the
/// pre-analysis sections it lacks (all four, leading, when it contradicts them), then a
/// line saying which parts came from the model and which from the pre-analysis.
pub(super) fn compose(model: &str, rendered: &str, p: &Provenance<'_>) -> String {
    let model = model.trim();
    let written: Vec<&str> = BODY_SECTIONS
        .iter()
        .copied()
        .filter(|s| has_section(model, s))
        .collect();
    let (mut out, from_analysis): (String, Vec<&str>) = if p.contradicted {
        let sections: Vec<&str> = BODY_SECTIONS
            .iter()
            .filter_map(|s| rendered_section(rendered, s))
            .collect();
        let mut out = String::from(
            "_From the automatic pre-analysis (deterministic: pod, TaskRun, events, log). The model's analysis follows; the pre-analysis does not confirm the parts marked ⚠️._\n\n",
        );
        out.push_str(&sections.join("\n\n"));
        out.push_str("\n\n_The model's analysis:_\n\n");
        out.push_str(&demote_headings(model));
        (out, BODY_SECTIONS.to_vec())
    } else {
        let missing = BODY_SECTIONS
            .iter()
            .copied()
            .filter(|s| !written.contains(s))
            .collect();
        (complete_body(model, rendered), missing)
    };
    let restated = restate(&out, rendered, p.facts);
    if let Some(r) = &restated {
        tracing::info!(
            missing = r.missing.len(),
            "restated facts the model's issue body left out from the pre-analysis"
        );
        out = format!("{}\n\n{}", out.trim_end(), r.text);
    }
    let name = |s: &&str| s.trim_start_matches(['#', ' ']).to_string();
    let mut parts = Vec::new();
    parts.push(match p.title {
        None => "the title was written by the model".to_string(),
        Some(why @ Problem::MissingFacts(_)) => format!(
            "the title was written by the model, the pre-analysis headline added (the model's {})",
            why.describe()
        ),
        Some(why) => format!(
            "the title is the pre-analysis's (the model's {})",
            why.describe()
        ),
    });
    if !model.is_empty() {
        if written.is_empty() {
            parts.push("the model wrote the text before the sections".into());
        } else if !p.contradicted {
            let names: Vec<String> = written.iter().map(name).collect();
            parts.push(format!("the model wrote {}", names.join(", ")));
        }
    }
    if !from_analysis.is_empty() {
        let names: Vec<String> = from_analysis.iter().map(name).collect();
        parts.push(format!(
            "{} come from the automatic pre-analysis",
            names.join(", ")
        ));
    }
    if let Some(r) = &restated {
        let facts: Vec<String> = r.missing.iter().map(|f| format!("`{f}`")).collect();
        parts.push(format!(
            "the model's text left out {}, so the pre-analysis's {} follow(s) it",
            facts.join(", "),
            r.sections.join(", ")
        ));
    }
    if !p.dropped.is_empty() {
        let mut why: Vec<String> = p.dropped.iter().map(Problem::describe).collect();
        why.dedup();
        parts.push(format!(
            "{} part(s) of the model's text were left out (they {})",
            p.dropped.len(),
            why.join("; ")
        ));
    }
    out.push_str(&format!("\n\n_Provenance: {}._", parts.join("; ")));
    out
}

/// Headings of the model's text one level below the pre-analysis sections (`#### …`), so
/// the sections that lead are the ones a reader finds; fenced code is left alone.
fn demote_headings(text: &str) -> String {
    let mut fenced = false;
    text.lines()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                fenced = !fenced;
            }
            if !fenced && t.starts_with('#') {
                format!("#### {}", t.trim_start_matches('#').trim_start())
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
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
    fn provenance_says_what_came_from_where() {
        let p = Provenance {
            title: None,
            dropped: &[],
            contradicted: false,
            facts: &[],
        };
        let body = compose(
            "### Summary of the problem\n\nMine.\n\n### Possible solutions\n\n1. Mine.",
            RENDERED,
            &p,
        );
        assert!(body.ends_with("_Provenance: the title was written by the model; the model wrote Summary of the problem, Possible solutions; Cluster/namespace location, Detailed error/code come from the automatic pre-analysis._"), "{body}");
        let echo = Problem::Echo;
        let p = Provenance {
            title: Some(&echo),
            dropped: &[Problem::Echo, Problem::Placeholder],
            contradicted: false,
            facts: &[],
        };
        let body = compose("", RENDERED, &p);
        assert!(body.starts_with("_Sections completed"), "{body}");
        assert!(
            body.contains("the title is the pre-analysis's (the model's repeated the instructions"),
            "{body}"
        );
        assert!(
            body.contains("2 part(s) of the model's text were left out"),
            "{body}"
        );
    }

    #[test]
    fn a_fact_the_model_left_out_is_restated_and_the_provenance_says_so() {
        let facts = vec!["requirements.txt".to_string()];
        let p = Provenance {
            title: None,
            dropped: &[],
            contradicted: false,
            facts: &facts,
        };
        let model = BODY_SECTIONS
            .map(|s| format!("{s}\n\nThe build failed.\n"))
            .join("\n");
        let body = compose(&model, RENDERED, &p);
        assert!(body.starts_with(model.trim()), "{body}");
        let restated = body
            .find("_The model's text does not name `requirements.txt`")
            .unwrap();
        let solutions = body
            .find("#### Possible solutions\n\n1. Add requirements.txt.")
            .unwrap();
        assert!(restated < solutions, "{body}");
        assert!(body.contains("the model's text left out `requirements.txt`, so the pre-analysis's Possible solutions follow(s) it"), "{body}");
        // Named by the model: nothing is added.
        let named = model.replace("The build failed.", "requirements.txt is missing.");
        let body = compose(&named, RENDERED, &p);
        assert!(!body.contains("does not name"), "{body}");
    }

    #[test]
    fn a_contradicted_body_follows_the_pre_analysis_sections() {
        let p = Provenance {
            title: None,
            dropped: &[],
            contradicted: true,
            facts: &[],
        };
        let model =
            "### Summary of the problem\n\n> ⚠️ note\n\nstep-deploy failed.\n```\n# kept\n```";
        let body = compose(model, RENDERED, &p);
        let lead = body.find("### Summary of the problem").unwrap();
        let theirs = body.find("#### Summary of the problem").unwrap();
        assert!(
            body.find("### Cluster/namespace location").unwrap() < lead && lead < theirs,
            "{body}"
        );
        assert!(body.contains("\n# kept\n"), "{body}");
        assert!(body.contains("Cluster/namespace location, Summary of the problem, Detailed error/code, Possible solutions come from the automatic pre-analysis"), "{body}");
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
