//! Makes Markdown safe to publish as an issue: no `@mentions` that notify people, no raw HTML
//! (or forged hidden comments), no remote images that leak data through their URLs, bounded
//! length, and secrets redacted once more. Code fences are respected: their content is shown
//! literally by the renderer, so only mentions and HTML outside them are touched.

use std::sync::LazyLock;

use regex::Regex;

use crate::redact::{RedactionCounts, redact};
use crate::static_regex;

static MENTION: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"(^|[^A-Za-z0-9_.\-/`@\\])@([A-Za-z0-9_][A-Za-z0-9_.\-]*)"));
static COMMENT: LazyLock<Regex> = LazyLock::new(|| static_regex(r"(?s)<!--.*?(?:-->|$)"));
static TAG: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?>"));
static REMOTE_IMAGE: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"!\[([^\]]*)\]\(\s*<?[A-Za-z][A-Za-z0-9+.\-]*:[^)]*\)"));
static FENCE_RUN: LazyLock<Regex> = LazyLock::new(|| static_regex(r"`{3,}|~{3,}"));

/// Breaks `@name` mentions with a zero-width space so Gitea does not notify `name`. E-mail
/// addresses and scoped package names (`npm/@scope`) are left alone.
pub fn neutralise_mentions(text: &str) -> String {
    MENTION.replace_all(text, "$1@\u{200B}$2").into_owned()
}

/// Removes HTML comments and tags and replaces remote images with a note. For text outside
/// code fences.
fn strip_html(text: &str) -> String {
    let text = COMMENT.replace_all(text, "");
    let text = TAG.replace_all(&text, "");
    let text = REMOTE_IMAGE.replace_all(&text, "[image removed: $1]");
    text.replace("![", "!\\[").replace("<!--", "&lt;!--")
}

/// Prose from an untrusted source (LLM answer) on one line, without fence markers, so it
/// cannot open a code block or start a new section.
pub fn flatten_prose(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    FENCE_RUN.replace_all(&one_line, "`").into_owned()
}

/// A fence longer than any backtick run in `content`, so the content cannot close it.
pub fn fence_for(content: &str) -> String {
    let longest = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// Whether `line` opens or closes a fence: returns the fence marker (its character repeated
/// as many times as it appears).
fn fence_marker(line: &str) -> Option<String> {
    let t = line.trim_start();
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|c| *c == ch).count();
    (n >= 3).then(|| ch.to_string().repeat(n))
}

/// Sanitises a whole Markdown body (see the module doc) and caps it at `max_chars`
/// characters, closing an open fence and saying how much was cut. Returns the text and the
/// secrets redacted on the way.
pub fn sanitize_body(body: &str, max_chars: usize) -> (String, RedactionCounts) {
    let redacted = redact(body);
    let mut out = String::new();
    let mut prose = String::new();
    let mut open: Option<String> = None;
    for line in redacted.text.split_inclusive('\n') {
        match (&open, fence_marker(line)) {
            (None, Some(marker)) => {
                out.push_str(&neutralise_mentions(&strip_html(&std::mem::take(
                    &mut prose,
                ))));
                open = Some(marker);
                out.push_str(line);
            }
            (Some(o), Some(marker))
                if marker.starts_with(o.as_str()) && line.trim().len() == marker.len() =>
            {
                open = None;
                out.push_str(line);
            }
            (Some(_), _) => out.push_str(&line.replace("<!--", "<!-\u{200B}-")),
            (None, None) => prose.push_str(line),
        }
    }
    out.push_str(&neutralise_mentions(&strip_html(&prose)));
    if let Some(o) = &open {
        out.push('\n');
        out.push_str(o);
        out.push('\n');
    }
    (cap_chars(&out, max_chars), redacted.counts)
}

/// Cuts `text` to about `max` characters at a line boundary, closing a fence left open.
fn cap_chars(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut open: Option<String> = None;
    let budget = max.saturating_sub(80);
    for line in text.split_inclusive('\n') {
        let n = line.chars().count();
        if used + n > budget {
            break;
        }
        match (&open, fence_marker(line)) {
            (None, Some(m)) => open = Some(m),
            (Some(o), Some(m)) if m.starts_with(o.as_str()) => open = None,
            _ => {}
        }
        out.push_str(line);
        used += n;
    }
    if !out.ends_with('\n') && !out.is_empty() {
        out.push('\n');
    }
    if let Some(o) = open {
        out.push_str(&o);
        out.push('\n');
    }
    out.push_str(&format!(
        "\n[truncated: {} characters omitted]\n",
        total - used
    ));
    out
}
