//! Checking one JSON document (a `.json` file, or one JSON Lines record).
//!
//! Valid input takes the fast path: one typed `serde_json` pass and the core validator, no
//! spans. A document the core parsed but whose report has problems takes the typed path: the
//! core's report, each violation placed by [`locate::find`] (a few) or through [`Spans`]. A
//! document whose only structural problems are members the request does not define, or wrong
//! constants, values of the wrong type or missing members, takes the same path once they
//! are set aside ([`unknown`]) or patched ([`patch`]). A syntax error the typed parse met is
//! its one finding ([`syntax`]: the slow path's first step would stop at the same place).
//! Anything else takes the slow path, which finds every problem at once and where it is:
//!
//! 1. `serde_json` into a `Value` ([`syntax`]): a syntax error stops here (there is no tree
//!    to check).
//! 2. A span index ([`Spans`]: one scan of the text `serde_json` accepted) for places and
//!    duplicate keys.
//! 3. The request schema generated from the core types ([`schema`], `jsonschema`), for every
//!    structural and value error; the per-recipient and length messages come from the core.
//! 4. The core's warnings on `extra_info`, each member judged on its own.
//! 5. A safety net: if the core rejects the document and steps 1 to 4 found no error, the
//!    core's own error is reported, so the linter never passes what the core rejects.

mod bound;
mod patch;
mod schema;
mod shaped;
mod suggest;
mod syntax;
#[cfg(test)]
mod testing;
mod unknown;

use std::collections::HashMap;
use std::ops::Range;

use kaleyra_wa::{ExtraInfo, JsonError, Rule, SendRequest, Violation};
use serde::Deserialize;
use serde_json::Value;
use serde_json::error::Category;

pub(crate) use bound::shown;
pub use bound::{MAX_PER_MEMBER, MAX_SHOWN};

use crate::locate::{self, Node, Spans};
use schema::{schema_findings, subschema_at};
use syntax::{parse_value, syntax_finding};

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
    /// How many more findings of its rule were counted but not kept: the bad recipients of
    /// `to` past the core's list (on the last one listed), and findings dropped as they were
    /// found because they could never be shown (`bound`).
    pub unlisted: usize,
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
            unlisted: 0,
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
    // One SIMD UTF-8 check for every path (each parses the same text again): the typed
    // parse of valid input then need not check each string.
    let text = simdutf8::basic::from_utf8(bytes).ok();
    if let Some(text) = text {
        // Matched by reference: the request (hundreds of bytes) is not moved again.
        let parsed = serde_json::from_str::<SendRequest>(text);
        match &parsed {
            Ok(request) => {
                let report = request.validate();
                if report.is_clean() {
                    return Vec::new();
                }
                // The document has the request's shape: the core's report is every finding
                // there is, with its pointer; only the places are to be found.
                return typed_path(text, &report);
            }
            Err(error) if error.classify() == Category::Data => {
                // A member the request does not define, a wrong constant, a value of the
                // wrong type, a missing member: the typed parse of a patched copy finds the
                // rest, without the slow path.
                let error = JsonError::new(bytes, error);
                // Its message quotes the member whole: held once (in `error`), not twice.
                drop(parsed);
                let found = match error.rule() {
                    Rule::Unknown if unknown::may_apply(&error) => unknown::check(text, &error),
                    Rule::Constant | Rule::Type | Rule::Missing => patch::check(text, &error),
                    _ => None,
                };
                if let Some(findings) = found {
                    return findings;
                }
            }
            Err(error) => {
                // A syntax error: the one finding, without parsing again.
                if let Some(finding) = syntax::syntax_error(bytes, error) {
                    return vec![finding];
                }
            }
        }
    }
    // The typed parse failed (or the bytes are not UTF-8).
    slow_path(bytes, text)
}

/// The findings of a document the core parsed (so it is JSON, has no duplicate key, and
/// holds no member the request does not define), from the core's report.
#[cold]
fn typed_path(text: &str, report: &kaleyra_wa::Report) -> Vec<DocFinding> {
    with_report(text, report.violations(), report.unlisted_recipients(), [])
}

/// The findings of `text`: the core's `violations` (of `text`, or of a patched copy, none
/// about what the patches changed), placed in `text` by their pointers, with the bad
/// recipients the core counted without listing them (`unlisted_recipients`), and the
/// `patched` findings, about what the patches changed.
fn with_report(
    text: &str,
    violations: &[Violation],
    unlisted_recipients: usize,
    patched: impl IntoIterator<Item = DocFinding>,
) -> Vec<DocFinding> {
    let mut out = placed_all(text, violations);
    count_unlisted(&mut out, unlisted_recipients);
    for finding in patched {
        bound::push(&mut out, finding);
    }
    // In place order; two identical findings are one, as on the slow path.
    bound::sort_and_merge(&mut out);
    out
}

/// Adds `unlisted` bad recipients, counted but not listed, to the last recipient finding of
/// `found` (the last the list holds, which has at least one when any is unlisted).
fn count_unlisted(found: &mut [DocFinding], unlisted: usize) {
    if let Some(last) = found.iter_mut().rev().find(|f| f.rule == Rule::Phone) {
        last.unlisted += unlisted;
    }
}

/// The core's `violations` of `text`, each at its place. Up to this many, each place is found
/// by its own scan of the text ([`locate::find`]); more share an index of every value
/// ([`Spans`]), so that the cost stays linear however many there are.
fn placed_all(text: &str, violations: &[Violation]) -> Vec<DocFinding> {
    const FEW: usize = 4;
    if violations.len() <= FEW {
        return violations
            .iter()
            .map(|violation| {
                let node = locate::find(text, &violation.pointer).map(Located::new);
                placed(violation.clone(), node.as_ref())
            })
            .collect();
    }
    let Some(tree) = Spans::new(text) else {
        // The core parsed the text, so the scan cannot fail; should it, say so.
        return vec![DocFinding::new(
            Rule::Syntax,
            "",
            "the payload could not be parsed for locating problems",
        )];
    };
    // Many violations are often at one member (every bad recipient of `to`): its node and
    // whether its literal has escapes are looked at once, not once per violation (that would
    // scan the member's text once per violation).
    let mut nodes: HashMap<&str, Option<Located<'_>>> = HashMap::new();
    violations
        .iter()
        .map(|violation| {
            let node = nodes
                .entry(violation.pointer.as_str())
                .or_insert_with(|| tree.lookup(&violation.pointer).map(Located::new));
            placed(violation.clone(), node.as_ref())
        })
        .collect()
}

/// A member's node, and where its string value's text starts when it is a plain literal.
struct Located<'t> {
    node: Node<'t>,
    plain_start: Option<usize>,
}

impl<'t> Located<'t> {
    fn new(node: Node<'t>) -> Self {
        Located {
            plain_start: node.plain_string_start(),
            node,
        }
    }
}

/// A violation the core reported, at its place (`node`, the node of its member), with the
/// help its rule gives.
fn placed(violation: Violation, node: Option<&Located<'_>>) -> DocFinding {
    let span = match (&violation.range_in_value, node) {
        (Some(range), Some(located)) => span_in_value(&located.node, located.plain_start, range),
        (_, Some(located)) if violation.rule == Rule::Header => located.node.key_or_value(),
        (_, Some(located)) => located.node.value(),
        (_, None) => 0..0,
    };
    with_help(from_violation(violation).at(span))
}

/// Where `range`, a byte range of a string's unescaped text, is in the text of the string's
/// `node`: from `plain_start` (where its text starts when the literal has no escapes, looked
/// up once per member), else by a scan of the literal (each escape the character it stands
/// for); the whole value if neither can tell.
fn span_in_value(
    node: &Node<'_>,
    plain_start: Option<usize>,
    range: &Range<usize>,
) -> Range<usize> {
    match plain_start {
        Some(start) => start + range.start..start + range.end,
        None => node
            .span_in_string(range.clone())
            .unwrap_or_else(|| node.value()),
    }
}

/// `finding` with the help its rule gives at its member.
fn with_help(finding: DocFinding) -> DocFinding {
    match help(finding.rule, &finding.pointer) {
        Some(help) => finding.help(help),
        None => finding,
    }
}

/// The help a finding of `rule` at `pointer` gets, whichever path found it.
fn help(rule: Rule, pointer: &str) -> Option<String> {
    Some(match rule {
        Rule::Phone => "write each number in E.164: country code first, digits only, e.g. 919876543210; separate several with commas".to_owned(),
        Rule::TooLong => {
            let limit = subschema_at(pointer)?.get("maxLength")?.as_u64()?;
            format!("shorten it to at most {limit} characters")
        }
        Rule::Header => "remove the header; use `body` for the text".to_owned(),
        Rule::UnknownWaSource => format!(
            "documented values: {}",
            kaleyra_wa::WaSource::DOCUMENTED.join(", ")
        ),
        Rule::RefTruncated => format!(
            "keep it to {} characters, or accept the truncation",
            kaleyra_wa::limits::REF_MAX
        ),
        _ => return None,
    })
}

/// `text`: `bytes` as text, when they are UTF-8.
#[cold]
fn slow_path(bytes: &[u8], text: Option<&str>) -> Vec<DocFinding> {
    let offset = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let body = &bytes[offset..];
    // The BOM is 3 bytes of one character, so the text after it starts at a char boundary.
    let text = text.and_then(|text| text.get(offset..));
    let mut out = Vec::new();
    check_body(body, text, &mut out);
    for finding in &mut out {
        finding.span = finding.span.start + offset..finding.span.end + offset;
        if let Some(related) = &mut finding.related {
            *related = related.start + offset..related.end + offset;
        }
    }
    if offset > 0 {
        out.push(
            DocFinding::new(
                Rule::Syntax,
                "",
                "the file starts with a UTF-8 byte order mark, which JSON text must not have",
            )
            .help("save the file as UTF-8 without BOM (RFC 8259, section 8.1)")
            .at(0..BOM.len()),
        );
    }
    // Two schema keywords can fail on one value with the same finding (`null` for an
    // optional constant breaks both `type` and `const`): report it once.
    bound::sort_and_merge(&mut out);
    out
}

/// `text`: `body` as text, when it is UTF-8.
fn check_body(body: &[u8], text: Option<&str>, out: &mut Vec<DocFinding>) {
    // A parse of the text (serde_json skips its per-string UTF-8 check); bytes that are not
    // UTF-8 are parsed as bytes, for serde_json's message and place.
    let value: Value = match parse_value(body, text) {
        Ok(value) => value,
        Err(error) => {
            out.push(syntax_finding(body, &error));
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
        safety_net(body, &tree, out);
    }
    warnings(&value, &tree, out);
}

fn duplicates(tree: &Spans<'_>, out: &mut Vec<DocFinding>) {
    for duplicate in tree.duplicates() {
        bound::push(
            out,
            DocFinding {
                related: Some(duplicate.first),
                ..DocFinding::new(
                    Rule::DuplicateKey,
                    duplicate.pointer,
                    format!("duplicate key `{}`", kaleyra_wa::quoted(&duplicate.name)),
                )
                .help("keep one of them: parsers disagree on which one wins")
                .at(duplicate.second)
            },
        );
    }
}

fn from_violation(violation: Violation) -> DocFinding {
    DocFinding::new(violation.rule, violation.pointer, violation.message)
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
        let node = tree.lookup(&violation.pointer).map(Located::new);
        out.push(placed(violation, node.as_ref()));
    }
}

/// Reports the core's verdict when the schema found no error but the core rejects.
fn safety_net(body: &[u8], tree: &Spans<'_>, out: &mut Vec<DocFinding>) {
    let violations: Vec<DocFinding> = match kaleyra_wa::from_slice(body) {
        Ok(request) => {
            let report = request.validate();
            let mut errors: Vec<DocFinding> =
                report.errors().cloned().map(from_violation).collect();
            count_unlisted(&mut errors, report.unlisted_recipients());
            errors
        }
        Err(error) => vec![DocFinding::new(
            error.rule(),
            error.pointer(),
            error.message(),
        )],
    };
    for finding in violations {
        let span = tree
            .lookup(&finding.pointer)
            .map_or(0..0, |n| n.key_or_value());
        out.push(finding.at(span));
    }
}
