//! Parsing bytes into a typed [`SendRequest`].
//!
//! Valid input takes the fast path: a SIMD UTF-8 check of the whole input, then one
//! `serde_json` pass over the text, no path tracking. Only when that fails is the input parsed
//! again, as bytes, with `serde_path_to_error` to name the JSON pointer.

use std::fmt;

use crate::json_error::{JsonError, JsonErrorKind, line_column};
use crate::pointer::push_token;
use crate::request::{ForbiddenMembers, Interactive, SendRequest};
use crate::rules::Rule;

/// Why bytes are not a [`SendRequest`]: the first problem met, with its place.
///
/// Parsing stops at the first problem; [`SendRequest::validate`] (after a successful parse) and the
/// linter report every problem at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    rule: Rule,
    pointer: String,
    message: String,
    line: usize,
    column: usize,
}

impl ParseError {
    /// The rule broken: [`Rule::Syntax`], [`Rule::Limit`] (nesting too deep), [`Rule::Type`],
    /// [`Rule::Missing`], [`Rule::Unknown`], [`Rule::DuplicateKey`], [`Rule::Constant`] or
    /// [`Rule::Header`].
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// JSON pointer of the place: the member for a wrong, unknown or duplicate member; the
    /// object for a missing one; the innermost value reached for a syntax error.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 1-based line where the problem was detected.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column, in Unicode code points, where the problem was detected.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{} at {} (line {}, column {}): {}",
            self.rule.code(),
            pointer,
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses a request from JSON bytes (UTF-8, no byte order mark).
///
/// Unknown members, duplicate keys, `null` for an optional member, and trailing characters
/// are errors. The request is not validated: see [`SendRequest::validate`].
///
/// ```
/// let err = kaleyra_wa::from_slice(br#"{"messaging_object": {"messaging_product": "whatsapp",
///   "to": "919876543210", "type": "interactive", "interactive": {"type": "product",
///   "action": {"catalogue_id": "103449", "product_retailer_id": "17026"}}}}"#).unwrap_err();
/// assert_eq!(err.pointer(), "/messaging_object/interactive/action/catalogue_id");
/// assert_eq!(err.rule(), kaleyra_wa::Rule::Unknown);
/// assert_eq!((err.line(), err.column()), (3, 27));
/// ```
pub fn from_slice(bytes: &[u8]) -> Result<SendRequest, ParseError> {
    try_from_slice(bytes).ok_or_else(|| slow_error(bytes))
}

/// Parses a request like [`from_slice`], without describing a failure: `None` when the bytes
/// are not a request. For callers that describe failures their own way (the linter), it saves
/// the second parse [`from_slice`] makes to name the place of an error.
pub fn try_from_slice(bytes: &[u8]) -> Option<SendRequest> {
    // UTF-8 is checked once, with SIMD, so that serde_json parses text and skips its own
    // per-string check (on non-ASCII text, as long as the rest of parsing). Parsing valid
    // UTF-8 as text or as bytes gives the same verdict.
    simdutf8::basic::from_utf8(bytes)
        .ok()
        .and_then(try_from_str)
}

/// [`try_from_slice`] on text: for callers that have checked the bytes are UTF-8 already (the
/// linter's slow path needs the text too), so the check is not made twice.
pub fn try_from_str(text: &str) -> Option<SendRequest> {
    serde_json::from_str(text).ok()
}

/// Parses a request from a JSON string: see [`from_slice`].
pub fn from_str(text: &str) -> Result<SendRequest, ParseError> {
    from_slice(text.as_bytes())
}

/// Parses again, tracking the path, to describe the error the fast path met.
#[cold]
fn slow_error(bytes: &[u8]) -> ParseError {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = serde_path_to_error::deserialize::<_, SendRequest>(&mut de)
        .map_err(|e| {
            let pointer = path_pointer(e.path());
            (pointer, e.into_inner())
        })
        .and_then(|_| de.end().map_err(|e| (String::new(), e)));
    let (pointer, error) = match result {
        Err(err) => err,
        // The fast path failed on these same bytes, so the slow path fails too; should the two
        // ever disagree, report that instead of panicking.
        Ok(()) => {
            return ParseError {
                rule: Rule::Syntax,
                pointer: String::new(),
                message: "the payload could not be parsed".into(),
                line: 1,
                column: 1,
            };
        }
    };
    describe(bytes, pointer, &error)
}

fn path_pointer(path: &serde_path_to_error::Path) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => {
                push_token(&mut pointer, &index.to_string())
            }
            serde_path_to_error::Segment::Map { key } => push_token(&mut pointer, key),
            serde_path_to_error::Segment::Enum { variant } => push_token(&mut pointer, variant),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    pointer
}

fn describe(bytes: &[u8], mut pointer: String, error: &serde_json::Error) -> ParseError {
    let json = JsonError::new(bytes, error);
    let (line, column) = line_column(bytes, json.offset());
    let rule = json.rule();
    let message = match rule {
        Rule::Unknown | Rule::DuplicateKey => {
            let key = backticked(json.message()).unwrap_or_default();
            // The path of an unknown member ends at the member; of a duplicate, at its object.
            if rule == Rule::DuplicateKey {
                push_token(&mut pointer, key);
            }
            match Interactive::FORBIDDEN
                .iter()
                .find(|(member, _)| *member == key)
            {
                Some((_, reason)) if pointer.ends_with("/interactive/header") => {
                    return ParseError {
                        rule: Rule::Header,
                        pointer,
                        message: (*reason).to_owned(),
                        line,
                        column,
                    };
                }
                _ => json.message().to_owned(),
            }
        }
        Rule::Type if json.kind() == JsonErrorKind::NumberOutOfRange => HUGE_NUMBER.to_owned(),
        _ => json.message().to_owned(),
    };
    ParseError {
        rule,
        pointer,
        message,
        line,
        column,
    }
}

/// The message for a number too large for an `f64` (JSON allows any number of digits).
pub(crate) const HUGE_NUMBER: &str = "expected a string, found a number too large to represent";

/// The first `backticked` word of a serde message.
fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"messaging_object": {"messaging_product": "whatsapp", "to": "919876543210", "type": "interactive", "interactive": {"type": "product", "action": {"catalog_id": "1", "product_retailer_id": "2"}}}}"#;

    fn err(text: &str) -> ParseError {
        from_str(text).unwrap_err()
    }

    #[test]
    fn minimal_parses() {
        from_str(MINIMAL).unwrap();
    }

    #[test]
    fn errors_name_rule_and_pointer() {
        let e = err(&MINIMAL.replace(r#""catalog_id": "1", "#, ""));
        assert_eq!(
            (e.rule(), e.pointer()),
            (Rule::Missing, "/messaging_object/interactive/action")
        );
        assert_eq!(e.message(), "missing field `catalog_id`");

        let e = err(&MINIMAL.replace(r#""whatsapp""#, r#""sms""#));
        assert_eq!(
            (e.rule(), e.pointer()),
            (Rule::Constant, "/messaging_object/messaging_product")
        );

        let e = err(&MINIMAL.replace(r#""1""#, "1"));
        assert_eq!(
            (e.rule(), e.pointer()),
            (
                Rule::Type,
                "/messaging_object/interactive/action/catalog_id"
            )
        );

        let e = err(&MINIMAL.replace(
            r#""type": "product","#,
            r#""type": "product", "header": {"type": "text", "text": "x"},"#,
        ));
        assert_eq!(
            (e.rule(), e.pointer()),
            (Rule::Header, "/messaging_object/interactive/header")
        );
        assert_eq!(
            e.message(),
            "headers are not allowed on single-product messages"
        );

        let e = err(&MINIMAL.replace(
            r#""catalog_id": "1","#,
            r#""catalog_id": "1", "catalog_id": "3","#,
        ));
        assert_eq!(
            (e.rule(), e.pointer()),
            (
                Rule::DuplicateKey,
                "/messaging_object/interactive/action/catalog_id"
            )
        );

        let e = err(&MINIMAL.replace(r#""to": "919876543210""#, r#""to": null"#));
        assert_eq!(
            (e.rule(), e.pointer()),
            (Rule::Type, "/messaging_object/to")
        );

        let e = err(&format!(r#"{MINIMAL}, "extra_info": null}}"#).replacen("}}}}", "}}}", 1));
        assert_eq!((e.rule(), e.pointer()), (Rule::Type, "/extra_info"));
    }

    #[test]
    fn syntax_errors_have_code_point_columns() {
        let e = err("{\n  \"extra_info\": {\"ref\": \"é😀\" x");
        assert_eq!(e.rule(), Rule::Syntax);
        assert_eq!(e.pointer(), "/extra_info");
        // `x` is the 30th code point of line 2 (the 34th byte).
        assert_eq!((e.line(), e.column()), (2, 30));
        let e = err(&format!("{MINIMAL} trailing"));
        assert_eq!(e.rule(), Rule::Syntax);
        assert_eq!(e.message(), "trailing characters");
        let e = err("");
        assert_eq!(e.message(), "end of input while parsing a value");
    }
}
