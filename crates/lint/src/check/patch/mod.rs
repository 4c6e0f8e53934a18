//! Documents whose structural problems are only wrong constants, values of the wrong type
//! where a text is expected, or missing members: every finding, without the slow path.
//!
//! The typed parse stops at the first of them. A copy of the text is patched there so that
//! the typed parse can go on, and parsed again, up to [`MAX_PATCHES`] times:
//!
//! - a wrong constant is replaced by its one allowed value (no rule depends on a constant's
//!   value); a value of another type where a text is expected, by the member's constant, or
//!   a text of allowed length, or an empty text; each padded with spaces, if it fits in the
//!   value it replaces;
//! - a missing member that holds a text is inserted: its constant, or a text of allowed
//!   length.
//!
//! If the copy is a request, the core's report on it is every other finding there is, less
//! what it says of the patched members; those get the slow path's findings, placed in the
//! original text through the recorded insertions. Anything else goes to the slow path
//! (`None`), which finds the same (a test compares the two): another problem, a value too
//! short for its patch, a missing object, a number past `1e300` (which the slow path names),
//! more than [`MAX_PATCHES`] problems.

use std::ops::Range;

use kaleyra_wa::{JsonError, Rule, SendRequest, Violation};
use serde_json::Value;
use serde_json::error::Category;

use super::schema::{
    constant_at, json_type, missing_member, subschema_at, wrong_constant, wrong_type_of,
};
use super::syntax::{is_huge_number, member_at};
use super::{DocFinding, with_report};
use crate::locate::{self, Spans};

/// At most this many patches, each a parse of the whole copy: a document that needs more
/// takes the slow path, having cost at most this many parses more.
const MAX_PATCHES: usize = 4;

/// The findings of `text`, if its only structural problems are those patched here; `error`
/// is the typed parse's, at the first of them.
pub(super) fn check(text: &str, error: &JsonError) -> Option<Vec<DocFinding>> {
    let mut copy = Copy {
        bytes: text.as_bytes().to_vec(),
        inserted: Vec::new(),
    };
    let mut patches: Vec<Patch> = Vec::new();
    let (mut rule, mut offset) = (error.rule(), error.offset());
    let mut message = error.message().to_owned();
    loop {
        if patches.len() == MAX_PATCHES {
            return None;
        }
        patches.push(match rule {
            Rule::Constant => constant(&mut copy, offset)?,
            Rule::Type if message.starts_with("invalid type:") => not_a_text(&mut copy, offset)?,
            Rule::Missing => missing(&mut copy, offset, &message)?,
            _ => return None,
        });
        // Strings (whole characters) were replaced by ASCII, or ASCII inserted between
        // tokens: the copy is UTF-8.
        let patched = simdutf8::basic::from_utf8(&copy.bytes).ok()?;
        match serde_json::from_str::<SendRequest>(patched) {
            Ok(request) => return Some(findings(text, &request, &patches)),
            Err(error) if error.classify() == Category::Data => {
                let error = JsonError::new(patched.as_bytes(), &error);
                (rule, offset) = (error.rule(), error.offset());
                message = error.message().to_owned();
            }
            Err(_) => return None,
        }
    }
}

/// The patched copy of the text, and where members were inserted into it.
struct Copy {
    bytes: Vec<u8>,
    /// Each insertion's place in `bytes` and length.
    inserted: Vec<(usize, usize)>,
}

impl Copy {
    /// Where byte `at` of the copy was in the text (`at` not inside an insertion).
    fn in_text(&self, at: usize) -> usize {
        let before: usize = self
            .inserted
            .iter()
            .filter(|(place, _)| *place <= at)
            .map(|(_, len)| len)
            .sum();
        at - before
    }

    /// Inserts `bytes` at `at`.
    fn insert(&mut self, at: usize, bytes: &[u8]) {
        for (place, _) in &mut self.inserted {
            if *place >= at {
                *place += bytes.len();
            }
        }
        self.inserted.push((at, bytes.len()));
        self.bytes.splice(at..at, bytes.iter().copied());
    }
}

/// A patch to the copy: the member at `pointer` was replaced or inserted; `finding`, placed
/// in the text, is what the slow path says of it.
struct Patch {
    pointer: String,
    finding: DocFinding,
}

/// The findings of `text`, whose patched copy is `request`.
fn findings(text: &str, request: &SendRequest, patches: &[Patch]) -> Vec<DocFinding> {
    let at_or_under = |pointer: &str| {
        patches.iter().any(|patch| {
            pointer
                .strip_prefix(patch.pointer.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    };
    let report = request.validate();
    let violations: Vec<Violation> = (report.violations().iter())
        .filter(|violation| !at_or_under(&violation.pointer))
        .cloned()
        .collect();
    // The unlisted recipients are at `to`, with the listed ones (none if `to` was patched).
    let unlisted = if at_or_under("/messaging_object/to") {
        0
    } else {
        report.unlisted_recipients()
    };
    let own = patches.iter().map(|patch| patch.finding.clone());
    with_report(text, &violations, unlisted, own)
}

/// Replaces the wrong constant whose string literal ends at `close` (where serde stops at
/// an unknown variant) with the allowed value.
fn constant(copy: &mut Copy, close: usize) -> Option<Patch> {
    let bytes = &mut copy.bytes;
    if bytes.get(close) != Some(&b'"') {
        return None;
    }
    let literal = locate::string_start(bytes, close)?..close + 1;
    // Where a member's value starts, the scan names the member (an element's would end in
    // an index: no constant is an element).
    let pointer = member_at(&bytes[..literal.start], Some(b'"'));
    let expected = constant_at(&pointer)?;
    let found: String =
        serde_json::from_str(std::str::from_utf8(&bytes[literal.clone()]).ok()?).ok()?;
    replace(
        bytes,
        literal.clone(),
        &serde_json::to_string(expected).ok()?,
    )?;
    let span = copy.in_text(literal.start)..copy.in_text(literal.end);
    let finding = wrong_constant(pointer.clone(), expected, &found).at(span);
    Some(Patch { pointer, finding })
}

/// Replaces the value serde found of the wrong type at `offset` (the last byte of a
/// scalar, or just before an object or array) where the schema has a text.
fn not_a_text(copy: &mut Copy, offset: usize) -> Option<Patch> {
    let bytes = &mut copy.bytes;
    let value = value_at(bytes, offset)?;
    let pointer = member_at(&bytes[..value.start], bytes.get(value.start).copied());
    let schema = subschema_at(&pointer)?;
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    let text = std::str::from_utf8(&bytes[value.clone()]).ok()?;
    // Parsed as the slow path parses it; nesting past the limit and duplicate keys inside
    // it are the slow path's findings.
    let parsed: Value = serde_json::from_str(text).ok()?;
    let nesting = locate::nesting(text.as_bytes());
    if kaleyra_wa::pointer::tokens(&pointer).count() + nesting > kaleyra_wa::limits::MAX_DEPTH
        || (nesting > 0 && Spans::new(text)?.duplicates().next().is_some())
    {
        return None;
    }
    // The slow path names a number past `1e300` for what it is, and for a constant says so
    // twice (its type and its value): its words, not ours.
    if is_huge_number(text.as_bytes()) {
        return None;
    }
    let found = json_type(&parsed);
    // A constant member takes its constant (any other text stops the next parse again); a
    // text, one of allowed length, else an empty one.
    let fitting = match (constant_at(&pointer), a_text(&pointer, schema)) {
        (Some(_), constant) => constant.filter(|with| with.len() <= value.len())?,
        (None, text) => text
            .into_iter()
            .chain(["\"\"".to_owned()])
            .find(|with| with.len() <= value.len())?,
    };
    replace(bytes, value.clone(), &fitting)?;
    let span = copy.in_text(value.start)..copy.in_text(value.end);
    let finding = wrong_type_of(pointer.clone(), "a string", found).at(span);
    Some(Patch { pointer, finding })
}

/// A text (a JSON string literal) for the member at `pointer`: its constant, or, where its
/// schema has no pattern, the shortest text of allowed length, so that the copy stays clean
/// where it can (the core's full report costs much more than its verdict on a clean request).
fn a_text(pointer: &str, schema: &Value) -> Option<String> {
    if let Some(constant) = constant_at(pointer) {
        return serde_json::to_string(constant).ok();
    }
    if schema.get("pattern").is_some() {
        return None;
    }
    let shortest = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    Some(format!(
        "\"{}\"",
        "x".repeat(usize::try_from(shortest).ok()?)
    ))
}

/// The span of the value serde stopped at, `offset` being the last byte of a scalar or a
/// byte before an object or array.
fn value_at(copy: &[u8], offset: usize) -> Option<Range<usize>> {
    let at = match copy.get(offset)? {
        b':' => locate::whitespace(copy, offset + 1),
        b' ' | b'\t' | b'\r' | b'\n' => locate::whitespace(copy, offset),
        _ => offset,
    };
    match copy.get(at)? {
        b'{' | b'[' => Some(at..locate::value_end(copy, at)?),
        _ => {
            let is_scalar = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-');
            let start = copy[..=offset].iter().rposition(|b| !is_scalar(b))? + 1;
            (start <= offset && locate::scalar_end(copy, start) == offset + 1)
                .then_some(start..offset + 1)
        }
    }
}

/// Writes `with` over `span` of `copy`, padded with spaces; `None` if it does not fit.
fn replace(copy: &mut [u8], span: Range<usize>, with: &str) -> Option<()> {
    let target = copy.get_mut(span)?;
    if with.len() > target.len() {
        return None;
    }
    target[..with.len()].copy_from_slice(with.as_bytes());
    target[with.len()..].fill(b' ');
    Some(())
}

/// Inserts the member serde found missing (its `message` names it) from the object that
/// ends at `close`, if it holds a text: its constant, or a text of allowed length.
fn missing(copy: &mut Copy, close: usize, message: &str) -> Option<Patch> {
    let bytes = &copy.bytes;
    if bytes.get(close) != Some(&b'}') {
        return None;
    }
    let name = message.strip_prefix("missing field `")?.strip_suffix('`')?;
    let object = member_at(&bytes[..close], Some(b'}'));
    let mut member = object.clone();
    kaleyra_wa::pointer::push_token(&mut member, name);
    let schema = subschema_at(&member)?;
    // A missing object would be inserted empty and its own members after it, a parse each:
    // for a short document such as `{}`, more than the slow path costs.
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    let value = a_text(&member, schema).unwrap_or_else(|| "\"\"".to_owned());
    let opening = copy.in_text(object_start(bytes, close)?);
    let before = bytes[..close]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())?;
    let separator = if bytes[before] == b'{' { "" } else { "," };
    let name_literal = serde_json::to_string(name).ok()?;
    copy.insert(
        close,
        format!("{separator}{name_literal}:{value}").as_bytes(),
    );
    Some(Patch {
        finding: missing_member(object, name).at(opening..opening + 1),
        pointer: member,
    })
}

/// The `{` of the object whose `}` is at `close`, in JSON text that `serde_json` read up to
/// there: the scan back skips strings whole (from their closing quote to their opening one).
fn object_start(bytes: &[u8], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = close;
    loop {
        at = at.checked_sub(1)?;
        match bytes[at] {
            b'"' => at = locate::string_start(bytes, at)?,
            b'}' => depth += 1,
            b'{' if depth == 0 => return Some(at),
            b'{' => depth -= 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
