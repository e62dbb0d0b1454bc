//! `pods_log`: container choice, upstream parameters plus `tailLines`, `sinceSeconds`,
//! `limitBytes` and `grep`, and an output cap that keeps the end of the log.

use regex::Regex;

use super::pods::{choose_container, pods};
use super::{ToolCtx, ToolResult, fail};
use crate::args::Args;
use crate::kube_api::query;

/// Lines sent when no tail is given (upstream's default).
pub(crate) const DEFAULT_TAIL: i64 = 100;
/// Largest log text returned to the model; the start is cut first.
pub(crate) const MAX_LOG_BYTES: usize = 64 * 1024;
/// Lines kept before and after each `grep` match.
pub(crate) const GREP_CONTEXT: usize = 2;

/// Post-processing of a log text.
#[derive(Debug, Default)]
pub struct LogFilter {
    /// Keep only lines matching this (with context).
    pub grep: Option<Regex>,
    /// Output cap in bytes.
    pub max_bytes: usize,
}

/// Apply `grep` (matching lines with [`GREP_CONTEXT`] lines around, groups separated by `--`)
/// and the size cap (keeping the end, with a note saying what was cut).
pub fn filter_log(text: &str, f: &LogFilter) -> String {
    let mut out = match &f.grep {
        None => text.to_string(),
        Some(re) => {
            let lines: Vec<&str> = text.lines().collect();
            let mut keep = vec![false; lines.len()];
            let mut matches = 0;
            for (i, l) in lines.iter().enumerate() {
                if re.is_match(l) {
                    matches += 1;
                    let lo = i.saturating_sub(GREP_CONTEXT);
                    let hi = (i + GREP_CONTEXT).min(lines.len().saturating_sub(1));
                    keep[lo..=hi].iter_mut().for_each(|k| *k = true);
                }
            }
            if matches == 0 {
                return format!(
                    "# no line matches /{}/ in {} lines of log",
                    re.as_str(),
                    lines.len()
                );
            }
            let mut s = format!(
                "# {matches} matching lines for /{}/ (with {GREP_CONTEXT} lines of context)\n",
                re.as_str()
            );
            let mut prev: Option<usize> = None;
            for (i, l) in lines.iter().enumerate().filter(|(i, _)| keep[*i]) {
                if prev.is_some_and(|p| p + 1 != i) {
                    s.push_str("--\n");
                }
                s.push_str(l);
                s.push('\n');
                prev = Some(i);
            }
            s
        }
    };
    if f.max_bytes > 0 && out.len() > f.max_bytes {
        let mut cut = out.len() - f.max_bytes;
        while !out.is_char_boundary(cut) {
            cut += 1;
        }
        // Start at a line boundary so the first kept line is whole.
        if let Some(nl) = out[cut..].find('\n')
            && nl + 1 < out.len() - cut
        {
            cut += nl + 1;
        }
        let total = out.len();
        out = format!(
            "# [log truncated: the first {cut} of {total} bytes were cut; showing the last {} bytes]\n{}",
            total - cut,
            &out[cut..]
        );
    }
    out
}

pub(super) async fn pods_log(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let pre = "failed to get pod log";
    let name = a.req_str("name").map_err(|e| fail(pre, e))?;
    let ns = ctx.namespace(a.opt_str("namespace").map_err(|e| fail(pre, e))?);
    let tail = match a.opt_int("tail").map_err(|e| fail(pre, e))? {
        Some(t) => Some(t),
        None => a.opt_int("tailLines").map_err(|e| fail(pre, e))?,
    };
    let previous = a
        .opt_bool("previous")
        .map_err(|e| fail(pre, e))?
        .unwrap_or(false);
    let since = a
        .opt_int("sinceSeconds")
        .map_err(|e| fail(pre, e))?
        .filter(|s| *s > 0);
    let limit = a
        .opt_int("limitBytes")
        .map_err(|e| fail(pre, e))?
        .filter(|s| *s > 0);
    let grep = match a.opt_str("grep").map_err(|e| fail(pre, e))? {
        Some(g) => Some(Regex::new(&g).map_err(|e| {
            fail(
                pre,
                format!("grep parameter is not a valid regular expression: {e}"),
            )
        })?),
        None => None,
    };
    let what = format!("failed to get pod {name} log in namespace {ns}");
    let container = match a.opt_str("container").map_err(|e| fail(pre, e))? {
        Some(c) => c,
        None => {
            let pod = ctx
                .kube
                .get_json(&pods().object(Some(&ns), &name))
                .await
                .map_err(|e| fail(&what, e))?;
            choose_container(&pod).map_err(|e| fail(&what, e))?
        }
    };
    // With grep and no explicit tail the whole log is searched; otherwise upstream's tail rule.
    let tail_lines = match (tail, &grep) {
        (Some(t), _) if t > 0 => Some(t),
        (_, Some(_)) => None,
        _ => Some(DEFAULT_TAIL),
    };
    let path = format!(
        "{}/log{}",
        pods().object(Some(&ns), &name),
        query(&[
            ("container", Some(container)),
            ("previous", previous.then(|| "true".to_string())),
            ("tailLines", tail_lines.map(|t| t.to_string())),
            ("sinceSeconds", since.map(|s| s.to_string())),
            ("limitBytes", limit.map(|l| l.to_string())),
        ])
    );
    let text = ctx.kube.get_text(&path).await.map_err(|e| fail(&what, e))?;
    if text.is_empty() {
        return Ok(
            format!("The pod {name} in namespace {ns} has not logged any message yet").into(),
        );
    }
    Ok(filter_log(
        &text,
        &LogFilter {
            grep,
            max_bytes: MAX_LOG_BYTES,
        },
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grep_keeps_context_and_separates_groups() {
        let log = (1..=20)
            .map(|i| {
                if i == 5 || i == 15 {
                    format!("line {i} ERROR")
                } else {
                    format!("line {i}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let out = filter_log(
            &log,
            &LogFilter {
                grep: Some(Regex::new("ERROR").unwrap()),
                max_bytes: 0,
            },
        );
        let expected = "# 2 matching lines for /ERROR/ (with 2 lines of context)\nline 3\nline 4\nline 5 ERROR\nline 6\nline 7\n--\nline 13\nline 14\nline 15 ERROR\nline 16\nline 17\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn grep_without_match_says_so() {
        let out = filter_log(
            "a\nb\n",
            &LogFilter {
                grep: Some(Regex::new("zzz").unwrap()),
                max_bytes: 0,
            },
        );
        assert_eq!(out, "# no line matches /zzz/ in 2 lines of log");
    }

    #[test]
    fn cap_keeps_the_tail_with_a_note() {
        let log: String = (0..1000).map(|i| format!("line {i:04}\n")).collect();
        let out = filter_log(
            &log,
            &LogFilter {
                grep: None,
                max_bytes: 100,
            },
        );
        assert!(out.starts_with("# [log truncated: the first "), "{out}");
        assert!(out.ends_with("line 0999\n"));
        let body = out.split_once('\n').unwrap().1;
        assert!(body.len() <= 100);
        assert!(body.starts_with("line "), "{body}");
    }

    #[test]
    fn small_logs_are_untouched() {
        assert_eq!(
            filter_log(
                "x\ny\n",
                &LogFilter {
                    grep: None,
                    max_bytes: 100
                }
            ),
            "x\ny\n"
        );
    }
}
