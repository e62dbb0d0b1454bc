//! Vetting what a model wrote for an issue before it is filed, with the deterministic
//! pre-analysis as the reference. A weak model forced to the issue tool writes its prompt
//! back ("The issue body is markdown with these four sections in this order: …"), the tool's
//! name ("Issue write …"), template text ("[insert error message here]", `<first fix>`), HTML
//! entities from its chat template (`&amp;#34;`), or claims the evidence does not support
//! (another step, another exit code, a file that is not in the log). Here:
//!
//! - entities are decoded until none is left ([`decode_entities`]), so `&amp;#34;` is `"`;
//! - a title or a paragraph that repeats the instructions (word 4-grams shared with the
//!   prompts the model was given), names the tool or echoes its schema, or holds placeholder
//!   text is dropped ([`Problem::Echo`], [`Problem::Placeholder`]);
//! - a title or a paragraph that repeats instruction-like text of the untrusted data (an
//!   injected tool call's `"title": "pwned"`, a note to the AI) is dropped, and such lines
//!   are cut from a quoted log ([`Problem::Injected`], [`super::injected`]);
//! - a title that names no fact of the failure (the failed step, an error token, a file, a
//!   test, the exit code) is rejected ([`Problem::NoFact`]); one that names some but not the
//!   failure's subject (`jq`, `requirements.txt`) is flagged ([`Problem::MissingFacts`],
//!   [`super::required`]) so the caller adds the headline;
//! - a claim that contradicts the reference — a `step-…` the pod does not have, an exit code
//!   it did not report, a file named nowhere in the log — rejects a title and marks a
//!   paragraph ([`Problem::Contradiction`]); the caller then puts the pre-analysis first.
//!
//! The caller replaces what is rejected by the pre-analysis's own text and says which parts
//! came from where. Pure functions, no I/O.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::injected::{Injected, withhold};
use super::links::{LinkPolicy, outside_links};
use super::required::{missing, required_facts};
use super::words::{GENERIC, words};
use crate::Classification;
use crate::static_regex;

/// What the model's text is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Reference<'a> {
    /// The deterministic classification.
    pub analysis: &'a Classification,
    /// The log excerpt the pre-analysis read, if any.
    pub log: Option<&'a str>,
    /// The pod's container names (steps, init containers included); empty when unknown.
    pub steps: &'a [String],
    /// Exit codes the failed container reported; empty when unknown.
    pub exit_codes: &'a [i64],
    /// The texts the model was given as instructions (system and task prompts without the
    /// evidence, the steering messages, the offered tools' descriptions and schemas).
    pub instructions: &'a [String],
    /// The names of the tools the model was offered.
    pub tool_names: &'a [String],
}

/// Why a part of the model's text was not filed as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nothing (left) to file.
    Empty,
    /// It repeats the prompt's instructions, the tool's name or its schema.
    Echo,
    /// It holds template or placeholder text.
    Placeholder,
    /// A title that names no fact of the failure.
    NoFact,
    /// It says something the pre-analysis contradicts (what, in words).
    Contradiction(Vec<String>),
    /// A title with a link to a host the policy does not allow.
    OutsideLink,
    /// It repeats instruction-like text of the untrusted data (an injected tool call's
    /// title, a note to "the AI"): see [`super::injected`].
    Injected,
    /// A title that leaves out key terms of the failure (lower-case, as the pre-analysis
    /// headline writes them): see [`super::required`].
    MissingFacts(Vec<String>),
}

impl Problem {
    /// A short phrase for the issue's provenance note.
    pub fn describe(&self) -> String {
        match self {
            Self::Empty => "was empty".into(),
            Self::Echo => "repeated the instructions or the tool's name or schema".into(),
            Self::Placeholder => "held placeholder text".into(),
            Self::NoFact => "named no fact of the failure".into(),
            Self::Contradiction(what) => {
                format!("contradicted the pre-analysis ({})", what.join("; "))
            }
            Self::OutsideLink => "linked to a host that is not allowed".into(),
            Self::Injected => "repeated instruction-like text from the log".into(),
            Self::MissingFacts(what) => format!(
                "left out {}",
                what.iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A vetted title: the model's, decoded and on one line, or why it must be replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VettedTitle {
    /// The model's title, entities decoded, whitespace collapsed.
    pub text: String,
    /// Set when the title must not be filed.
    pub problem: Option<Problem>,
}

/// A vetted body: what is kept of the model's text and what was dropped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VettedBody {
    /// The model's blocks that were kept (entities decoded); a contradicted block is
    /// preceded by a quoted note saying what the pre-analysis does not confirm.
    pub text: String,
    /// One entry per dropped block.
    pub dropped: Vec<Problem>,
    /// The contradictions found in kept blocks.
    pub contradictions: Vec<String>,
}

static ENTITY: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});"));

/// Decodes HTML character references (`&amp;`, `&#34;`, `&#x27;`, …) until none is left, so
/// a doubly escaped `&amp;#34;` is `"`. Control characters other than tab and newline are
/// dropped; unknown names are left as they are.
pub fn decode_entities(text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..4 {
        let next = ENTITY
            .replace_all(&out, |c: &regex::Captures<'_>| {
                let all = c.get(0).map_or("", |m| m.as_str()).to_string();
                let name = c.get(1).map_or("", |m| m.as_str());
                let code = if let Some(hex) =
                    name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    match name.to_ascii_lowercase().as_str() {
                        "amp" => Some(38),
                        "lt" => Some(60),
                        "gt" => Some(62),
                        "quot" => Some(34),
                        "apos" => Some(39),
                        "nbsp" => Some(32),
                        _ => return all,
                    }
                };
                match code.and_then(char::from_u32) {
                    Some(ch) if ch == '\n' || ch == '\t' || !ch.is_control() => ch.to_string(),
                    _ => String::new(),
                }
            })
            .into_owned();
        if next == out {
            break;
        }
        out = next;
    }
    out
}

fn grams(words: &[String], n: usize) -> Vec<String> {
    words.windows(n).map(|w| w.join(" ")).collect()
}

/// Share of `text`'s word 4-grams found in the instructions (0 for fewer than 4 words).
fn echo_share(text: &str, instruction_grams: &HashSet<String>) -> f64 {
    let g = grams(&words(text), 4);
    if g.is_empty() {
        return 0.0;
    }
    let hits = g.iter().filter(|x| instruction_grams.contains(*x)).count();
    hits as f64 / g.len() as f64
}

/// Whether `text` repeats the instructions: most of its 4-grams are theirs, or one of its
/// sentences of six words or more mostly is ("The issue body is markdown with these four
/// sections in this order: #1, the first section …" starts a paragraph of the model's own).
fn echoes(text: &str, instruction_grams: &HashSet<String>) -> bool {
    echo_share(text, instruction_grams) >= 0.5
        || SENTENCE
            .split(text)
            .filter(|s| words(s).len() >= 6)
            .any(|s| echo_share(s, instruction_grams) >= 0.6)
}

static SENTENCE: LazyLock<Regex> = LazyLock::new(|| static_regex(r"[.!?:;]\s+|\n"));

fn instruction_grams(reference: &Reference<'_>) -> HashSet<String> {
    reference
        .instructions
        .iter()
        .flat_map(|t| grams(&words(t), 4))
        .collect()
}

/// Keys of the issue tool's arguments: a block that writes two of them as JSON or YAML keys
/// is the call itself echoed into the text.
const SCHEMA_KEYS: &[&str] = &[
    "method",
    "owner",
    "repo",
    "title",
    "body",
    "labels",
    "arguments",
    "parameters",
    "properties",
    "required",
];

static KEY: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r#"(?m)(?:"([A-Za-z_]+)"\s*:|^\s*[-*]?\s*([A-Za-z_]+)\s*:\s)"#));

fn echoes_schema(text: &str) -> bool {
    let keys: HashSet<String> = KEY
        .captures_iter(text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().to_ascii_lowercase())
        .filter(|k| SCHEMA_KEYS.contains(&k.as_str()))
        .collect();
    keys.len() >= 2
}

/// Whether `text` names one of the tools: `issue_write` as written, or (`words_too`) as the
/// words `issue write`.
fn names_tool(text: &str, reference: &Reference<'_>, words_too: bool) -> bool {
    let lower = text.to_ascii_lowercase();
    let text_words = words(text).join(" ");
    reference.tool_names.iter().any(|name| {
        let name = name.to_ascii_lowercase();
        if name.len() >= 4 && lower.contains(&name) && name.contains('_') {
            return true;
        }
        let as_words = words(&name).join(" ");
        words_too
            && as_words.contains(' ')
            && format!(" {text_words} ").contains(&format!(" {as_words} "))
    })
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(concat!(
        r"(?i)\[\s*(?:insert|your|add|describe|enter|fill|put|write)\b[^\]]*\]",
        r"|<\s*(?:insert|your|one or two|the key|first fix|second fix|short title|describe|add|enter)\b[^>]*>",
        r"|<[a-z]+(?: [a-z]+){1,6}>",
        r"|\blorem ipsum\b|\bplaceholder\b|\b(?:todo|tbd|fixme|xxx)\b",
        r"|\binsert (?:the |your |an? )?[a-z ]{0,30}here\b|\byour [a-z ]{1,30} here\b",
    ))
});

/// Placeholders that can appear in a code block the model fills with log lines.
static CODE_PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)^\s*(?:<[^<>\n]{3,60}>|\[[^\[\]\n]*(?:insert|here)[^\[\]\n]*\]|\.\.\.|…)\s*$",
    )
});

static STEP: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"(?i)\bstep-[a-z0-9]+(?:-[a-z0-9]+)*\b"));
static EXIT: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(r"(?i)\bexit(?:ed|s)?(?:\s+with)?(?:\s+(?:code|status))?\s*[:=]?\s*(-?\d{1,3})\b")
});
static FILE: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(concat!(
        r"(?i)(?:^|[^A-Za-z0-9_.\-/])((?:[A-Za-z0-9_.\-]+/)*[A-Za-z0-9_\-][A-Za-z0-9_.\-]*\.",
        r"(?:txt|py|toml|cfg|ini|json|ya?ml|lock|js|mjs|cjs|ts|tsx|go|mod|sum|rs|java|kt|xml|gradle|sh|rb|php|cpp|hpp|cs|sql|conf|properties|md|tf|jar|whl))\b",
        r"|\b(Containerfile|Dockerfile|Makefile|Gemfile|Pipfile|Jenkinsfile)\b",
    ))
});
static TEST_NAME: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"\b(test_[A-Za-z0-9_]+|Test[A-Z][A-Za-z0-9_]+)\b"));

/// Text the reference knows as evidence: the log, the classification's lines and prose.
fn evidence_text(reference: &Reference<'_>) -> String {
    let a = reference.analysis;
    let mut out = String::new();
    for part in [
        reference.log.unwrap_or_default(),
        &a.headline,
        &a.summary,
        &a.probable_cause,
    ] {
        out.push_str(part);
        out.push('\n');
    }
    for line in a.evidence.iter().chain(&a.suggested_fixes) {
        out.push_str(line);
        out.push('\n');
    }
    out.to_ascii_lowercase()
}

/// What in `text` the reference contradicts.
fn contradictions(text: &str, reference: &Reference<'_>) -> Vec<String> {
    let known = evidence_text(reference);
    let mut out = Vec::new();
    if !reference.steps.is_empty() {
        for m in STEP.find_iter(text) {
            let step = m.as_str().to_ascii_lowercase();
            if step.starts_with("step-by")
                || reference
                    .steps
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(&step))
                || known.contains(&step)
            {
                continue;
            }
            let said = format!(
                "names step `{step}`, the pod's steps are {}",
                reference
                    .steps
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if !out.contains(&said) {
                out.push(said);
            }
        }
    }
    if !reference.exit_codes.is_empty() {
        let logged: HashSet<i64> = EXIT
            .captures_iter(&known)
            .filter_map(|c| c.get(1)?.as_str().parse().ok())
            .collect();
        for c in EXIT.captures_iter(text) {
            let Some(code) = c.get(1).and_then(|m| m.as_str().parse::<i64>().ok()) else {
                continue;
            };
            if reference.exit_codes.contains(&code) || logged.contains(&code) {
                continue;
            }
            let said = format!(
                "says exit code {code}, the step exited with {}",
                reference
                    .exit_codes
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(" or ")
            );
            if !out.contains(&said) {
                out.push(said);
            }
        }
    }
    if reference.log.is_some_and(|l| !l.trim().is_empty()) {
        for c in FILE.captures_iter(text) {
            let Some(file) = c.get(1).or_else(|| c.get(2)) else {
                continue;
            };
            let path = file.as_str().to_ascii_lowercase();
            let base = path.rsplit('/').next().unwrap_or(&path).to_string();
            if known.contains(&base) {
                continue;
            }
            let said = format!("names file `{base}`, which is not in the log");
            if !out.contains(&said) {
                out.push(said);
            }
        }
    }
    out
}

/// The facts a title may name: the failed step, the distinctive words of the headline and of
/// the evidence lines, files and tests named in the evidence, the exit code.
fn facts(reference: &Reference<'_>) -> HashSet<String> {
    let a = reference.analysis;
    let mut out = HashSet::new();
    let distinctive =
        |w: &str| w.len() >= 4 && !GENERIC.contains(&w) && !w.chars().all(|c| c.is_ascii_digit());
    if let Some(step) = &a.failing_step {
        out.insert(step.to_ascii_lowercase());
        for w in words(step) {
            if distinctive(&w) && w != "step" {
                out.insert(w);
            }
        }
    }
    for w in words(&a.headline) {
        if distinctive(&w) {
            out.insert(w);
        }
    }
    let lines: Vec<&str> = a
        .evidence
        .iter()
        .map(String::as_str)
        .chain(reference.log)
        .collect();
    for line in &lines {
        for c in FILE.captures_iter(line) {
            if let Some(f) = c.get(1).or_else(|| c.get(2)) {
                let base = f.as_str().rsplit('/').next().unwrap_or_default();
                out.extend(words(base).into_iter().filter(|w| distinctive(w)));
            }
        }
        for c in TEST_NAME.captures_iter(line) {
            if let Some(t) = c.get(1) {
                out.insert(t.as_str().to_ascii_lowercase());
            }
        }
    }
    // The words of the evidence lines (the error lines of the log, statuses, events), paths
    // left out (`/workspace/source/agent` names the checkout, not the failure).
    for line in &a.evidence {
        for token in line.split_whitespace().filter(|t| !t.contains('/')) {
            out.extend(words(token).into_iter().filter(|w| distinctive(w)));
        }
    }
    // Identifier-like tokens of the evidence lines: OOMKilled, ErrImagePull, ENOENT, fastapi.
    for line in &a.evidence {
        for token in line.split(|c: char| c.is_whitespace() || "\"'()[]{},;:=<>`".contains(c)) {
            let camel = token
                .chars()
                .zip(token.chars().skip(1))
                .any(|(x, y)| x.is_ascii_lowercase() && y.is_ascii_uppercase());
            let caps = token.len() >= 4 && token.chars().all(|c| c.is_ascii_uppercase());
            if camel || caps {
                let t = token.to_ascii_lowercase();
                if distinctive(&t) {
                    out.insert(t);
                }
            }
        }
    }
    out
}

/// Whether the title names a fact; `true` when the pre-analysis knows none to compare with
/// (nothing recognised: its headline's words are no facts).
fn names_fact(title: &str, reference: &Reference<'_>) -> bool {
    if reference.analysis.category == crate::Category::Unknown
        && reference.analysis.evidence.is_empty()
    {
        return true;
    }
    let mut facts = facts(reference);
    if facts.is_empty() && reference.exit_codes.is_empty() {
        return true;
    }
    // The category's own words (`build_copy_missing_file`, copied from the pre-analysis
    // context into "Issue: build-copy-missing_file") name no fact by themselves.
    for w in words(reference.analysis.category.as_str()) {
        facts.remove(&w);
    }
    let lower = title.to_ascii_lowercase();
    // Words match words; a fact with punctuation (`step-build`, `requirements.txt`) matches
    // as written.
    if words(title).iter().any(|w| facts.contains(w))
        || facts
            .iter()
            .any(|f| !f.chars().all(|c| c.is_ascii_alphanumeric()) && lower.contains(f.as_str()))
    {
        return true;
    }
    EXIT.captures_iter(title).any(|c| {
        c.get(1)
            .and_then(|m| m.as_str().parse::<i64>().ok())
            .is_some_and(|code| code != 0 && reference.exit_codes.contains(&code))
    })
}

/// The instruction-like text of the untrusted data the model read (log, evidence lines).
fn injected(reference: &Reference<'_>) -> Injected {
    Injected::from_data(
        reference
            .log
            .into_iter()
            .chain(reference.analysis.evidence.iter().map(String::as_str)),
    )
}

/// Vets a title (see the module doc); `links` decides which links it may carry.
pub fn vet_title(title: &str, reference: &Reference<'_>, links: &LinkPolicy) -> VettedTitle {
    let text = decode_entities(title)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let grams = instruction_grams(reference);
    let problem = if words(&text).is_empty() {
        Some(Problem::Empty)
    } else if PLACEHOLDER.is_match(&text) {
        Some(Problem::Placeholder)
    } else if names_tool(&text, reference, true) || echoes_schema(&text) || echoes(&text, &grams) {
        Some(Problem::Echo)
    } else if injected(reference).echoed_in(&text) {
        Some(Problem::Injected)
    } else if !outside_links(&text, links).is_empty() {
        Some(Problem::OutsideLink)
    } else {
        let against = contradictions(&text, reference);
        if !against.is_empty() {
            Some(Problem::Contradiction(against))
        } else if !names_fact(&text, reference) {
            Some(Problem::NoFact)
        } else {
            let wanted = required_facts(reference.analysis, reference.log).title;
            let lacking = missing(&text, &wanted);
            (!lacking.is_empty()).then_some(Problem::MissingFacts(lacking))
        }
    };
    VettedTitle { text, problem }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Heading,
    Code,
    Prose,
}

/// One block of a body and whether a blank line came before it.
struct Block {
    kind: Kind,
    text: String,
    blank_before: bool,
}

/// The body split into blocks: headings, code fences (whole), and paragraphs.
fn blocks(body: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut current = String::new();
    let mut fence: Option<String> = None;
    let mut blank = false;
    let push = |out: &mut Vec<Block>, kind: Kind, text: String, blank: &mut bool| {
        if !text.trim().is_empty() {
            out.push(Block {
                kind,
                text,
                blank_before: *blank,
            });
            *blank = false;
        }
    };
    for line in body.lines() {
        let t = line.trim_start();
        let marker = {
            let ch = t.chars().next().filter(|c| *c == '`' || *c == '~');
            ch.map(|ch| (ch, t.chars().take_while(|c| *c == ch).count()))
                .filter(|(_, n)| *n >= 3)
                .map(|(ch, n)| ch.to_string().repeat(n))
        };
        if let Some(open) = &fence {
            current.push_str(line);
            current.push('\n');
            if marker
                .as_ref()
                .is_some_and(|m| m.starts_with(open.as_str()) && t.trim_end().len() == m.len())
            {
                let text = std::mem::take(&mut current).trim_end().to_string();
                push(&mut out, Kind::Code, text, &mut blank);
                fence = None;
            }
            continue;
        }
        let heading = t.starts_with('#')
            || (t.starts_with("**") && t.trim_end().ends_with("**") && t.len() < 80);
        if marker.is_some() || heading || t.is_empty() {
            let text = std::mem::take(&mut current).trim_end().to_string();
            push(&mut out, Kind::Prose, text, &mut blank);
        }
        if let Some(m) = marker {
            fence = Some(m);
            current.push_str(line);
            current.push('\n');
        } else if heading {
            push(
                &mut out,
                Kind::Heading,
                line.trim_end().to_string(),
                &mut blank,
            );
        } else if t.is_empty() {
            blank = true;
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    let kind = if fence.is_some() {
        Kind::Code
    } else {
        Kind::Prose
    };
    let text = current.trim_end().to_string();
    push(&mut out, kind, text, &mut blank);
    out
}

/// Vets a body (see the module doc): drops echoed, schema and placeholder blocks, marks the
/// contradicted ones, and drops headings left without content.
pub fn vet_body(body: &str, reference: &Reference<'_>) -> VettedBody {
    let decoded = decode_entities(body);
    let grams = instruction_grams(reference);
    let injected = injected(reference);
    let mut kept: Vec<Block> = Vec::new();
    let mut dropped = Vec::new();
    let mut all_against = Vec::new();
    for mut block in blocks(&decoded) {
        // A quoted log keeps its lines, without those that address the agent.
        if block.kind == Kind::Code && !injected.is_empty() {
            let (quoted, left_out) = withhold(&block.text);
            if left_out > 0 {
                dropped.push(Problem::Injected);
                block.text = quoted.trim_end().to_string();
            }
        }
        let text = &block.text;
        let problem = match block.kind {
            Kind::Heading => None,
            Kind::Code => {
                let inner: Vec<&str> = text.lines().skip(1).collect();
                let inner = inner[..inner.len().saturating_sub(1)].join("\n");
                if inner.trim().is_empty() {
                    Some(Problem::Empty)
                } else if inner
                    .lines()
                    .all(|l| l.trim().is_empty() || CODE_PLACEHOLDER.is_match(l))
                {
                    Some(Problem::Placeholder)
                } else if names_tool(&inner, reference, false)
                    || echoes_schema(&inner)
                    || echoes(&inner, &grams)
                {
                    Some(Problem::Echo)
                } else if injected.echoed_in(&inner) {
                    Some(Problem::Injected)
                } else {
                    None
                }
            }
            Kind::Prose => {
                if PLACEHOLDER.is_match(text) {
                    Some(Problem::Placeholder)
                } else if names_tool(text, reference, false)
                    || echoes_schema(text)
                    || echoes(text, &grams)
                {
                    Some(Problem::Echo)
                } else if injected.echoed_in(text) {
                    Some(Problem::Injected)
                } else {
                    None
                }
            }
        };
        if let Some(p) = problem {
            dropped.push(p);
            continue;
        }
        let against = if block.kind == Kind::Heading {
            Vec::new()
        } else {
            contradictions(text, reference)
        };
        if against.is_empty() {
            kept.push(block);
        } else {
            let note = format!(
                "> ⚠️ **Not confirmed by the automatic pre-analysis:** the model's text below {}.",
                against.join("; ")
            );
            all_against.extend(against);
            kept.push(Block {
                text: format!("{note}\n\n{text}"),
                blank_before: true,
                ..block
            });
        }
    }
    // A heading whose content was all dropped goes too (the pre-analysis fills it in).
    let mut out = String::new();
    for (i, block) in kept.iter().enumerate() {
        let next_is_content = kept.get(i + 1).is_some_and(|b| b.kind != Kind::Heading);
        if block.kind == Kind::Heading && !next_is_content {
            continue;
        }
        if !out.is_empty() {
            out.push_str(if block.blank_before { "\n\n" } else { "\n" });
        }
        out.push_str(&block.text);
    }
    if out.is_empty() && !decoded.trim().is_empty() && dropped.is_empty() {
        dropped.push(Problem::Empty);
    }
    all_against.dedup();
    VettedBody {
        text: out,
        dropped,
        contradictions: all_against,
    }
}

/// The pod's container names and the exit codes the failed containers (or `container`)
/// reported, from a Pod (or the pod shape of a TaskRun): the steps and exit codes of a
/// [`Reference`].
pub fn steps_and_exit_codes(
    pod: &serde_json::Value,
    container: Option<&str>,
) -> (Vec<String>, Vec<i64>) {
    let views = crate::classify::containers(pod);
    let steps = views.iter().map(|c| c.name.clone()).collect();
    let mut codes: Vec<i64> = views
        .iter()
        .filter(|c| container.map_or_else(|| c.failed(), |name| c.name == name || c.failed()))
        .flat_map(|c| [c.terminated.as_ref(), c.last_terminated.as_ref()])
        .flatten()
        .map(|t| t.exit_code)
        .filter(|code| *code != 0)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    (steps, codes)
}

/// A title fit to file in a public repository, whoever wrote it: entities decoded, one line,
/// secrets redacted, mentions neutralised, no angle brackets, and a URL to a host `links`
/// does not allow without its scheme (so nothing renders it as a link).
pub fn public_title(title: &str, links: &LinkPolicy) -> String {
    let one_line = decode_entities(title)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut clean =
        super::neutralise_mentions(&crate::redact::redact(&one_line).text).replace(['<', '>'], "");
    for url in outside_links(&clean.clone(), links) {
        let bare = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .trim_start_matches(['/', '\\']);
        clean = clean.replace(&url, bare);
    }
    clean
}

#[cfg(test)]
mod tests;
