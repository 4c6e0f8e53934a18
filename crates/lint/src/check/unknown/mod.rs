//! Documents whose structural problems are only members the request does not define (a
//! misspelt key, a member of another API): every finding, without the slow path.
//!
//! The typed parse stops at the first unknown member. When it is the only one, it is the one
//! removed. Else the request schema names the members each object may hold
//! ([`subschema_at`]), and every other member of a closed object is. A removed member is
//! reported as unknown and replaced by spaces in a copy of the text, with its comma, so that
//! every byte stays where it was. If the copy is a request, the core's report on it is every other
//! finding there is, placed in the original text as on the typed path. Anything else
//! (`None`) goes to the slow path, which finds the same (a test compares the two).

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use kaleyra_wa::{ForbiddenMembers, Interactive, Rule, SendRequest};
use serde_json::Value;

use super::schema::{resolve, subschema_at, unknown_member};
use super::shaped::check_value;
use super::syntax::member_at;
use super::{DocFinding, with_report};
use crate::locate::{self, Spans};

/// Whether a document whose typed parse stopped with `error` may be one for [`check`]: it
/// met a member the schema does not name at all (a forbidden member, such as `header`, is
/// named there, as `false`: such a document takes the slow path).
pub(super) fn may_apply(error: &kaleyra_wa::JsonError) -> bool {
    // serde's message names the member: "unknown field `name`, expected ...".
    let name = error.message().split('`').nth(1).unwrap_or_default();
    error.rule() == Rule::Unknown
        && !Interactive::FORBIDDEN
            .iter()
            .any(|(forbidden, _)| *forbidden == name)
}

/// The findings of `text`, if its only structural problems are unknown members; `error` is
/// the typed parse's, at the first of them.
pub(super) fn check(text: &str, error: &kaleyra_wa::JsonError) -> Option<Vec<DocFinding>> {
    // Most often there is one: the one `error` is at. Its removal is then enough for the
    // typed parse, and no scan of the whole structure is needed.
    if let Some(member) = at_error(text, error)
        && let Some(request) = without(text, std::slice::from_ref(&member))
    {
        return Some(findings(text, &request, std::slice::from_ref(&member)));
    }
    let unknown = unknown_members(text)?;
    if unknown.is_empty() {
        return None;
    }
    let request = without(text, &unknown)?;
    Some(findings(text, &request, &unknown))
}

/// The member whose key `error` (an unknown field) is at: serde stops at its key's closing
/// quote, inside the object the scan up to the key ([`member_at`]) names.
fn at_error<'t>(text: &'t str, error: &kaleyra_wa::JsonError) -> Option<Unknown<'t>> {
    let bytes = text.as_bytes();
    let close = error.offset();
    if bytes.get(close) != Some(&b'"') {
        return None;
    }
    let open = locate::string_start(bytes, close)?;
    let key = open..close + 1;
    let colon = locate::whitespace(bytes, key.end);
    if bytes.get(colon) != Some(&b':') {
        return None;
    }
    let value = locate::whitespace(bytes, colon + 1);
    let end = locate::value_end(bytes, value)?;
    // What follows must separate it from another member or end the object: removed with its
    // comma, a member would take a missing comma or a trailing one with it (the typed parse
    // has not read that far).
    let after = locate::whitespace(bytes, end);
    match bytes.get(after) {
        Some(b'}') => {}
        Some(b',') if bytes.get(locate::whitespace(bytes, after + 1)) == Some(&b'"') => {}
        _ => return None,
    }
    let object = member_at(&bytes[..open], Some(b'"'));
    let depth = kaleyra_wa::pointer::tokens(&object).count() + 1;
    Some(Unknown {
        depth,
        name: locate::unescape(text.get(key.clone())?),
        object,
        key,
        value: value..end,
    })
}

/// The request `text` holds once the `unknown` members are removed, if it is one (and they
/// are as the slow path would have them).
fn without(text: &str, unknown: &[Unknown<'_>]) -> Option<SendRequest> {
    let mut without = text.as_bytes().to_vec();
    for member in unknown {
        // The scan follows the structure only: what a removed member holds is parsed here as
        // the slow path parses it (strings with their escapes, numbers; `IgnoredAny` would
        // let a lone surrogate through); the typed parse checks the rest.
        serde_json::from_str::<String>(text.get(member.key.clone())?).ok()?;
        let value = text.get(member.value.clone())?;
        check_value(value).ok()?;
        // Nesting past the limit, counted from the root, and duplicate keys inside the
        // member are the slow path's findings.
        let nesting = locate::nesting(value.as_bytes());
        if member.depth + nesting > kaleyra_wa::limits::MAX_DEPTH
            || (nesting > 0 && Spans::new(value)?.duplicates().next().is_some())
        {
            return None;
        }
        blank(&mut without, member.key.start..member.value.end);
    }
    // Whole characters were replaced by spaces: the copy is UTF-8 as the text is.
    let without = simdutf8::basic::from_utf8(&without).ok()?;
    serde_json::from_str::<SendRequest>(without).ok()
}

/// The findings of `text`: the `unknown` members and what the core finds in the `request`
/// left without them.
fn findings(text: &str, request: &SendRequest, unknown: &[Unknown<'_>]) -> Vec<DocFinding> {
    let unknown = unknown
        .iter()
        .map(|member| unknown_member(&member.object, &member.name, member.key.clone()));
    let report = request.validate();
    with_report(
        text,
        report.violations(),
        report.unlisted_recipients(),
        unknown,
    )
}

/// A member the schema does not allow where it is.
struct Unknown<'t> {
    /// The pointer of its object.
    object: String,
    /// How deep its object is (the root object is 1).
    depth: usize,
    /// Its key, unescaped.
    name: Cow<'t, str>,
    /// Its key's span (quotes included) and its value's.
    key: Range<usize>,
    value: Range<usize>,
}

/// The members the schema does not allow where they are, in document order, from one scan
/// of the text. `None` if the root is not an object, the text is not as the structure of a
/// request has it, or a name is twice among one object's unknown members (the slow path
/// reports the duplicate key).
fn unknown_members(text: &str) -> Option<Vec<Unknown<'_>>> {
    let root = locate::whitespace(text.as_bytes(), 0);
    let mut unknown = Vec::new();
    walk(
        text,
        root,
        subschema_at(""),
        &mut String::new(),
        1,
        &mut unknown,
    )?;
    Some(unknown)
}

/// Walks the object whose `{` is at `at` (the object at `pointer`, whose schema is `schema`,
/// `depth` deep) and, inside it, the objects of the members its schema names, adding the
/// members it does not name to `unknown`; returns one past the object's end. The walk scans
/// each byte once (`check` parses the removed members again). `pointer` is given back as it
/// came.
fn walk<'t>(
    text: &'t str,
    at: usize,
    schema: Option<&'static Value>,
    pointer: &mut String,
    depth: usize,
    unknown: &mut Vec<Unknown<'t>>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let properties = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let closed = schema.and_then(|s| s.get("additionalProperties")) == Some(&Value::Bool(false));
    let mut names: HashSet<Cow<'t, str>> = HashSet::new();
    let mut pos = locate::whitespace(bytes, at + 1);
    if bytes.get(pos) == Some(&b'}') {
        return Some(pos + 1);
    }
    loop {
        let key_end = locate::string_end(bytes, pos)?;
        let colon = locate::whitespace(bytes, key_end);
        if bytes.get(colon) != Some(&b':') {
            return None;
        }
        let value = locate::whitespace(bytes, colon + 1);
        // A key's span starts and ends at quotes, so at char boundaries.
        let name = locate::unescape(text.get(pos..key_end)?);
        let property = properties.and_then(|p| p.get(name.as_ref()));
        let known = property.is_some();
        let end = match property {
            Some(property) if bytes.get(value) == Some(&b'{') => {
                let len = pointer.len();
                kaleyra_wa::pointer::push_token(pointer, &name);
                let end = walk(text, value, resolve(property), pointer, depth + 1, unknown);
                pointer.truncate(len);
                end?
            }
            _ => locate::value_end(bytes, value)?,
        };
        if !known && closed {
            // Each name once among this object's unknown members (a set: 20,000 of them
            // must not cost 20,000 squared comparisons).
            if !names.insert(name.clone()) {
                return None;
            }
            unknown.push(Unknown {
                object: pointer.clone(),
                depth,
                name,
                key: pos..key_end,
                value: value..end,
            });
        }
        pos = locate::whitespace(bytes, end);
        match bytes.get(pos)? {
            b',' => pos = locate::whitespace(bytes, pos + 1),
            b'}' => return Some(pos + 1),
            _ => return None,
        }
    }
}

/// Replaces the member at `member` by spaces, with the comma that separates it from the
/// next member or, for the last one, from the one before. `bytes` is JSON text in which
/// earlier members may have been blanked the same way.
fn blank(bytes: &mut [u8], member: Range<usize>) {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    bytes[member.clone()].fill(b' ');
    let after = member.end
        + bytes[member.end..]
            .iter()
            .take_while(|b| is_space(b))
            .count();
    if bytes.get(after) == Some(&b',') {
        bytes[after] = b' ';
    } else if let Some(before) = bytes[..member.start].iter().rposition(|b| !is_space(b))
        && bytes[before] == b','
    {
        bytes[before] = b' ';
    }
}

#[cfg(test)]
mod tests;
