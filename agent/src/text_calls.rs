//! Recovers tool calls that a model wrote as text instead of native `tool_calls`.
//!
//! Models served without a tool-call parser (or small models that ignore it) write calls
//! in their content. We accept the shapes real models emit, and only for tool names we
//! offered: a JSON object `{"name", "arguments"|"parameters"}` anywhere in the text (fenced
//! or not, after `<|python_tag|>`, several separated by `;`), the OpenAI-shaped
//! `{"type":"function","function":{…}}`, and the pythonic list `[tool(a="x", b=1)]` that
//! Llama 3.2/4 emit. Only the assistant's own content is parsed, never tool output, and
//! never the parts of it inside a `<tool_output>` frame ([`outside_frames`]);
//! [`quoted_tool_calls`] finds the calls quoted in tool output so the loop can refuse a
//! model that copies one (see `agent_loop::quoted`).

use serde_json::{Map, Value};

/// A tool call recovered from text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextToolCall {
    /// Tool name.
    pub name: String,
    /// Arguments object (`{}` when the model gave none).
    pub arguments: Value,
}

/// All tool calls in `content`, in order of appearance. When `valid_names` is non-empty,
/// only calls to those names are returned.
pub fn extract_tool_calls(content: &str, valid_names: &[&str]) -> Vec<TextToolCall> {
    let mut calls = json_calls(content, valid_names);
    if calls.is_empty() {
        calls = pythonic_calls(content, valid_names);
    }
    calls
}

/// Every tool call quoted in `text` (untrusted data: a tool result, a log), in both the JSON
/// and the pythonic forms, for the loop's screening of calls a model copies out of data.
/// Only names of `valid_names` that occur in `text` are looked for, so a result that names
/// no tool costs one substring search per tool.
pub fn quoted_tool_calls(text: &str, valid_names: &[&str]) -> Vec<TextToolCall> {
    let present: Vec<&str> = valid_names
        .iter()
        .copied()
        .filter(|n| !n.is_empty() && text.contains(n))
        .collect();
    if present.is_empty() {
        return Vec::new();
    }
    let mut calls = json_calls(text, &present);
    calls.extend(pythonic_calls(text, &present));
    calls
}

/// `content` with every framed block (`<tool_output …>` … `</tool_output>`, or an unclosed
/// one to the end) removed: what a model echoes of a tool result is never parsed for calls.
pub fn outside_frames(content: &str) -> String {
    const OPEN: &str = "<tool_output";
    const CLOSE: &str = "</tool_output>";
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(open) = rest.find(OPEN) {
        out.push_str(&rest[..open]);
        match rest[open..].find(CLOSE) {
            Some(close) => rest = &rest[open + close + CLOSE.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The first tool call in `content` (the original agent's `extract_json_tool_call`).
pub fn extract_tool_call(content: &str, valid_names: &[&str]) -> Option<TextToolCall> {
    extract_tool_calls(content, valid_names).into_iter().next()
}

fn name_allowed(name: &str, valid_names: &[&str]) -> bool {
    !name.is_empty() && (valid_names.is_empty() || valid_names.contains(&name))
}

/// Scans for balanced `{…}` spans, treating braces inside JSON strings as text.
fn json_calls(content: &str, valid_names: &[&str]) -> Vec<TextToolCall> {
    let bytes = content.as_bytes();
    let mut calls = Vec::new();
    let mut start = 0;
    while let Some(offset) = content.get(start..).and_then(|rest| rest.find('{')) {
        let open = start + offset;
        match matching_brace(bytes, open) {
            Some(close) => {
                let candidate = content.get(open..=close).unwrap_or_default();
                if let Some(call) = json_candidate(candidate, valid_names) {
                    calls.push(call);
                    start = close + 1;
                } else {
                    // Not a call as a whole: look inside it (a call may be nested in a wrapper).
                    start = open + 1;
                }
            }
            None => start = open + 1,
        }
    }
    calls
}

/// Index of the `}` closing the `{` at `open`, if any.
fn matching_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn json_candidate(text: &str, valid_names: &[&str]) -> Option<TextToolCall> {
    let value: Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    let object = match object.get("function").and_then(Value::as_object) {
        Some(function) if function.contains_key("name") => function,
        _ => object,
    };
    let name = object.get("name")?.as_str()?;
    if !name_allowed(name, valid_names) {
        return None;
    }
    let arguments = object
        .get("arguments")
        .or_else(|| object.get("parameters"))
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let arguments = match arguments {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        Value::Null => Value::Object(Map::new()),
        other => other,
    };
    Some(TextToolCall {
        name: name.to_string(),
        arguments,
    })
}

/// Parses `[name(k=v, …), …]` lists (and a bare `name(…)` for a known tool).
fn pythonic_calls(content: &str, valid_names: &[&str]) -> Vec<TextToolCall> {
    let mut calls = Vec::new();
    let mut i = 0;
    let chars: Vec<char> = content.chars().collect();
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    while i < chars.len() {
        // A call starts at `[` or where a name starts, never in whitespace or inside a name
        // (starting at each character of a long run rescanned it: quadratic).
        if chars[i].is_whitespace() || (i > 0 && name_char(chars[i - 1]) && name_char(chars[i])) {
            i += 1;
            continue;
        }
        let mut p = Parser {
            chars: &chars,
            pos: i,
        };
        let bracketed = p.eat('[');
        if let Some(list) = p.call_list(bracketed) {
            let list: Vec<_> = list
                .into_iter()
                .filter(|c| name_allowed(&c.name, valid_names))
                .collect();
            let bare_ok = bracketed || list.iter().all(|c| valid_names.contains(&c.name.as_str()));
            if !list.is_empty() && bare_ok {
                calls.extend(list);
                i = p.pos;
                continue;
            }
        }
        i += 1;
    }
    calls
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }
    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            self.pos += 1;
        }
        let first = self.chars.get(start)?;
        (self.pos > start && (first.is_ascii_alphabetic() || *first == '_'))
            .then(|| self.chars[start..self.pos].iter().collect())
    }
    fn call_list(&mut self, bracketed: bool) -> Option<Vec<TextToolCall>> {
        let mut calls = vec![self.call()?];
        while bracketed && self.eat(',') {
            calls.push(self.call()?);
        }
        if bracketed && !self.eat(']') {
            return None;
        }
        Some(calls)
    }
    fn call(&mut self) -> Option<TextToolCall> {
        let name = self.ident()?;
        if !self.eat('(') {
            return None;
        }
        let mut arguments = Map::new();
        if !self.eat(')') {
            loop {
                let key = self.ident()?;
                if !self.eat('=') {
                    return None;
                }
                arguments.insert(key, self.literal()?);
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return None;
                }
            }
        }
        Some(TextToolCall {
            name,
            arguments: Value::Object(arguments),
        })
    }
    fn literal(&mut self) -> Option<Value> {
        self.skip_ws();
        match self.peek()? {
            q @ ('"' | '\'') => self.string(q).map(Value::String),
            '[' | '{' => self.nested(),
            _ => {
                let word = self.word();
                match word.as_str() {
                    "True" | "true" => Some(Value::Bool(true)),
                    "False" | "false" => Some(Value::Bool(false)),
                    "None" | "null" => Some(Value::Null),
                    _ => serde_json::from_str::<serde_json::Number>(&word)
                        .ok()
                        .map(Value::Number),
                }
            }
        }
    }
    fn word(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }
    fn string(&mut self, quote: char) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                '\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                }
                c if c == quote => return Some(out),
                c => out.push(c),
            }
        }
    }
    /// A nested list or dict literal: JSON, or Python with single quotes and True/False/None.
    fn nested(&mut self) -> Option<Value> {
        let (open, close) = if self.peek()? == '[' {
            ('[', ']')
        } else {
            ('{', '}')
        };
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match (quote, c) {
                (Some(_), '\\') => self.pos += 1,
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, c) if c == open => depth += 1,
                (None, c) if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        let text: String = self.chars[start..self.pos].iter().collect();
                        return serde_json::from_str(&text)
                            .ok()
                            .or_else(|| python_to_json(&text));
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// Best effort for Python literals: swap quotes and keywords, then parse as JSON.
fn python_to_json(text: &str) -> Option<Value> {
    let swapped: String = text
        .chars()
        .map(|c| match c {
            '\'' => '"',
            '"' => '\'',
            c => c,
        })
        .collect();
    let replaced = swapped
        .replace("True", "true")
        .replace("False", "false")
        .replace("None", "null");
    serde_json::from_str(&replaced).ok()
}

#[cfg(test)]
#[path = "text_calls/tests.rs"]
mod tests;
