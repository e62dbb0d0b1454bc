//! Context hygiene for logs and tool results: make text printable and invisible-character
//! free, cut a log down to what explains a failure, and keep a whole conversation inside the
//! model's context window.
//!
//! Everything here is linear in the input and keeps only a bounded selection in memory, so a
//! 50 MB build log costs one pass and an output of at most the configured token budget.

mod budget;
mod excerpt;
mod sanitize;

pub use budget::{
    ContextBudget, FitReport, TruncatedResult, estimate_tokens, fair_shares, fit_tool_results,
    truncate_to_tokens,
};
pub use excerpt::{ExcerptBuilder, ExcerptOptions, LogExcerpt, excerpt, is_error_line};
pub use sanitize::{sanitize, sanitize_into};

/// The note that replaces every run of omitted lines, so the reader (human or model) always
/// sees that something was cut and how much.
pub fn truncation_note(lines: usize) -> String {
    format!("[truncated: {lines} lines omitted]")
}

#[cfg(test)]
mod tests;
