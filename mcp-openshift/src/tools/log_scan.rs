//! A log read as a stream of lines in bounded memory: `grep` with context, an output cap
//! that keeps the end, and notes saying what was cut.
//!
//! The API server's answer is never held whole: bytes are fed in chunks ([`LogScan::push`]),
//! lines are cut at [`MAX_LINE_BYTES`], and only the kept output (at most the cap plus one
//! line) stays in memory. The caller stops reading after its own byte budget and tells
//! [`LogScan::finish`] so the result says the log was not read to its end.

use std::collections::VecDeque;

use regex::Regex;

/// Lines a log tool reads when no tail is given (upstream's default).
pub(crate) const DEFAULT_TAIL: i64 = 100;
/// Largest log text a tool returns to the model; the start is cut first.
pub(crate) const MAX_LOG_BYTES: usize = 64 * 1024;

/// A whole log text cut to [`MAX_LOG_BYTES`] (its end kept, with a note), no grep: what the
/// node and Tekton log tools answer.
pub(crate) fn cap_log(text: &str) -> String {
    filter_log(
        text,
        &LogFilter {
            grep: None,
            max_bytes: MAX_LOG_BYTES,
        },
    )
}

/// Longest line kept; the rest of a longer line is dropped with a note on that line.
pub(crate) const MAX_LINE_BYTES: usize = 16 * 1024;

/// What to keep of a log.
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    /// Keep only lines matching this (with context).
    pub grep: Option<Regex>,
    /// Output cap in bytes (0 = none); the start is cut first.
    pub max_bytes: usize,
}

/// Lines kept before and after each `grep` match.
pub(crate) const GREP_CONTEXT: usize = 2;

/// The streaming state of one log.
#[derive(Debug)]
pub struct LogScan {
    filter: LogFilter,
    partial: Vec<u8>,
    partial_dropped: usize,
    lines: usize,
    matches: usize,
    before: VecDeque<(usize, String)>,
    after_left: usize,
    last_kept: Option<usize>,
    out: VecDeque<String>,
    out_bytes: usize,
    cut_bytes: usize,
    read_bytes: u64,
}

impl LogScan {
    /// A scan applying `filter`.
    pub fn new(filter: LogFilter) -> Self {
        Self {
            filter,
            partial: Vec::new(),
            partial_dropped: 0,
            lines: 0,
            matches: 0,
            before: VecDeque::new(),
            after_left: 0,
            last_kept: None,
            out: VecDeque::new(),
            out_bytes: 0,
            cut_bytes: 0,
            read_bytes: 0,
        }
    }

    /// Bytes fed so far.
    pub fn read_bytes(&self) -> u64 {
        self.read_bytes
    }

    /// Feed the next chunk of the log.
    pub fn push(&mut self, mut chunk: &[u8]) {
        self.read_bytes += chunk.len() as u64;
        while let Some(nl) = chunk.iter().position(|b| *b == b'\n') {
            self.append_partial(&chunk[..=nl]);
            let line = std::mem::take(&mut self.partial);
            let dropped = std::mem::take(&mut self.partial_dropped);
            self.line(line, dropped);
            chunk = &chunk[nl + 1..];
        }
        self.append_partial(chunk);
    }

    fn append_partial(&mut self, bytes: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(self.partial.len());
        let take = room.min(bytes.len());
        self.partial.extend_from_slice(&bytes[..take]);
        self.partial_dropped += bytes.len() - take;
    }

    /// One whole line (with its `\n`, except for a last line without one).
    fn line(&mut self, bytes: Vec<u8>, dropped: usize) {
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if dropped > 0 {
            let nl = text.ends_with('\n');
            let body = text.trim_end_matches('\n').to_string();
            text = format!("{body} [line cut: {dropped} more bytes]");
            if nl {
                text.push('\n');
            }
        }
        let i = self.lines;
        self.lines += 1;
        let Some(re) = &self.filter.grep else {
            self.emit(text);
            return;
        };
        let mut body = text.strip_suffix('\n').unwrap_or(&text).to_string();
        if body.ends_with('\r') {
            body.pop();
        }
        if re.is_match(&body) {
            self.matches += 1;
            let before: Vec<(usize, String)> = self.before.drain(..).collect();
            let first = before.first().map_or(i, |(j, _)| *j);
            if self.last_kept.is_some_and(|p| p + 1 != first) {
                self.emit("--\n".into());
            }
            for (_, l) in before {
                self.emit(format!("{l}\n"));
            }
            self.emit(format!("{body}\n"));
            self.last_kept = Some(i);
            self.after_left = GREP_CONTEXT;
        } else if self.after_left > 0 {
            self.after_left -= 1;
            self.emit(format!("{body}\n"));
            self.last_kept = Some(i);
        } else {
            self.before.push_back((i, body));
            if self.before.len() > GREP_CONTEXT {
                self.before.pop_front();
            }
        }
    }

    fn emit(&mut self, s: String) {
        self.out_bytes += s.len();
        self.out.push_back(s);
        let cap = self.filter.max_bytes;
        while cap > 0 && self.out_bytes > cap && self.out.len() > 1 {
            if let Some(front) = self.out.pop_front() {
                self.out_bytes -= front.len();
                self.cut_bytes += front.len();
            }
        }
    }

    /// The result text. `unread` is true when the caller stopped before the end of the log.
    pub fn finish(mut self, unread: bool) -> String {
        if !self.partial.is_empty() || self.partial_dropped > 0 {
            let line = std::mem::take(&mut self.partial);
            let dropped = self.partial_dropped;
            self.line(line, dropped);
        }
        let mut head = String::new();
        if unread {
            head.push_str(&format!(
                "# [log read stopped after {} bytes: the rest of the log was not read{}]\n",
                self.read_bytes,
                if self.filter.grep.is_some() {
                    " or searched"
                } else {
                    ""
                }
            ));
        }
        if self.cut_bytes > 0 {
            let total = self.cut_bytes + self.out_bytes;
            head.push_str(&format!(
                "# [log truncated: the first {} of {total} bytes were cut; showing the last {} bytes]\n",
                self.cut_bytes, self.out_bytes
            ));
        }
        if let Some(re) = &self.filter.grep {
            if self.matches == 0 {
                return format!(
                    "{head}# no line matches /{}/ in {} lines of log",
                    re.as_str(),
                    self.lines
                );
            }
            head.push_str(&format!(
                "# {} matching lines for /{}/ (with {GREP_CONTEXT} lines of context)\n",
                self.matches,
                re.as_str()
            ));
        }
        let mut text = head;
        text.reserve(self.out_bytes);
        for s in self.out {
            text.push_str(&s);
        }
        text
    }
}

/// Apply `grep` (matching lines with [`GREP_CONTEXT`] lines around, groups separated by `--`)
/// and the size cap (keeping the end, with a note saying what was cut) to a whole text.
pub fn filter_log(text: &str, f: &LogFilter) -> String {
    let mut scan = LogScan::new(f.clone());
    scan.push(text.as_bytes());
    scan.finish(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_in_chunks(text: &str, filter: LogFilter, chunk: usize) -> String {
        let mut scan = LogScan::new(filter);
        for c in text.as_bytes().chunks(chunk) {
            scan.push(c);
        }
        scan.finish(false)
    }

    #[test]
    fn chunking_does_not_change_the_result() {
        let log: String = (0..300)
            .map(|i| {
                if i % 37 == 0 {
                    format!("line {i} ERROR é\r\n")
                } else {
                    format!("line {i}\n")
                }
            })
            .collect::<String>()
            + "last line without newline";
        for grep in [None, Some(Regex::new("ERROR").unwrap())] {
            for max_bytes in [0, 500] {
                let f = LogFilter {
                    grep: grep.clone(),
                    max_bytes,
                };
                let whole = filter_log(&log, &f);
                for chunk in [1, 2, 7, 64, 4096] {
                    assert_eq!(scan_in_chunks(&log, f.clone(), chunk), whole, "{chunk}");
                }
            }
        }
        // Without grep or cap the text is returned byte for byte.
        assert_eq!(filter_log(&log, &LogFilter::default()), log);
    }

    #[test]
    fn memory_stays_bounded_by_the_cap_and_the_line_limit() {
        let mut scan = LogScan::new(LogFilter {
            grep: Some(Regex::new("x").unwrap()),
            max_bytes: 4096,
        });
        let line = vec![b'x'; 1000];
        for _ in 0..20_000 {
            scan.push(&line);
            scan.push(b"\n");
            assert!(scan.out_bytes <= 4096 + 1001);
        }
        // One line of 1 MiB without a newline is cut at MAX_LINE_BYTES.
        scan.push(&vec![b'x'; 1 << 20]);
        assert!(scan.partial.len() <= MAX_LINE_BYTES);
        let out = scan.finish(true);
        assert!(
            out.starts_with("# [log read stopped after "),
            "{}",
            &out[..200]
        );
        assert!(out.contains("# [log truncated: the first "));
        assert!(out.contains(&format!(
            "[line cut: {} more bytes]",
            (1 << 20) - MAX_LINE_BYTES
        )));
        assert!(out.len() < 4096 + MAX_LINE_BYTES + 1024);
    }
}
