//! Instruction-like text in untrusted data (a build log, events): lines that address the
//! agent instead of describing the build — a tool call written as JSON
//! (`{"name": "issue_write", "arguments": {… "title": "pwned"}}`), a note to "the AI", "ignore
//! all previous instructions", a fake chat turn or template token. Such a line is evidence of
//! an injection attempt, never text for an issue: [`withhold`] leaves it out of a quoted log
//! (saying how many lines were left out), and [`Injected`] recognises a model's text that
//! repeats it — most of its words, or a value the injected call wanted written (its `title`,
//! `body`, `owner`, `repo`). Pure functions, no I/O.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::static_regex;

/// A JSON object naming a tool and its arguments, on one line.
static TOOL_CALL: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r#"(?i)"(?:name|tool|function)"\s*:\s*"[^"]{1,80}"[^\n]{0,400}"(?:arguments|parameters|input|args)"\s*:"#,
    )
});

/// Words that address a model or change its task.
static ADDRESSES_MODEL: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(concat!(
        r"(?i)\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|your)\s+(?:instructions|prompts?|rules)",
        r"|\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:ai|assistant|llm|model|agent|bot)\b",
        r"|^\s*(?:#+\s*)?(?:important\s+)?(?:ai|llm|assistant|ai\s+reviewer|ai\s+assistant|system\s+notice|system|developer)\s*:",
        r"|\byou\s+are\s+now\b|\bnew\s+task\s*:|\b(?:do\s+not|don't)\s+(?:create|file|open)\s+(?:an?\s+)?issue",
        r"|<\|[^|<>\n]{0,40}\|>|\[/?INST\]|<</?SYS>>|</?tool_output\b",
    ))
});

/// A JSON string value of the keys an injected issue call fills in.
static WANTED_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(r#""(?:title|body|owner|repo|repository)"\s*:\s*"([^"\n]{3,200})""#)
});

/// Whether one line of untrusted data addresses the agent (see the module doc).
pub fn is_instruction(line: &str) -> bool {
    TOOL_CALL.is_match(line) || ADDRESSES_MODEL.is_match(line)
}

/// `text` without its instruction-like lines, and how many were left out.
pub fn withhold(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut left_out = 0;
    for line in text.split_inclusive('\n') {
        if is_instruction(line) {
            left_out += 1;
        } else {
            out.push_str(line);
        }
    }
    (out, left_out)
}

/// What the untrusted data tried to have written, to recognise it in a model's text.
#[derive(Debug, Clone, Default)]
pub struct Injected {
    /// Word 4-grams of the instruction-like lines.
    grams: HashSet<String>,
    /// Lower-case values an injected call wanted filed, absent from the rest of the data.
    values: Vec<String>,
}

fn words(text: &str) -> Vec<String> {
    super::words::words(text)
}

fn grams(words: &[String]) -> impl Iterator<Item = String> + '_ {
    words.windows(4).map(|w| w.join(" "))
}

impl Injected {
    /// From the untrusted data the model read (the log excerpt; evidence lines).
    pub fn from_data<'a>(data: impl IntoIterator<Item = &'a str>) -> Self {
        let mut lines = Vec::new();
        let mut rest = String::new();
        for text in data {
            for line in text.lines() {
                if is_instruction(line) {
                    lines.push(line);
                } else {
                    rest.push_str(&line.to_ascii_lowercase());
                    rest.push('\n');
                }
            }
        }
        let grams = lines
            .iter()
            .flat_map(|l| grams(&words(l)).collect::<Vec<_>>())
            .collect();
        let mut values: Vec<String> = Vec::new();
        for line in &lines {
            for c in WANTED_VALUE.captures_iter(line) {
                let v = c
                    .get(1)
                    .map_or("", |m| m.as_str())
                    .trim()
                    .to_ascii_lowercase();
                let real = v.chars().filter(char::is_ascii_alphanumeric).count() >= 3;
                if real && !rest.contains(&v) && !values.contains(&v) {
                    values.push(v);
                }
            }
        }
        Self { grams, values }
    }

    /// Whether nothing in the data addressed the agent.
    pub fn is_empty(&self) -> bool {
        self.grams.is_empty() && self.values.is_empty()
    }

    /// Whether `text` repeats the injected text: a tool call written as JSON, half of its word
    /// 4-grams (or 60 % of one sentence of six words or more), or a value the injected call
    /// wanted written, as whole words. (A model that says the log "holds a note to the AI"
    /// reports the injection, as the prompt asks; it is not an echo.)
    pub fn echoed_in(&self, text: &str) -> bool {
        if self.is_empty() {
            return false;
        }
        if text.lines().any(|l| TOOL_CALL.is_match(l)) {
            return true;
        }
        let lower = text.to_ascii_lowercase();
        let has_value = self.values.iter().any(|v| {
            lower.match_indices(v.as_str()).any(|(at, _)| {
                let before = lower[..at].chars().next_back();
                let after = lower[at + v.len()..].chars().next();
                !before.is_some_and(|c| c.is_ascii_alphanumeric())
                    && !after.is_some_and(|c| c.is_ascii_alphanumeric())
            })
        });
        let share = |s: &str| {
            let g: Vec<String> = grams(&words(s)).collect();
            let hits = g.iter().filter(|x| self.grams.contains(*x)).count();
            if g.is_empty() {
                0.0
            } else {
                hits as f64 / g.len() as f64
            }
        };
        has_value
            || share(text) >= 0.5
            || text
                .split(['.', '!', '?', ';', '\n'])
                .filter(|s| words(s).len() >= 6)
                .any(|s| share(s) >= 0.6)
    }
}

#[cfg(test)]
mod tests;
