//! Checking one JSON document (a `.json` file, or one JSON Lines record).
//!
//! Valid input takes the fast path: one typed `serde_json` pass and the core validator, no
//! spans. Anything else (errors or warnings) takes the slow path, which finds every problem
//! at once and where it is:
//!
//! 1. `serde_json` into a `Value`: a syntax error stops here (there is no tree to check).
//! 2. A span index ([`Spans`]: one scan of the text `serde_json` accepted) for places and
//!    duplicate keys.
//! 3. The request schema generated from the core types (`jsonschema`), for every structural
//!    and value error; the per-recipient and length messages come from the core.
//! 4. The core's warnings on `extra_info`.
//! 5. A safety net: if the core rejects the document and steps 1 to 4 found no error, the
//!    core's own error is reported, so the linter never passes what the core rejects.

use std::ops::Range;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use kaleyra_wa::ForbiddenMembers;
use kaleyra_wa::{ExtraInfo, Interactive, Rule, SendRequest, Violation};
use serde::Deserialize;
use serde_json::Value;

use crate::locate::Spans;

/// One problem in a document, with its byte span in the document's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocFinding {
    /// The rule broken.
    pub rule: Rule,
    /// JSON pointer of the member.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is more to say than the message.
    pub help: Option<String>,
    /// Byte range in the document's bytes.
    pub span: Range<usize>,
    /// Another place the finding refers to (the first of two duplicate keys).
    pub related: Option<Range<usize>>,
}

impl DocFinding {
    fn new(rule: Rule, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        DocFinding {
            rule,
            pointer: pointer.into(),
            message: message.into(),
            help: None,
            span: 0..0,
            related: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn at(mut self, span: Range<usize>) -> Self {
        self.span = span;
        self
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Checks one document: every finding, ordered by place.
pub fn check_document(bytes: &[u8]) -> Vec<DocFinding> {
    // The core's parse: a document that is not an object is rejected here, as the core does.
    // `try_from_slice`: the slow path describes failures itself, so the core need not.
    // One SIMD UTF-8 check for both paths: the slow path parses the same text again.
    let text = simdutf8::basic::from_utf8(bytes).ok();
    let typed = text.and_then(kaleyra_wa::try_from_str);
    if let Some(request) = &typed
        && request.validate().is_clean()
    {
        return Vec::new();
    }
    slow_path(bytes, text, typed)
}

/// `text`: `bytes` as text, when they are UTF-8.
#[cold]
fn slow_path(bytes: &[u8], text: Option<&str>, typed: Option<SendRequest>) -> Vec<DocFinding> {
    let mut out = Vec::new();
    let offset = if bytes.starts_with(BOM) {
        out.push(
            DocFinding::new(
                Rule::Syntax,
                "",
                "the file starts with a UTF-8 byte order mark, which JSON text must not have",
            )
            .help("save the file as UTF-8 without BOM (RFC 8259, section 8.1)")
            .at(0..BOM.len()),
        );
        BOM.len()
    } else {
        0
    };
    let body = &bytes[offset..];
    // The BOM is 3 bytes of one character, so the text after it starts at a char boundary.
    let text = text.and_then(|text| text.get(offset..));
    // Without a BOM, the core's fast pass ran on `body` itself.
    check_body(body, text, typed.as_ref(), offset == 0, &mut out);
    for finding in &mut out[usize::from(offset > 0)..] {
        finding.span = finding.span.start + offset..finding.span.end + offset;
        if let Some(related) = &mut finding.related {
            *related = related.start + offset..related.end + offset;
        }
    }
    out.sort_by_key(|f| (f.span.start, f.rule));
    // Two schema keywords can fail on one value with the same finding (`null` for an
    // optional constant breaks both `type` and `const`): report it once.
    out.dedup();
    out
}

/// `text`: `body` as text, when it is UTF-8; `typed`: the core's fast pass over the document,
/// which ran on `body` itself when `typed_ran_on_body`.
fn check_body(
    body: &[u8],
    text: Option<&str>,
    typed: Option<&SendRequest>,
    typed_ran_on_body: bool,
    out: &mut Vec<DocFinding>,
) {
    let typed_rejected = typed_ran_on_body && typed.is_none();
    // A parse of the text (serde_json skips its per-string UTF-8 check); bytes that are not
    // UTF-8 are parsed as bytes, for serde_json's message and place.
    let value: Value = match parse_value(body, text) {
        Ok(value) => value,
        Err(error) => {
            out.push(syntax_finding(body, typed_rejected, &error));
            return;
        }
    };
    // `serde_json` accepted the bytes, and JSON text is valid UTF-8 wherever it parses.
    let Some(text) = text else {
        out.push(DocFinding::new(
            Rule::Syntax,
            "",
            "the file is not valid UTF-8",
        ));
        return;
    };
    let Some(tree) = Spans::new(text) else {
        // serde_json accepted the text, so the scan cannot fail; should it, say so.
        out.push(DocFinding::new(
            Rule::Syntax,
            "",
            "the payload could not be parsed for locating problems",
        ));
        return;
    };
    let before = out.len();
    duplicates(&tree, out);
    schema_findings(&value, &tree, out);
    let has_errors = out[before..]
        .iter()
        .any(|f| f.rule.severity() == kaleyra_wa::Severity::Error);
    if !has_errors {
        safety_net(body, typed, &tree, out);
    }
    warnings(&value, &tree, out);
}

/// Parses `body` (`text`, when it is UTF-8) into a tree. JSON numbers have no limit
/// (RFC 8259, section 6), but `serde_json` rejects one past `f64` ("number out of range"):
/// then every such number is replaced by a `0` padded with spaces (same length, so places
/// stay right) and the text is parsed again. Numbers are wrong wherever the request has a
/// member, so the tree keeps the verdict: the schema reports a number at a known member where
/// it is, and an unknown member as unknown, whatever its value.
fn parse_value(body: &[u8], text: Option<&str>) -> serde_json::Result<Value> {
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
fn is_huge_number(token: &[u8]) -> bool {
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

/// `typed_rejected`: the core's fast pass already rejected `body`.
fn syntax_finding(body: &[u8], typed_rejected: bool, error: &serde_json::Error) -> DocFinding {
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
    let core = if typed_rejected {
        Some(kaleyra_wa::describe_rejection(body))
    } else {
        kaleyra_wa::from_slice(body).err()
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

fn duplicates(tree: &Spans<'_>, out: &mut Vec<DocFinding>) {
    for duplicate in tree.duplicates() {
        out.push(DocFinding {
            related: Some(duplicate.first),
            ..DocFinding::new(
                Rule::DuplicateKey,
                duplicate.pointer,
                format!("duplicate key `{}`", duplicate.name),
            )
            .help("keep one of them: parsers disagree on which one wins")
            .at(duplicate.second)
        });
    }
}

/// The request schema's validator, built once.
fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema = kaleyra_wa::schema::request_schema(kaleyra_wa::schema::Draft::Draft2020_12);
        // The schema is generated from the core types and checked against its meta-schema by
        // the test suite; it always compiles.
        jsonschema::validator_for(&schema).expect("the generated request schema compiles")
    })
}

/// The request schema (2020-12), generated once.
fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA
        .get_or_init(|| kaleyra_wa::schema::request_schema(kaleyra_wa::schema::Draft::Draft2020_12))
}

fn schema_findings(value: &Value, tree: &Spans<'_>, out: &mut Vec<DocFinding>) {
    for error in validator().iter_errors(value) {
        let pointer = error.instance_path().as_str().to_owned();
        let node = tree.lookup(&pointer);
        let instance = error.instance();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let mut member = pointer.clone();
                    kaleyra_wa::pointer::push_token(&mut member, key);
                    let span = tree.lookup(&member).map_or(0..0, |n| n.key_or_value());
                    let finding =
                        DocFinding::new(Rule::Unknown, member, format!("unknown member `{key}`"))
                            .at(span);
                    out.push(match did_you_mean(&pointer, key) {
                        Some(suggestion) => finding.help(suggestion),
                        None => finding,
                    });
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                out.push(
                    DocFinding::new(
                        Rule::Missing,
                        pointer.clone(),
                        format!("missing mandatory member `{name}`"),
                    )
                    .at(node.as_ref().map_or(0..0, |n| n.opening())),
                );
            }
            ValidationErrorKind::FalseSchema => {
                let member = kaleyra_wa::pointer::tokens(&pointer)
                    .last()
                    .unwrap_or_default();
                let reason = Interactive::FORBIDDEN
                    .iter()
                    .find(|(name, _)| *name == member)
                    .map_or("this member is not allowed here", |(_, reason)| reason);
                out.push(
                    DocFinding::new(Rule::Header, pointer.clone(), reason)
                        .help("remove the header; use `body` for the text")
                        .at(node.as_ref().map_or(0..0, |n| n.key_or_value())),
                );
            }
            ValidationErrorKind::MaxLength { limit } => {
                let text = instance.as_str().unwrap_or_default();
                out.push(
                    from_violation(kaleyra_wa::length_violation(&pointer, text, Some(*limit)))
                        .help(format!("shorten it to at most {limit} characters"))
                        .at(node.as_ref().map_or(0..0, |n| n.value())),
                );
            }
            ValidationErrorKind::MinLength { .. } => {
                let text = instance.as_str().unwrap_or_default();
                out.push(
                    from_violation(kaleyra_wa::length_violation(&pointer, text, None))
                        .at(node.as_ref().map_or(0..0, |n| n.value())),
                );
            }
            ValidationErrorKind::Pattern { .. } => {
                let text = instance.as_str().unwrap_or_default();
                for violation in kaleyra_wa::recipient_violations(&pointer, text) {
                    let span = match (&violation.range_in_value, &node) {
                        (Some(range), Some(node)) => node.string_part(range.clone()),
                        (_, node) => node.as_ref().map_or(0..0, |n| n.value()),
                    };
                    out.push(from_violation(violation)
                        .help("write each number in E.164: country code first, digits only, e.g. 919876543210; separate several with commas")
                        .at(span));
                }
            }
            ValidationErrorKind::Type { kind } => {
                // A number past `f64` was parsed as a `0` (see `parse_value`): say what it is.
                let found = match &node {
                    Some(node)
                        if instance.is_number() && is_huge_number(node.value_text().as_bytes()) =>
                    {
                        "a number too large to represent"
                    }
                    _ => json_type(instance),
                };
                out.push(
                    DocFinding::new(
                        Rule::Type,
                        pointer.clone(),
                        format!("expected {}, found {found}", expected_type(kind)),
                    )
                    .at(node.as_ref().map_or(0..0, |n| n.value())),
                );
            }
            ValidationErrorKind::OneOfNotValid { .. }
            | ValidationErrorKind::Constant { .. }
            | ValidationErrorKind::Enum { .. }
            | ValidationErrorKind::AnyOf { .. } => {
                let span = node.as_ref().map_or(0..0, |n| n.value());
                let finding = match (instance.as_str(), constant_at(&pointer)) {
                    (Some(found), Some(expected)) => DocFinding::new(
                        Rule::Constant,
                        pointer.clone(),
                        format!("expected `{expected}`, found `{found}`"),
                    )
                    .help(format!("the only allowed value is `{expected}`")),
                    (Some(_), None) => DocFinding::new(
                        Rule::Type,
                        pointer.clone(),
                        "this text is not one of the values allowed here",
                    ),
                    (None, _) => DocFinding::new(
                        Rule::Type,
                        pointer.clone(),
                        format!("expected a string, found {}", json_type(instance)),
                    ),
                };
                out.push(finding.at(span));
            }
            // A `not` guards a `pattern` (no final newline, for validators whose `$` matches
            // before one): the pattern's own error reports the value, in our words.
            ValidationErrorKind::Not { .. }
                if subschema_at(&pointer).is_some_and(|s| s.get("pattern").is_some()) => {}
            // No other keyword is in the schema; should one appear, name the place in our
            // words rather than dump the schema.
            _ => out.push(
                DocFinding::new(
                    Rule::Type,
                    pointer.clone(),
                    format!("{} is not allowed here", json_type(instance)),
                )
                .at(node.as_ref().map_or(0..0, |n| n.value())),
            ),
        }
    }
}

fn from_violation(violation: Violation) -> DocFinding {
    DocFinding::new(violation.rule, violation.pointer, violation.message)
}

fn expected_type(kind: &TypeKind) -> String {
    let name = |t: String| match t.as_str() {
        "object" => "an object".to_owned(),
        "array" => "an array".to_owned(),
        "integer" => "an integer".to_owned(),
        other => format!("a {other}"),
    };
    match kind {
        TypeKind::Single(t) => name(t.to_string()),
        TypeKind::Multiple(set) => set
            .iter()
            .map(|t| name(t.to_string()))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The subschema of the request schema at an instance pointer, following `$ref`s.
fn subschema_at(pointer: &str) -> Option<&'static Value> {
    let root = schema();
    let mut current = resolve(root, root)?;
    for token in kaleyra_wa::pointer::tokens(pointer) {
        current = resolve(root, current.get("properties")?.get(&token)?)?;
    }
    Some(current)
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => root.pointer(reference.strip_prefix('#')?),
        None => Some(schema),
    }
}

/// The one allowed value of a constant member (`oneOf: [{const}]` or `const`).
fn constant_at(pointer: &str) -> Option<&'static str> {
    let schema = subschema_at(pointer)?;
    if let Some(value) = schema.get("const") {
        return value.as_str();
    }
    match schema.get("oneOf")?.as_array()?.as_slice() {
        [only] => only.get("const")?.as_str(),
        _ => None,
    }
}

/// "did you mean `x`?" for an unknown member of the object at `object_pointer`.
fn did_you_mean(object_pointer: &str, key: &str) -> Option<String> {
    let properties = subschema_at(object_pointer)?
        .get("properties")?
        .as_object()?;
    let (best, score) = properties
        .iter()
        .filter(|(_, schema)| **schema != Value::Bool(false))
        .map(|(name, _)| (name, strsim::jaro_winkler(name, key)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    if score >= 0.8 {
        Some(format!("did you mean `{best}`?"))
    } else {
        let names: Vec<String> = properties
            .iter()
            .filter(|(_, schema)| **schema != Value::Bool(false))
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        Some(format!("allowed here: {}", names.join(", ")))
    }
}

/// The warnings on `extra_info`, whatever else is wrong in it: each member is judged on its
/// own, so a wrong sibling (a `null`, an unknown member, a number) hides no warning.
fn warnings(value: &Value, tree: &Spans<'_>, out: &mut Vec<DocFinding>) {
    let Some(Value::Object(extra)) = value.get("extra_info") else {
        return;
    };
    let known = subschema_at("/extra_info").and_then(|s| s.get("properties"));
    // The members the warnings are about are strings; keep those the schema knows.
    let members: serde_json::Map<String, Value> = extra
        .iter()
        .filter(|(name, value)| {
            value.is_string() && known.is_some_and(|known| known.get(name.as_str()).is_some())
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let Ok(extra) = <ExtraInfo as Deserialize>::deserialize(Value::Object(members)) else {
        return;
    };
    for violation in extra.warnings() {
        let span = tree.lookup(&violation.pointer).map_or(0..0, |n| n.value());
        let finding = from_violation(violation);
        let finding = match finding.rule {
            Rule::UnknownWaSource => finding.help(format!(
                "documented values: {}",
                kaleyra_wa::WaSource::DOCUMENTED.join(", ")
            )),
            _ => finding.help(format!(
                "keep it to {} characters, or accept the truncation",
                kaleyra_wa::limits::REF_MAX
            )),
        };
        out.push(finding.at(span));
    }
}

/// Reports the core's verdict when the schema found no error but the core rejects.
fn safety_net(
    body: &[u8],
    typed: Option<&SendRequest>,
    tree: &Spans<'_>,
    out: &mut Vec<DocFinding>,
) {
    let violations: Vec<DocFinding> = match typed {
        Some(request) => request
            .validate()
            .errors()
            .cloned()
            .map(from_violation)
            .collect(),
        None => match kaleyra_wa::from_slice(body) {
            Ok(request) => request
                .validate()
                .errors()
                .cloned()
                .map(from_violation)
                .collect(),
            Err(error) => vec![DocFinding::new(
                error.rule(),
                error.pointer(),
                error.message(),
            )],
        },
    };
    for finding in violations {
        let span = tree
            .lookup(&finding.pointer)
            .map_or(0..0, |n| n.key_or_value());
        out.push(finding.at(span));
    }
}
