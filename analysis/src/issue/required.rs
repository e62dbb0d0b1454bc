//! The facts a filed issue must carry, whoever wrote it, derived from the deterministic
//! classification (never from a scenario's expected strings): the failed step, and the key
//! terms of the failure — the words of the pre-analysis headline that the evidence (the
//! error lines, the log) also has, such as the missing command (`jq`), the missing file
//! (`requirements.txt`) or what failed (`authentication`). The classifier's own vocabulary
//! ("required", "command", "not found") is no such term: only what the run's evidence says.
//!
//! A title must name the failure's subject: the key terms the classification's prose marks in
//! backticks (`jq`, `requirements.txt`), else its most specific key term, the failed step
//! aside ([`RequiredFacts::title`]); a title that lacks it keeps its words and gets the
//! headline after it ([`title_with_headline`]). A body must name the step and every key term
//! ([`RequiredFacts::body`]). When a model's text leaves one out, [`restate`] picks the
//! pre-analysis sections that state it, to be filed alongside the model's text. Words match
//! case-insensitively and whole (`jq` is not found in `jquery`). Pure functions, no I/O.

use super::words::{GENERIC, words};
use crate::Classification;

/// What a filed issue must name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequiredFacts {
    /// The failure's subject: the key terms a title must name (lower-case).
    pub title: Vec<String>,
    /// The failed step, then the key terms.
    pub body: Vec<String>,
}

/// Punctuation that ends a headline token (`jq:`, `(exit`, `127)`, `found,`).
const TRIM: &[char] = &[
    '(', ')', '[', ']', '{', '}', ',', ';', ':', '"', '\'', '`', '!', '?', '.', '*', '<', '>',
];

/// The facts `analysis` states, checked against `log` (the excerpt the pre-analysis read) and
/// its evidence lines.
pub fn required_facts(analysis: &Classification, log: Option<&str>) -> RequiredFacts {
    let mut evidence = analysis.evidence.join("\n");
    evidence.push('\n');
    evidence.push_str(log.unwrap_or_default());
    let evidence_words: Vec<String> = words(&evidence);
    let evidence_lower = evidence.to_ascii_lowercase();
    let mut terms: Vec<String> = Vec::new();
    for token in analysis.headline.split_whitespace() {
        let token = token.trim_matches(TRIM).to_ascii_lowercase();
        let parts = words(&token);
        let distinctive = parts.iter().any(|w| {
            !GENERIC.contains(&w.as_str()) && !w.chars().all(|c| c.is_ascii_digit()) && w.len() >= 2
        });
        if !distinctive || token.chars().filter(char::is_ascii_alphanumeric).count() < 2 {
            continue;
        }
        let in_evidence = if is_word(&token) {
            evidence_words.contains(&token)
        } else {
            contains_term(&evidence_lower, &token)
        };
        if in_evidence && !terms.contains(&token) {
            terms.push(token);
        }
    }
    let step = analysis
        .failing_step
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let not_step: Vec<String> = terms.iter().filter(|t| **t != step).cloned().collect();
    let title = subjects(analysis, &not_step);
    let mut body = Vec::new();
    if let Some(step) = analysis.failing_step.as_deref().filter(|s| !s.is_empty()) {
        body.push(step.to_ascii_lowercase());
    }
    for t in &terms {
        if !body.contains(t) {
            body.push(t.clone());
        }
    }
    RequiredFacts { title, body }
}

/// The key terms a title must name: those the classification's prose marks as its subject
/// (`jq`, `requirements.txt` in backticks), else the most specific (longest) one
/// (`authentication` of "git clone failed: authentication required").
fn subjects(analysis: &Classification, terms: &[String]) -> Vec<String> {
    let mut prose = format!("{}\n{}", analysis.summary, analysis.probable_cause);
    for fix in &analysis.suggested_fixes {
        prose.push('\n');
        prose.push_str(fix);
    }
    let quoted: Vec<String> = prose
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_ascii_lowercase)
        .collect();
    let marked: Vec<String> = terms
        .iter()
        .filter(|t| quoted.iter().any(|q| q == *t))
        .cloned()
        .collect();
    if !marked.is_empty() {
        return marked;
    }
    let longest = terms.iter().map(String::len).max().unwrap_or(0);
    terms
        .iter()
        .find(|t| t.len() == longest)
        .cloned()
        .into_iter()
        .collect()
}

fn is_word(term: &str) -> bool {
    term.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether lower-case `text` has `term` with no letter or digit right before or after it.
fn contains_term(text: &str, term: &str) -> bool {
    text.match_indices(term).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + term.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// A model's title that left out the failure's subject, with the pre-analysis `headline`
/// after it (`<title> — <headline>`), the model's part cut (`…`) so the whole fits in
/// `max_chars`: the model's words stay, and the subject is named.
pub fn title_with_headline(title: &str, headline: &str, max_chars: usize) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let headline = headline.split_whitespace().collect::<Vec<_>>().join(" ");
    let room = max_chars.saturating_sub(headline.chars().count() + 3);
    let mine = if title.chars().count() <= room {
        title
    } else {
        let cut: String = title.chars().take(room.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    };
    if mine.is_empty() || mine == "…" {
        headline
    } else {
        format!("{mine} — {headline}")
    }
}

/// The `facts` that `text` does not name (whole words, any case).
pub fn missing(text: &str, facts: &[String]) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    facts
        .iter()
        .filter(|f| !contains_term(&lower, f))
        .cloned()
        .collect()
}

/// The pre-analysis's statement of facts a model's text left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restated {
    /// The facts the model's text did not name.
    pub missing: Vec<String>,
    /// The names of the pre-analysis sections that state them, in the body's order.
    pub sections: Vec<String>,
    /// Those sections, their headings one level down (`#### …`), after a line naming the
    /// facts; to be filed after the model's text.
    pub text: String,
}

/// The `### ` sections of a rendered pre-analysis body (up to the footer rule), as
/// (heading name, whole text).
fn sections(rendered: &str) -> Vec<(String, String)> {
    let main = rendered.split("\n---\n").next().unwrap_or(rendered);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in main.lines() {
        if let Some(name) = line.strip_prefix("### ") {
            out.push((name.trim().to_string(), format!("{line}\n")));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

/// Where a fact is looked for first: the summary states it in words, the detailed error
/// quotes it; the location and the fixes come last.
fn rank(section: &str) -> usize {
    let s = section.to_ascii_lowercase();
    if s.starts_with("summary") {
        0
    } else if s.starts_with("detailed") {
        1
    } else if s.starts_with("possible") {
        2
    } else {
        3
    }
}

/// When `body` (what the model wrote, as it will be filed) leaves out some of `facts`, the
/// sections of `rendered` (the pre-analysis issue body) that state them: for each missing
/// fact the first section naming it (summary, detailed error, solutions, location). `None`
/// when nothing is missing, or the pre-analysis does not state what is (nothing to add).
pub fn restate(body: &str, rendered: &str, facts: &[String]) -> Option<Restated> {
    let missing = missing(body, facts);
    if missing.is_empty() {
        return None;
    }
    let mut all = sections(rendered);
    all.sort_by_key(|(name, _)| rank(name));
    let mut chosen: Vec<&(String, String)> = Vec::new();
    for fact in &missing {
        if let Some(s) = all
            .iter()
            .find(|(_, text)| contains_term(&text.to_ascii_lowercase(), fact))
            && !chosen.iter().any(|c| c.0 == s.0)
        {
            chosen.push(s);
        }
    }
    if chosen.is_empty() {
        return None;
    }
    // Back in the body's order.
    let order = sections(rendered);
    chosen.sort_by_key(|(name, _)| order.iter().position(|(n, _)| n == name));
    let named: Vec<String> = missing.iter().map(|f| format!("`{f}`")).collect();
    let mut text = format!(
        "_The model's text does not name {}; the automatic pre-analysis states:_\n\n",
        named.join(", ")
    );
    let parts: Vec<String> = chosen
        .iter()
        .map(|(_, t)| format!("#{}", t.trim_end()))
        .collect();
    text.push_str(&parts.join("\n\n"));
    Some(Restated {
        missing,
        sections: chosen.iter().map(|(n, _)| n.clone()).collect(),
        text,
    })
}

#[cfg(test)]
mod tests;
