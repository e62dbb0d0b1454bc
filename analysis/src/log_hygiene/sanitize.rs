//! Character-level cleaning: terminal escape sequences, control characters, and the invisible
//! characters (zero-width, bidi overrides, Unicode tags) that can hide text from a human
//! reviewer while an LLM still reads it.

/// Where the escape-sequence scanner is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// After ESC.
    Escape,
    /// Inside `ESC [ …` until a final byte.
    Csi,
    /// Inside an OSC/DCS/APC/PM string until BEL or `ESC \`.
    Str,
    /// ESC seen inside a string (maybe the start of `ESC \`).
    StrEscape,
    /// After an ESC intermediate byte (`ESC ( B` and friends): drop one more character.
    Intermediate,
}

/// True for characters that render as nothing (or reorder text) and are never needed in logs.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{206A}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Returns `text` without ANSI/VT escape sequences, control characters (newline and tab kept;
/// a lone carriage return becomes a newline), and invisible or bidi-control characters.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    sanitize_into(text, &mut out);
    out
}

/// Appends the sanitised form of `text` to `out` (see [`sanitize`]); lets a caller reuse one
/// buffer over many lines.
pub fn sanitize_into(text: &str, out: &mut String) {
    let mut state = State::Text;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        state = match state {
            State::Text => text_char(c, chars.peek().copied(), out),
            State::Escape => match c {
                '[' => State::Csi,
                ']' | 'P' | 'X' | '^' | '_' => State::Str,
                '\u{20}'..='\u{2F}' => State::Intermediate,
                _ => State::Text,
            },
            State::Csi => {
                if ('\u{40}'..='\u{7E}').contains(&c) {
                    State::Text
                } else {
                    State::Csi
                }
            }
            State::Str => match c {
                '\u{07}' | '\u{9C}' => State::Text,
                '\u{1B}' => State::StrEscape,
                // A string never spans lines in a log; do not let a broken one eat the rest.
                '\n' => {
                    out.push('\n');
                    State::Text
                }
                _ => State::Str,
            },
            State::StrEscape => {
                if c == '\\' {
                    State::Text
                } else {
                    State::Str
                }
            }
            State::Intermediate => State::Text,
        };
    }
}

/// Handles one character outside any escape sequence and returns the next state.
fn text_char(c: char, next: Option<char>, out: &mut String) -> State {
    match c {
        '\u{1B}' => return State::Escape,
        '\u{9B}' => return State::Csi,
        '\u{90}' | '\u{9D}' | '\u{9E}' | '\u{9F}' | '\u{98}' => return State::Str,
        '\n' | '\t' => out.push(c),
        '\r' => {
            if next != Some('\n') {
                out.push('\n');
            }
        }
        '\u{2028}' | '\u{2029}' => out.push('\n'),
        c if c.is_control() || is_invisible(c) => {}
        c => out.push(c),
    }
    State::Text
}
