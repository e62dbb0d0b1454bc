//! Token budgets: a cheap token estimate, a per-result cap that keeps the newest lines, and a
//! whole-conversation fit that shares the free space fairly between tool results.

use super::truncation_note;
use crate::Error;

/// Estimates tokens as one per three bytes, rounded up. Deliberately pessimistic: logs are
/// dense in symbols and paths, which tokenise worse than prose; overestimating only costs a
/// few kept lines, underestimating overflows the window.
pub fn estimate_tokens(text: &str) -> usize {
    text.len().div_ceil(3)
}

/// The context window of the model and how it is shared out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextBudget {
    /// The model's context window in tokens.
    pub window_tokens: usize,
    /// Tokens kept free for the model's answer.
    pub output_reserve_tokens: usize,
    /// Cap of one tool result as a percentage of the window.
    pub tool_result_pct: usize,
    /// Absolute cap of one tool result.
    pub tool_result_max_tokens: usize,
}

impl ContextBudget {
    /// A budget for a window of `window_tokens`: the answer reserve is a fifth of the window
    /// (at most 16 384), one tool result may take 15 % of the window (at most 25 000), the
    /// proportions HolmesGPT found to work.
    pub fn new(window_tokens: usize) -> Self {
        Self {
            window_tokens,
            output_reserve_tokens: (window_tokens / 5).min(16_384),
            tool_result_pct: 15,
            tool_result_max_tokens: 25_000,
        }
    }

    /// The most tokens a single tool result may keep.
    pub fn per_tool_result_tokens(&self) -> usize {
        (self.window_tokens * self.tool_result_pct / 100).min(self.tool_result_max_tokens)
    }
}

/// One tool result that [`fit_tool_results`] had to cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruncatedResult {
    /// Its index in the slice passed in.
    pub index: usize,
    /// Estimated tokens before.
    pub original_tokens: usize,
    /// Estimated tokens after.
    pub kept_tokens: usize,
}

/// What [`fit_tool_results`] did, for the run's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FitReport {
    /// Results that were cut, in index order.
    pub truncated: Vec<TruncatedResult>,
    /// Estimated tokens of the whole conversation afterwards (fixed part included).
    pub total_tokens: usize,
}

/// Shares `available` tokens between items of the given sizes by water-filling: items smaller
/// than an equal share keep their size, the rest split what is left equally.
pub fn fair_shares(sizes: &[usize], available: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| sizes.get(i).copied().unwrap_or(0));
    let mut shares = vec![0; sizes.len()];
    let mut left = available;
    for (pos, &i) in order.iter().enumerate() {
        let equal = left / (order.len() - pos);
        let give = sizes.get(i).copied().unwrap_or(0).min(equal);
        if let Some(s) = shares.get_mut(i) {
            *s = give;
        }
        left -= give;
    }
    shares
}

/// Fits a conversation into the budget by cutting tool results (never the prompts).
///
/// `fixed_tokens` is the estimate of every message that must stay whole (system prompt,
/// request, assistant turns). Each result is first capped at
/// [`ContextBudget::per_tool_result_tokens`]; if the total still exceeds the window minus the
/// reserve, the free space is shared with [`fair_shares`], so small results stay whole and the
/// large ones are cut, keeping their newest lines. The newest result (last in `results`, the
/// one the model just asked for) is kept whole while it needs at most half the space; only
/// the older results then share the rest.
pub fn fit_tool_results(
    budget: &ContextBudget,
    fixed_tokens: usize,
    results: &mut [String],
) -> Result<FitReport, Error> {
    let usable = budget
        .window_tokens
        .checked_sub(budget.output_reserve_tokens)
        .and_then(|u| u.checked_sub(fixed_tokens))
        .ok_or(Error::ContextTooSmall {
            fixed_tokens,
            reserve_tokens: budget.output_reserve_tokens,
            window_tokens: budget.window_tokens,
        })?;
    let cap = budget.per_tool_result_tokens();
    let sizes: Vec<usize> = results.iter().map(|r| estimate_tokens(r)).collect();
    let capped: Vec<usize> = sizes.iter().map(|&s| s.min(cap)).collect();
    let shares = share_out(&capped, usable);
    let mut report = FitReport::default();
    for (index, (result, (&original, &share))) in results
        .iter_mut()
        .zip(sizes.iter().zip(&shares))
        .enumerate()
    {
        if original > share {
            *result = truncate_to_tokens(result, share);
            report.truncated.push(TruncatedResult {
                index,
                original_tokens: original,
                kept_tokens: estimate_tokens(result),
            });
        }
    }
    report.total_tokens = fixed_tokens + results.iter().map(|r| estimate_tokens(r)).sum::<usize>();
    Ok(report)
}

/// Token shares for results in chronological order (see [`fit_tool_results`]).
fn share_out(sizes: &[usize], usable: usize) -> Vec<usize> {
    if sizes.iter().sum::<usize>() <= usable {
        return sizes.to_vec();
    }
    match sizes.split_last() {
        Some((&newest, older)) if !older.is_empty() && newest <= usable / 2 => {
            let mut shares = fair_shares(older, usable - newest);
            shares.push(newest);
            shares
        }
        _ => fair_shares(sizes, usable),
    }
}

/// Marks a line kept only in part.
const ELLIPSIS: &str = "…";

/// Cuts `text` to at most `max_tokens`, keeping whole lines from the end and starting with a
/// `[truncated: N lines omitted]` note. A last line longer than the budget keeps its end.
pub fn truncate_to_tokens(text: &str, max_tokens: usize) -> String {
    if estimate_tokens(text) <= max_tokens {
        return text.to_owned();
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let total = lines.len();
    let mut kept = 0;
    let mut used = 0;
    for line in lines.iter().rev() {
        let note = estimate_tokens(&truncation_note(total - kept - 1)) + 1;
        let need = estimate_tokens(line) + 1;
        if used + need + note > max_tokens {
            break;
        }
        used += need;
        kept += 1;
    }
    let omitted = total - kept;
    let mut out = truncation_note(omitted);
    let note_tokens = estimate_tokens(&out) + 1;
    if kept == 0 {
        // Not even one whole line fits: keep the end of the last line, on a char boundary,
        // behind `…`: the fragment never starts a line, so text from the middle of a line
        // cannot pose as a line of its own (a `system:` turn the framing quotes only at a
        // line's start).
        let room = (max_tokens.saturating_sub(note_tokens) * 3).saturating_sub(ELLIPSIS.len());
        let last = lines.last().copied().unwrap_or("");
        let mut start = last.len().saturating_sub(room);
        while !last.is_char_boundary(start) {
            start += 1;
        }
        if room > 0 {
            out.push('\n');
            out.push_str(ELLIPSIS);
            out.push_str(&last[start..]);
        }
        return out;
    }
    for line in &lines[total - kept..] {
        out.push('\n');
        out.push_str(line);
    }
    out
}
