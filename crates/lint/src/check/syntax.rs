//! The text as JSON: a tree for the schema (numbers past `f64` parsed as `0`, so that valid
//! JSON is never a syntax error), and the finding for text that is not JSON.

use serde_json::Value;

use kaleyra_wa::Rule;

use super::{Core, DocFinding};

/// Parses `body` (`text`, when it is UTF-8) into a tree. JSON numbers have no limit
/// (RFC 8259, section 6), but `serde_json` rejects one past `f64` ("number out of range"):
/// then every such number is replaced by a `0` padded with spaces (same length, so places
/// stay right) and the text is parsed again. Numbers are wrong wherever the request has a
/// member, so the tree keeps the verdict: the schema reports a number at a known member where
/// it is, and an unknown member as unknown, whatever its value.
pub(super) fn parse_value(body: &[u8], text: Option<&str>) -> serde_json::Result<Value> {
    let parsed = match text {
        Some(text) => serde_json::from_str(text),
        None => serde_json::from_slice(body),
    };
    match parsed {
        Err(error)
            if kaleyra_wa::JsonErrorKind::classify(&error)
                == kaleyra_wa::JsonErrorKind::NumberOutOfRange =>
        {
            serde_json::from_slice(&tame_numbers(body))
        }
        parsed => parsed,
    }
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
pub(super) fn syntax_finding(body: &[u8], core: Core, error: &serde_json::Error) -> DocFinding {
    let json = kaleyra_wa::JsonError::new(body, error);
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
    if json.kind() == kaleyra_wa::JsonErrorKind::TooDeep {
        return DocFinding::new(Rule::Limit, "", json.message())
            .help("a request nests four levels deep: this is not a request")
            .at(start..end);
    }
    // The core names the member being parsed where parsing stopped (`""` when it stops
    // earlier, at a data error, or at the top level). No need to run the core's fast pass a
    // second time when it rejected these bytes.
    let core = match core {
        Core::Rejected => Some(kaleyra_wa::describe_rejection(body)),
        Core::NotRun => kaleyra_wa::from_slice(body).err(),
    };
    let (message, help) = if body.iter().all(u8::is_ascii_whitespace) {
        (
            "the file is empty".to_owned(),
            Some("a payload is one JSON object: {\"messaging_object\": {...}}"),
        )
    } else {
        (message.to_owned(), None)
    };
    let pointer = match core {
        Some(core) if core.rule() == Rule::Syntax => core.pointer().to_owned(),
        _ => String::new(),
    };
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
