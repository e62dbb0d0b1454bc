//! Log excerpts: one pass over a log of any size, keeping the tail and the lines that look like
//! errors (with a few lines of context), then capping the result by a token budget.
//!
//! Memory is bounded by the options, not by the log: the builder holds a ring of the last
//! lines, the first few error windows and a ring of the latest error windows.

use std::collections::{BTreeMap, VecDeque};
use std::sync::LazyLock;

use regex::Regex;

use super::budget::estimate_tokens;
use super::sanitize::sanitize_into;
use super::truncation_note;
use crate::static_regex;

/// Lines that usually explain a failure, across build tools, package managers and test runners.
static ERROR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)\b(?:error|errors|err|fatal|failed|failure|exception|traceback|panic|panicked|denied|unauthori[sz]ed|forbidden|not found|no such file|cannot|unable to|exit (?:code|status)|oomkilled|killed|timed out|timeout|refused|segmentation fault|aborted)\b",
    )
});

/// Whether a (sanitised) line looks like an error line worth keeping.
pub fn is_error_line(line: &str) -> bool {
    ERROR_LINE.is_match(line)
}

/// How to cut a log down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcerptOptions {
    /// Lines kept from the end of the log.
    pub tail_lines: usize,
    /// Lines of context kept before and after each error line.
    pub context_lines: usize,
    /// Error windows kept from the start of the log (the first error is often the cause).
    pub first_windows: usize,
    /// Error windows kept from the end of the log (the last errors are often the symptom).
    pub last_windows: usize,
    /// Longer lines are cut to this many characters.
    pub max_line_chars: usize,
    /// Token budget of the whole excerpt, truncation notes included.
    pub max_tokens: usize,
}

impl ExcerptOptions {
    /// The defaults, with the token budget of one tool result under `budget`.
    pub fn for_budget(budget: &super::ContextBudget) -> Self {
        Self {
            max_tokens: budget.per_tool_result_tokens(),
            ..Self::default()
        }
    }
}

impl Default for ExcerptOptions {
    fn default() -> Self {
        Self {
            tail_lines: 100,
            context_lines: 3,
            first_windows: 5,
            last_windows: 20,
            max_line_chars: 1000,
            max_tokens: 6000,
        }
    }
}

/// A cut-down log and what was cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogExcerpt {
    /// The kept lines in log order, with a `[truncated: N lines omitted]` note for each gap.
    pub text: String,
    /// Lines in the original log.
    pub total_lines: usize,
    /// Lines kept.
    pub kept_lines: usize,
    /// Lines left out (`total_lines - kept_lines`).
    pub omitted_lines: usize,
    /// Lines that matched the error patterns (kept or not).
    pub matched_lines: usize,
    /// Estimated tokens of `text`.
    pub estimated_tokens: usize,
}

/// Priority of a kept line when the budget forces more cuts (higher survives longer).
const PRIO_CONTEXT: u8 = 1;
const PRIO_RECENT: u8 = 2;
const PRIO_MATCH: u8 = 3;
/// The last lines of the log get `PRIO_RECENT`.
const RECENT_LINES: usize = 20;

type Window = Vec<(usize, u8, String)>;

/// Streaming excerpt builder: push lines as they arrive, then [`ExcerptBuilder::finish`].
#[derive(Debug)]
pub struct ExcerptBuilder {
    opts: ExcerptOptions,
    total: usize,
    matched: usize,
    ring: VecDeque<(usize, String)>,
    first: Vec<Window>,
    late: VecDeque<Window>,
    /// Whether the open window (receiving after-context) is the last of `first` or of `late`.
    open_in_first: bool,
    after_left: usize,
    scratch: String,
}

impl ExcerptBuilder {
    /// A builder with the given options.
    pub fn new(opts: ExcerptOptions) -> Self {
        Self {
            opts,
            total: 0,
            matched: 0,
            ring: VecDeque::new(),
            first: Vec::new(),
            late: VecDeque::new(),
            open_in_first: false,
            after_left: 0,
            scratch: String::new(),
        }
    }

    /// Adds one raw line (without its newline); it is sanitised and clipped here.
    pub fn push_line(&mut self, raw: &str) {
        let no = self.total;
        self.total += 1;
        self.scratch.clear();
        sanitize_into(raw, &mut self.scratch);
        let line = clip(&self.scratch, self.opts.max_line_chars);
        if is_error_line(&line) {
            self.matched += 1;
            self.add_match(no, &line);
        } else if self.after_left > 0 {
            self.after_left -= 1;
            self.append_to_open(no, PRIO_CONTEXT, &line);
        }
        self.ring.push_back((no, line));
        let cap = self.opts.tail_lines.max(self.opts.context_lines).max(1);
        while self.ring.len() > cap {
            self.ring.pop_front();
        }
    }

    fn add_match(&mut self, no: usize, line: &str) {
        if self.after_left > 0 && self.open_len() < self.window_cap() {
            self.append_to_open(no, PRIO_MATCH, line);
        } else {
            let skip = self.ring.len().saturating_sub(self.opts.context_lines);
            let mut window: Window = self
                .ring
                .iter()
                .skip(skip)
                .map(|(n, l)| (*n, PRIO_CONTEXT, l.clone()))
                .collect();
            window.push((no, PRIO_MATCH, line.to_owned()));
            if self.first.len() < self.opts.first_windows {
                self.first.push(window);
                self.open_in_first = true;
            } else {
                self.late.push_back(window);
                while self.late.len() > self.opts.last_windows {
                    self.late.pop_front();
                }
                self.open_in_first = false;
            }
        }
        self.after_left = self.opts.context_lines;
    }

    /// A run of error lines is split into windows of at most this many lines, so one endless
    /// error burst cannot grow a window (and memory) without bound.
    fn window_cap(&self) -> usize {
        4 * self.opts.context_lines + 8
    }

    fn open_len(&self) -> usize {
        let open = if self.open_in_first {
            self.first.last()
        } else {
            self.late.back()
        };
        open.map_or(0, Vec::len)
    }

    fn append_to_open(&mut self, no: usize, prio: u8, line: &str) {
        let open = if self.open_in_first {
            self.first.last_mut()
        } else {
            self.late.back_mut()
        };
        if let Some(window) = open {
            window.push((no, prio, line.to_owned()));
        }
    }

    /// Merges the selections, applies the token budget and renders the excerpt.
    pub fn finish(self) -> LogExcerpt {
        let mut kept: BTreeMap<usize, (u8, String)> = BTreeMap::new();
        let windows = self.first.into_iter().chain(self.late);
        for (no, prio, line) in windows.flatten() {
            merge(&mut kept, no, prio, line);
        }
        let tail_start = self.ring.len().saturating_sub(self.opts.tail_lines);
        for (no, line) in self.ring.into_iter().skip(tail_start) {
            let recent = no + RECENT_LINES >= self.total;
            merge(
                &mut kept,
                no,
                if recent { PRIO_RECENT } else { PRIO_CONTEXT },
                line,
            );
        }
        let mut lines: Vec<(usize, u8, String)> =
            kept.into_iter().map(|(no, (p, l))| (no, p, l)).collect();
        apply_budget(&mut lines, self.total, self.opts.max_tokens);
        let text = render(&lines, self.total);
        LogExcerpt {
            estimated_tokens: estimate_tokens(&text),
            text,
            total_lines: self.total,
            kept_lines: lines.len(),
            omitted_lines: self.total - lines.len(),
            matched_lines: self.matched,
        }
    }
}

/// Cuts a log down in one pass (see [`ExcerptBuilder`]). A trailing newline does not count as
/// an extra empty line.
pub fn excerpt(log: &str, opts: &ExcerptOptions) -> LogExcerpt {
    let mut builder = ExcerptBuilder::new(opts.clone());
    let body = log.strip_suffix('\n').unwrap_or(log);
    if !log.is_empty() {
        for line in body.split('\n') {
            builder.push_line(line);
        }
    }
    builder.finish()
}

fn merge(kept: &mut BTreeMap<usize, (u8, String)>, no: usize, prio: u8, line: String) {
    let entry = kept.entry(no).or_insert((prio, String::new()));
    entry.0 = entry.0.max(prio);
    if entry.1.is_empty() {
        entry.1 = line;
    }
}

/// Cuts a line to `max` characters, saying how many were dropped. The cut moves back to the
/// last space within 200 characters, so a token (perhaps a secret the redactor would only
/// recognise whole) is dropped entirely rather than split.
fn clip(line: &str, max: usize) -> String {
    let Some((hard, _)) = line.char_indices().nth(max) else {
        return line.to_owned();
    };
    let floor = hard.saturating_sub(200);
    let cut = line[..hard]
        .rfind([' ', '\t'])
        .filter(|&i| i >= floor && i > 0)
        .unwrap_or(hard);
    let dropped = line[cut..].chars().count();
    format!("{} …[{dropped} characters cut]", &line[..cut])
}

/// Tokens the rendered excerpt would have with the lines flagged in `keep`: lines, newlines
/// and one note per gap.
fn cost(lines: &[(usize, u8, String)], keep: &[bool], total: usize) -> usize {
    let mut tokens = 0;
    let mut expected = 0;
    for ((no, _, line), _) in lines.iter().zip(keep).filter(|(_, k)| **k) {
        if *no != expected {
            tokens += NOTE_TOKENS;
        }
        tokens += estimate_tokens(line) + 1;
        expected = no + 1;
    }
    if expected != total {
        tokens += NOTE_TOKENS;
    }
    tokens
}

/// Upper bound of the tokens of one truncation note plus its newline.
const NOTE_TOKENS: usize = 12;

/// Drops lines, lowest priority and oldest first, until the excerpt fits `max_tokens`.
/// Quadratic in the kept lines, which the options bound to a few hundred.
fn apply_budget(lines: &mut Vec<(usize, u8, String)>, total: usize, max_tokens: usize) {
    let mut keep = vec![true; lines.len()];
    let mut order: Vec<(u8, usize)> = lines
        .iter()
        .enumerate()
        .map(|(i, (_, p, _))| (*p, i))
        .collect();
    order.sort_unstable();
    for (_, i) in order {
        if cost(lines, &keep, total) <= max_tokens {
            break;
        }
        if let Some(k) = keep.get_mut(i) {
            *k = false;
        }
    }
    let mut flags = keep.into_iter();
    lines.retain(|_| flags.next().unwrap_or(false));
}

fn render(lines: &[(usize, u8, String)], total: usize) -> String {
    let mut out = String::new();
    let mut expected = 0;
    for (no, _, line) in lines {
        if *no > expected {
            out.push_str(&truncation_note(no - expected));
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        expected = no + 1;
    }
    if total > expected {
        out.push_str(&truncation_note(total - expected));
        out.push('\n');
    }
    out
}
