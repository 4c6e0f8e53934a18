//! `serde_json` errors, read once: their kind (finer than [`serde_json::error::Category`]),
//! their message without the position, and their place as a byte offset; and the one
//! conversion of a byte offset into a line and a code-point column.
//!
//! `serde_json` says "too deep" and "number out of range" only in its messages: this module
//! is the one place that reads them, so the parser and the linter word and place every
//! `serde_json` error the same way.

use serde_json::error::Category;

use crate::Rule;

/// What kind of problem `serde_json` met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The text is not JSON (RFC 8259).
    Syntax,
    /// The input ended inside a value.
    Eof,
    /// Arrays and objects nest deeper than [`crate::limits::MAX_DEPTH`] levels.
    TooDeep,
    /// A well-formed number that no `f64` holds (JSON allows any number of digits).
    NumberOutOfRange,
    /// Well-formed JSON that is not the expected type (a wrong member, type or value).
    Data,
    /// An I/O error of the reader (never from a slice or a string).
    Io,
}

impl JsonErrorKind {
    /// The kind of `error`.
    ///
    /// ```
    /// use kaleyra_wa::JsonErrorKind;
    ///
    /// let kind = |text: &str| {
    ///     JsonErrorKind::classify(&serde_json::from_str::<serde_json::Value>(text).unwrap_err())
    /// };
    /// assert_eq!(kind("[1,]"), JsonErrorKind::Syntax);
    /// assert_eq!(kind("[1"), JsonErrorKind::Eof);
    /// assert_eq!(kind(&"[".repeat(200)), JsonErrorKind::TooDeep);
    /// assert_eq!(kind("1e400"), JsonErrorKind::NumberOutOfRange);
    /// ```
    pub fn classify(error: &serde_json::Error) -> JsonErrorKind {
        match error.classify() {
            // Only a syntax error needs its message read (formatted once).
            Category::Syntax => Self::of_syntax(&message(error)),
            Category::Eof => JsonErrorKind::Eof,
            Category::Data => JsonErrorKind::Data,
            Category::Io => JsonErrorKind::Io,
        }
    }

    /// The kind of a syntax error, from its `message`: serde_json's stable messages (its
    /// `ErrorCode`s are private).
    fn of_syntax(message: &str) -> JsonErrorKind {
        if message.starts_with("recursion limit exceeded") {
            JsonErrorKind::TooDeep
        } else if message.starts_with("number out of range") {
            JsonErrorKind::NumberOutOfRange
        } else {
            JsonErrorKind::Syntax
        }
    }
}

/// A `serde_json` error read against the bytes it was raised on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    kind: JsonErrorKind,
    message: String,
    offset: usize,
}

impl JsonError {
    /// Reads `error`, raised by `serde_json` on `bytes`.
    ///
    /// ```
    /// let text = "{\"a\": \"é\" x}";
    /// let error = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
    /// let error = kaleyra_wa::JsonError::new(text.as_bytes(), &error);
    /// assert_eq!(error.message(), "expected `,` or `}`");
    /// assert_eq!(&text[error.offset()..], "x}");
    /// assert_eq!(kaleyra_wa::line_column(text.as_bytes(), error.offset()), (1, 11));
    /// ```
    pub fn new(bytes: &[u8], error: &serde_json::Error) -> JsonError {
        let text = message(error);
        let kind = match error.classify() {
            Category::Syntax => JsonErrorKind::of_syntax(&text),
            _ => JsonErrorKind::classify(error),
        };
        let message = match kind {
            JsonErrorKind::TooDeep => crate::limits::too_deep_message(),
            // Not in data errors, which quote the payload's keys.
            JsonErrorKind::Eof | JsonErrorKind::Syntax => text.replace("EOF", "end of input"),
            _ => text,
        };
        JsonError {
            kind,
            message,
            offset: offset(bytes, error.line(), error.column()),
        }
    }

    /// The kind of problem.
    pub fn kind(&self) -> JsonErrorKind {
        self.kind
    }

    /// What is wrong, for a person: `serde_json`'s words without the position (and, in a
    /// syntax error, "end of input" for its "EOF"); for nesting too deep, ours, with the
    /// limit.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The rule that parsing a request into the core's types broke, by the kind of problem
    /// (a data error: by serde's stable message prefixes).
    ///
    /// ```
    /// use kaleyra_wa::{JsonError, Rule, SendRequest};
    ///
    /// let text = r#"{"messaging_objet": {}}"#;
    /// let error = serde_json::from_str::<SendRequest>(text).unwrap_err();
    /// assert_eq!(JsonError::new(text.as_bytes(), &error).rule(), Rule::Unknown);
    /// ```
    pub fn rule(&self) -> Rule {
        match self.kind {
            JsonErrorKind::TooDeep => Rule::Limit,
            // Valid JSON that no `f64` holds: a number, where every member is a string.
            JsonErrorKind::NumberOutOfRange => Rule::Type,
            JsonErrorKind::Data => data_rule(&self.message),
            _ => Rule::Syntax,
        }
    }

    /// The byte offset where `serde_json` stopped: the byte it could not take, or the end.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// The rule of a serde data error, from serde's stable message prefixes.
fn data_rule(message: &str) -> Rule {
    if message.starts_with("missing field") {
        Rule::Missing
    } else if message.starts_with("unknown field") {
        Rule::Unknown
    } else if message.starts_with("duplicate field") {
        Rule::DuplicateKey
    } else if message.starts_with("unknown variant") {
        Rule::Constant
    } else {
        Rule::Type
    }
}

/// `serde_json`'s message without the " at line L column C" it appends (where it knows the
/// line), cut by its length: no search through the message.
fn message(error: &serde_json::Error) -> String {
    const AT_LINE: &str = " at line ";
    let mut full = error.to_string();
    if error.line() != 0 {
        let digits = |n: usize| n.checked_ilog10().map_or(1, |d| d as usize + 1);
        let suffix =
            AT_LINE.len() + digits(error.line()) + " column ".len() + digits(error.column());
        // The suffix is ASCII and starts with a space: where it starts is a char boundary.
        if let Some(at) = full.len().checked_sub(suffix)
            && full.as_bytes()[at..].starts_with(AT_LINE.as_bytes())
        {
            full.truncate(at);
        }
    }
    full
}

/// The byte offset of `serde_json`'s 1-based `line` and 1-based byte `column`, clamped to
/// `bytes`. Column 0 is where `serde_json` stopped at a line feed (it counts the line it
/// starts before the byte is taken): the offset of that line feed.
fn offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', bytes)
            .nth(line - 2)
            .map_or(bytes.len(), |i| i + 1)
    };
    match column {
        0 => line_start.saturating_sub(1).min(bytes.len()),
        _ => (line_start + column - 1).min(bytes.len()),
    }
}

/// The 1-based line and 1-based column, in Unicode code points, of the character holding the
/// byte at `offset` (clamped to `bytes`; `bytes.len()` is the place after the last one).
///
/// Linear in `offset`: for one place. (The linter keeps an index for many places.)
pub fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let mut offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|b| **b == b'\n').count();
    // Inside a character: its first byte.
    while offset > line_start && bytes.get(offset).is_some_and(|b| is_continuation(*b)) {
        offset -= 1;
    }
    let column = 1
        + (bytes[line_start..offset].iter())
            .filter(|b| !is_continuation(**b))
            .count();
    (line, column)
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> JsonError {
        let error = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
        JsonError::new(text.as_bytes(), &error)
    }

    #[test]
    fn kinds_messages_and_places() {
        let error = read("");
        assert_eq!(error.kind(), JsonErrorKind::Eof);
        assert_eq!(error.message(), "end of input while parsing a value");
        assert_eq!(error.offset(), 0);
        let error = read(&"[".repeat(crate::limits::MAX_DEPTH + 1));
        assert_eq!(error.kind(), JsonErrorKind::TooDeep);
        assert_eq!(error.message(), crate::limits::too_deep_message());
        assert_eq!(error.offset(), crate::limits::MAX_DEPTH);
        let error = read("[1e999]");
        assert_eq!(error.kind(), JsonErrorKind::NumberOutOfRange);
        assert_eq!(error.message(), "number out of range");
        // Stopped at a line feed (serde_json: column 0 of the next line): the line feed.
        let error = read("[tru\n]");
        assert_eq!((error.kind(), error.offset()), (JsonErrorKind::Syntax, 4));
        let error = read("{}\n\n  x");
        assert_eq!((error.kind(), error.offset()), (JsonErrorKind::Syntax, 6));
        let error = serde_json::from_str::<String>("1").unwrap_err();
        assert_eq!(JsonErrorKind::classify(&error), JsonErrorKind::Data);
    }

    /// The message is serde_json's without its place, however many digits the line and the
    /// column have, and whatever the message itself quotes.
    #[test]
    fn messages_lose_only_their_place() {
        let texts = [
            String::new(),
            "x".to_owned(),
            format!("[{}x]", "1,".repeat(600)),
            format!("{}x", "\n".repeat(12)),
            format!("{}[tru\n]", "\n".repeat(99)),
            r#"{"messaging_object at line 1 column 2": 1}"#.to_owned(),
            r#"{"messaging_object": {"to": "a at line 9 column 9"}, "x at line 1": 2}"#.to_owned(),
        ];
        for text in texts {
            let error = serde_json::from_str::<crate::SendRequest>(&text).unwrap_err();
            let full = error.to_string();
            let place = format!(" at line {} column {}", error.line(), error.column());
            let expected = full
                .strip_suffix(&place)
                .expect("serde_json appends the place");
            assert_eq!(message(&error), expected, "{text}");
        }
        // An error without a place (line 0) is its message whole, whatever it quotes.
        let value = serde_json::json!({"x at line 1 column 2": 1});
        let error = serde_json::from_value::<crate::SendRequest>(value).unwrap_err();
        assert_eq!(error.line(), 0);
        assert!(error.to_string().contains(" at line 1 column 2"), "{error}");
        assert_eq!(message(&error), error.to_string());
    }

    #[test]
    fn lines_and_code_point_columns() {
        let text = "a\né😀x\r\n".as_bytes();
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 1), (1, 2));
        assert_eq!(line_column(text, 2), (2, 1));
        // `é` is 2 bytes, `😀` 4: `x` is byte 8, the third code point of line 2.
        assert_eq!(line_column(text, 8), (2, 3));
        // A byte inside `😀` is the place of `😀`.
        assert_eq!(line_column(text, 6), (2, 2));
        assert_eq!(line_column(text, text.len()), (3, 1));
        assert_eq!(line_column(text, 1000), (3, 1));
    }
}
