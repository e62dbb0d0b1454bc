//! `pods_log`: container choice, upstream parameters plus `tailLines`, `sinceSeconds`,
//! `limitBytes` and `grep`, and an output cap that keeps the end of the log. The log is
//! streamed through [`LogScan`] and read up to the server's byte budget, never whole.

use regex::Regex;

use super::containers::choose_container;
use super::core_kinds::pods;
use super::log_scan::{DEFAULT_TAIL, LogFilter, LogScan, MAX_LOG_BYTES};
use super::{ToolContext, ToolResult};
use crate::args::Args;
use crate::error::{ArgError, Context, ToolError};
use crate::kube_api::query;

pub(super) async fn pods_log(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let pre = "failed to get pod log";
    let (name, ns) = ctx.name_and_namespace(a).context(pre)?;
    let tail = match a.opt_int("tail").context(pre)? {
        Some(t) => Some(t),
        None => a.opt_int("tailLines").context(pre)?,
    };
    let previous = a.opt_bool("previous").context(pre)?.unwrap_or(false);
    let since = a.opt_int("sinceSeconds").context(pre)?.filter(|s| *s > 0);
    let limit = a.opt_int("limitBytes").context(pre)?.filter(|s| *s > 0);
    let grep = match a.opt_str("grep").context(pre)? {
        Some(g) => Some(Regex::new(&g).map_err(|e| {
            ToolError::failed(
                pre,
                ArgError::invalid("grep", format!("is not a valid regular expression: {e}")),
            )
        })?),
        None => None,
    };
    let what = format!("failed to get pod {name} log in namespace {ns}");
    let container = match a.opt_str("container").context(pre)? {
        Some(c) => c,
        None => {
            let pod = ctx
                .kube
                .get_json(&pods().object(Some(&ns), &name))
                .await
                .context(&what)?;
            choose_container(&pod).context(&what)?
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
    let mut scan = LogScan::new(LogFilter {
        grep,
        max_bytes: MAX_LOG_BYTES,
    });
    let unread = ctx
        .kube
        .get_streamed(&path, ctx.limits.log_read_bytes, &mut |chunk| {
            scan.push(chunk)
        })
        .await
        .context(&what)?;
    if scan.read_bytes() == 0 {
        return Ok(
            format!("The pod {name} in namespace {ns} has not logged any message yet").into(),
        );
    }
    Ok(scan.finish(unread).into())
}

#[cfg(test)]
mod tests {
    use super::super::log_scan::{LogFilter, filter_log};
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
