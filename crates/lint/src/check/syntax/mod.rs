//! The text as JSON: a tree for the schema (numbers past `f64` parsed as `0`, so that valid
//! JSON is never a syntax error), and the finding for text that is not JSON.

use std::borrow::Cow;
use std::ops::Range;

use serde_json::Value;

use kaleyra_wa::{JsonError, JsonErrorKind, Rule};

use super::{BOM, DocFinding};

/// The finding of a document whose typed parse stopped at `error`, a syntax error, without
/// the slow path's second parse: up to that error the typed parse read the text as JSON, as
/// a parse into a `Value` does (the grammar is the same), and stopped where that one stops.
/// `None` where the slow path says more (after a byte order mark; past a number too large
/// for `f64`, where it parses on), and for nesting too deep, which the typed parse never
/// meets (a container where a text belongs is a data error before it is read).
pub(super) fn syntax_error(bytes: &[u8], error: &serde_json::Error) -> Option<DocFinding> {
    if bytes.starts_with(BOM) {
        return None;
    }
    let json = JsonError::new(bytes, error);
    matches!(json.kind(), JsonErrorKind::Syntax | JsonErrorKind::Eof)
        .then(|| syntax_finding(bytes, &json))
}

/// Parses `body` (`text`, when it is UTF-8) into a tree. JSON numbers have no limit
/// (RFC 8259, section 6), but `serde_json` rejects one past `f64` ("number out of range"):
/// then every such number is replaced by a `0` padded with spaces (same length, so places
/// stay right) and the text is parsed again. Numbers are wrong wherever the request has a
/// member, so the tree keeps the verdict: the schema reports a number at a known member where
/// it is, and an unknown member as unknown, whatever its value.
pub(super) fn parse_value(body: &[u8], text: Option<&str>) -> Result<Value, JsonError> {
    let parsed = super::shaped::parse(body, text);
    let error = match parsed {
        Ok(value) => return Ok(value),
        Err(error) => JsonError::new(body, &error),
    };
    if error.kind() != JsonErrorKind::NumberOutOfRange {
        return Err(error);
    }
    super::shaped::parse(&tame_numbers(body), None).map_err(|error| JsonError::new(body, &error))
}

/// `bytes` with every JSON number token (outside strings) whose magnitude is past `1e300`
/// replaced by `0` and spaces. One pass; text that is not JSON is left as it is.
fn tame_numbers(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                // Skip the string: to its closing quote, stepping over escapes.
                at += 1;
                while let Some(n) = bytes
                    .get(at..)
                    .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                {
                    at += n;
                    if bytes[at] == b'"' {
                        break;
                    }
                    at += 2;
                }
                at += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = at;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = bytes.get(at) {
                    at += 1;
                }
                if is_huge_number(&bytes[start..at]) {
                    out[start] = b'0';
                    out[start + 1..at].fill(b' ');
                }
            }
            _ => at += 1,
        }
    }
    out
}

/// Whether `token` is a JSON number whose magnitude is past `1e300` (`serde_json` rejects
/// those past `f64`).
pub(super) fn is_huge_number(token: &[u8]) -> bool {
    is_json_number(token)
        && std::str::from_utf8(token)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .is_some_and(|n| n.abs() > 1e300)
}

/// Whether `token` is a number by JSON's grammar: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(token: &[u8]) -> bool {
    let digits = |from: usize| {
        token[from..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(token.len(), |n| from + n)
    };
    let mut at = usize::from(token.first() == Some(&b'-'));
    match token.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => at = digits(at),
        _ => return false,
    }
    if token.get(at) == Some(&b'.') {
        let end = digits(at + 1);
        if end == at + 1 {
            return false;
        }
        at = end;
    }
    if let Some(b'e' | b'E') = token.get(at) {
        at += 1;
        if let Some(b'+' | b'-') = token.get(at) {
            at += 1;
        }
        let end = digits(at);
        if end == at {
            return false;
        }
        at = end;
    }
    at == token.len()
}

/// The finding for `body`, which `serde_json` rejected with `error`.
pub(super) fn syntax_finding(body: &[u8], json: &JsonError) -> DocFinding {
    let start = json.offset();
    let end = next_char_end(body, start);
    let message = json.message();
    if let Some((encoding, iconv)) = wide_encoding(body) {
        let width = if iconv.starts_with("UTF-16") { 2 } else { 4 };
        return DocFinding::new(
            Rule::Syntax,
            "",
            format!("the file is {encoding}; JSON text must be UTF-8"),
        )
        .help(format!(
            "convert it, e.g. `iconv -f {iconv} -t UTF-8` (RFC 8259, section 8.1)"
        ))
        .at(0..width.min(body.len()));
    }
    if json.kind() == JsonErrorKind::TooDeep {
        return DocFinding::new(Rule::Limit, "", json.message())
            .help("a request nests four levels deep: this is not a request")
            .at(start..end);
    }
    let (message, help) = if body.iter().all(u8::is_ascii_whitespace) {
        (
            "the file is empty".to_owned(),
            Some("a payload is one JSON object: {\"messaging_object\": {...}}"),
        )
    } else {
        (message.to_owned(), None)
    };
    // serde_json places an unexpected end at the last byte: everything before the end was read.
    let read = match json.kind() {
        JsonErrorKind::Eof => body.len(),
        _ => start,
    };
    let pointer = member_at(&body[..read], body.get(read).copied());
    let finding = DocFinding::new(Rule::Syntax, pointer, message).at(start..end);
    match help {
        Some(help) => finding.help(help),
        None => finding,
    }
}

/// The encoding of text in UTF-16 or UTF-32 (its description and `iconv` name), told by its
/// byte order mark or, without one, by the zero bytes around its first character (JSON text
/// starts with an ASCII character; RFC 4627, section 3).
fn wide_encoding(body: &[u8]) -> Option<(&'static str, &'static str)> {
    const UTF32LE: (&str, &str) = ("UTF-32 (little-endian)", "UTF-32LE");
    const UTF32BE: (&str, &str) = ("UTF-32 (big-endian)", "UTF-32BE");
    const UTF16LE: (&str, &str) = ("UTF-16 (little-endian)", "UTF-16LE");
    const UTF16BE: (&str, &str) = ("UTF-16 (big-endian)", "UTF-16BE");
    match body {
        [0xFF, 0xFE, 0, 0, ..] | [1..=255, 0, 0, 0, ..] => Some(UTF32LE),
        [0, 0, 0xFE, 0xFF, ..] | [0, 0, 0, 1..=255, ..] => Some(UTF32BE),
        [0xFF, 0xFE, ..] | [1..=255, 0, ..] => Some(UTF16LE),
        [0xFE, 0xFF, ..] | [0, 1..=255, ..] => Some(UTF16BE),
        _ => None,
    }
}

fn next_char_end(bytes: &[u8], start: usize) -> usize {
    match bytes.get(start) {
        None => start,
        Some(b) if *b < 0x80 => start + 1,
        Some(_) => {
            let mut end = start + 1;
            while end < bytes.len() && (bytes[end] & 0xC0) == 0x80 {
                end += 1;
            }
            end
        }
    }
}

/// The JSON pointer of the member or element being parsed at the end of `prefix`, the bytes
/// `serde_json` accepted before it stopped: the innermost one whose value has started (a
/// member's after its colon, an element's at its first byte, even the `next` one `serde_json`
/// stopped at) and not ended: between members, the container's own pointer (`""` outside
/// any). One scan, linear in `prefix`.
pub(super) fn member_at(prefix: &[u8], next: Option<u8>) -> String {
    /// An open container and the member or element of it being parsed.
    enum Open {
        /// The key (its literal's span) of the member whose value is being parsed.
        Object(Option<Range<usize>>),
        /// The next element's index, and whether that element has started.
        Array(usize, bool),
    }
    let mut open: Vec<Open> = Vec::new();
    // Whether the next string in an object is a key.
    let mut expect_key = false;
    // A key read (its literal's span), before its colon. Keys are decoded at the end, only
    // those of the members still open.
    let mut pending: Option<Range<usize>> = None;
    // Whether an array's next element may start here (after its `[` or a comma).
    let mut element_next = false;
    let mut at = 0;
    // A value that ended: the member or element holding it is no longer being parsed.
    let ended = |open: &mut Vec<Open>| match open.last_mut() {
        Some(Open::Object(key)) => *key = None,
        Some(Open::Array(index, started)) => {
            *index += 1;
            *started = false;
        }
        None => {}
    };
    while let Some(&byte) = prefix.get(at) {
        if !matches!(byte, b' ' | b'\t' | b'\r' | b'\n') {
            if let Some(Open::Array(_, started)) = open.last_mut()
                && element_next
                && byte != b']'
            {
                *started = true;
            }
            element_next =
                byte == b'[' || (byte == b',' && matches!(open.last(), Some(Open::Array(..))));
        }
        match byte {
            b'"' => {
                let Some(end) = crate::locate::string_end(prefix, at) else {
                    break;
                };
                if expect_key {
                    // The member is parsed from its colon on.
                    pending = Some(at..end);
                    expect_key = false;
                } else {
                    ended(&mut open);
                }
                at = end;
            }
            b'{' => {
                open.push(Open::Object(None));
                expect_key = true;
                at += 1;
            }
            b'[' => {
                open.push(Open::Array(0, false));
                at += 1;
            }
            b'}' | b']' => {
                open.pop();
                ended(&mut open);
                at += 1;
            }
            b':' => {
                if let Some(Open::Object(slot)) = open.last_mut() {
                    *slot = pending.take();
                }
                at += 1;
            }
            b',' => {
                expect_key = matches!(open.last(), Some(Open::Object(_)));
                at += 1;
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                let start = at;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'a'..=b'z' | b'E') =
                    prefix.get(at)
                {
                    at += 1;
                }
                let token = &prefix[start..at];
                // At the end of the prefix, a scalar may be cut where parsing stopped: it is
                // whole if it is a literal, or a number the next byte does not go on with (a
                // digit after a leading zero is an error inside the number).
                let whole = matches!(token, b"true" | b"false" | b"null")
                    || (is_json_number(token) && !next.is_some_and(|b| b.is_ascii_digit()));
                if at < prefix.len() || whole {
                    ended(&mut open);
                }
            }
            _ => at += 1,
        }
    }
    // The byte serde_json stopped at starts an element, if one may start there.
    if let Some(Open::Array(_, started)) = open.last_mut()
        && element_next
        && next.is_some_and(|byte| byte != b']')
    {
        *started = true;
    }
    let mut pointer = String::new();
    for container in &open {
        match container {
            Open::Object(Some(key)) => {
                let literal = &prefix[key.clone()];
                let key = match memchr::memchr(b'\\', literal) {
                    None => std::str::from_utf8(&literal[1..literal.len() - 1])
                        .ok()
                        .map(Cow::Borrowed),
                    Some(_) => serde_json::from_slice::<String>(literal)
                        .ok()
                        .map(Cow::Owned),
                };
                let Some(key) = key else { break };
                kaleyra_wa::pointer::push_token(&mut pointer, &key);
            }
            Open::Array(index, true) => {
                kaleyra_wa::pointer::push_token(&mut pointer, &index.to_string())
            }
            _ => break,
        }
    }
    pointer
}

#[cfg(test)]
mod tests;
