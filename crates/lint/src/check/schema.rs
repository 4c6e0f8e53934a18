//! The request schema's verdict on a tree, in the project's words, at its places; and the
//! schema's members, looked up by pointer (constants, limits, did-you-mean).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use kaleyra_wa::ForbiddenMembers;
use kaleyra_wa::{Interactive, Rule, quoted};
use serde_json::Value;

use super::bound::push;
use super::syntax::is_huge_number;
use super::{DocFinding, count_unlisted, from_violation, span_in_value, with_help};
use crate::locate::{Node, Spans};

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

pub(super) fn schema_findings(value: &Value, tree: &Spans<'_>, out: &mut Vec<DocFinding>) {
    for error in validator().iter_errors(value) {
        let pointer = error.instance_path().as_str().to_owned();
        let at = At {
            node: tree.lookup(&pointer),
            pointer,
            instance: error.instance(),
        };
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                unknown_members(&at, unexpected, tree, out)
            }
            ValidationErrorKind::Required { property } => push(out, missing(&at, property)),
            ValidationErrorKind::FalseSchema => push(out, forbidden(&at)),
            ValidationErrorKind::MaxLength { limit } => push(out, length(&at, Some(*limit))),
            ValidationErrorKind::MinLength { .. } => push(out, length(&at, None)),
            ValidationErrorKind::Pattern { .. } => recipients(&at, out),
            ValidationErrorKind::Type { kind } => push(out, wrong_type(&at, kind)),
            ValidationErrorKind::OneOfNotValid { .. }
            | ValidationErrorKind::Constant { .. }
            | ValidationErrorKind::Enum { .. }
            | ValidationErrorKind::AnyOf { .. } => push(out, not_allowed(&at)),
            // A `not` guards a `pattern` (no final newline, for validators whose `$` matches
            // before one): the pattern's own error reports the value, in our words.
            ValidationErrorKind::Not { .. }
                if subschema_at(&at.pointer).is_some_and(|s| s.get("pattern").is_some()) => {}
            // No other keyword is in the schema; should one appear, name the place in our
            // words rather than dump the schema.
            _ => push(
                out,
                DocFinding::new(
                    Rule::Type,
                    at.pointer.clone(),
                    format!("{} is not allowed here", json_type(at.instance)),
                )
                .at(at.value()),
            ),
        }
    }
}

/// Where a schema error is: the member's pointer, its node in the text, its value.
struct At<'a> {
    pointer: String,
    node: Option<Node<'a>>,
    instance: &'a Value,
}

impl At<'_> {
    /// The value's span (empty when the node is not found).
    fn value(&self) -> Range<usize> {
        self.node.as_ref().map_or(0..0, |n| n.value())
    }

    /// The value as text (empty for another type).
    fn text(&self) -> &str {
        self.instance.as_str().unwrap_or_default()
    }
}

fn unknown_members(
    at: &At<'_>,
    unexpected: &[String],
    tree: &Spans<'_>,
    out: &mut Vec<DocFinding>,
) {
    for key in unexpected {
        let mut member = at.pointer.clone();
        kaleyra_wa::pointer::push_token(&mut member, key);
        // At its key: the last one, for a duplicate (the one a parser keeps).
        let span = tree.lookup(&member).map_or(0..0, |n| n.key_or_value());
        push(out, unknown_member(&at.pointer, key, span));
    }
}

/// The finding for member `key` of the object at `object`, which the request does not define
/// there, at `span` (its key), with a suggestion.
pub(super) fn unknown_member(object: &str, key: &str, span: Range<usize>) -> DocFinding {
    let mut member = object.to_owned();
    kaleyra_wa::pointer::push_token(&mut member, key);
    let finding = DocFinding::new(
        Rule::Unknown,
        member,
        format!("unknown member `{}`", quoted(key)),
    )
    .at(span);
    match super::suggest::did_you_mean(object, key) {
        Some(suggestion) => finding.help(suggestion),
        None => finding,
    }
}

fn missing(at: &At<'_>, property: &Value) -> DocFinding {
    let name = property.as_str().unwrap_or_default();
    missing_member(at.pointer.clone(), name).at(at.node.as_ref().map_or(0..0, |n| n.opening()))
}

/// The finding for member `name` missing from the object at `object`.
pub(super) fn missing_member(object: String, name: &str) -> DocFinding {
    DocFinding::new(
        Rule::Missing,
        object,
        format!("missing mandatory member `{name}`"),
    )
}

/// The finding for a value of the wrong type at `pointer`: `found` (a JSON type, "a number")
/// where `expected` ("a string") is.
pub(super) fn wrong_type_of(pointer: String, expected: &str, found: &str) -> DocFinding {
    DocFinding::new(
        Rule::Type,
        pointer,
        format!("expected {expected}, found {found}"),
    )
}

fn forbidden(at: &At<'_>) -> DocFinding {
    let member = kaleyra_wa::pointer::tokens(&at.pointer)
        .last()
        .unwrap_or_default();
    let reason = Interactive::FORBIDDEN
        .iter()
        .find(|(name, _)| member == *name)
        .map_or("this member is not allowed here", |(_, reason)| reason);
    with_help(DocFinding::new(Rule::Header, at.pointer.clone(), reason))
        .at(at.node.as_ref().map_or(0..0, |n| n.key_or_value()))
}

/// Too long (with the limit) or empty.
fn length(at: &At<'_>, limit: Option<u64>) -> DocFinding {
    let violation = kaleyra_wa::length_violation(&at.pointer, at.text(), limit);
    with_help(from_violation(violation)).at(at.value())
}

/// One finding per bad recipient of `to`, each at its own place.
fn recipients(at: &At<'_>, out: &mut Vec<DocFinding>) {
    // Looked up once: each recipient's place costs no scan of the value.
    let start = at.node.as_ref().and_then(|n| n.plain_string_start());
    let (listed, unlisted) = kaleyra_wa::recipient_violations(&at.pointer, at.text());
    let mut found: Vec<DocFinding> = listed
        .into_iter()
        .map(|violation| {
            let span = match (&violation.range_in_value, &at.node) {
                (Some(range), Some(node)) => span_in_value(node, start, range),
                _ => at.value(),
            };
            with_help(from_violation(violation)).at(span)
        })
        .collect();
    count_unlisted(&mut found, unlisted);
    for finding in found {
        push(out, finding);
    }
}

fn wrong_type(at: &At<'_>, kind: &TypeKind) -> DocFinding {
    // A number past `f64` was parsed as a `0` (see `parse_value`): say what it is.
    let found = match &at.node {
        Some(node) if at.instance.is_number() && is_huge_number(node.value_text().as_bytes()) => {
            "a number too large to represent"
        }
        _ => json_type(at.instance),
    };
    wrong_type_of(at.pointer.clone(), &expected_type(kind), found).at(at.value())
}

/// A value other than the allowed ones: a wrong constant, or not a string.
fn not_allowed(at: &At<'_>) -> DocFinding {
    let finding = match (at.instance.as_str(), constant_at(&at.pointer)) {
        (Some(found), Some(expected)) => wrong_constant(at.pointer.clone(), expected, found),
        (Some(_), None) => DocFinding::new(
            Rule::Type,
            at.pointer.clone(),
            "this text is not one of the values allowed here",
        ),
        (None, _) => wrong_type_of(at.pointer.clone(), "a string", json_type(at.instance)),
    };
    finding.at(at.value())
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

pub(super) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The subschema of the request schema at an instance pointer, following `$ref`s: looked up
/// in a map of every member's pointer, made once from the schema.
pub(super) fn subschema_at(pointer: &str) -> Option<&'static Value> {
    static MEMBERS: OnceLock<HashMap<String, &'static Value>> = OnceLock::new();
    MEMBERS
        .get_or_init(|| {
            let root = schema();
            let mut members = HashMap::new();
            let mut pending = Vec::from_iter(resolve_in(root, root).map(|s| (String::new(), s)));
            while let Some((pointer, subschema)) = pending.pop() {
                if let Some(Value::Object(properties)) = subschema.get("properties") {
                    for (name, property) in properties {
                        if let Some(property) = resolve_in(root, property) {
                            let mut member = pointer.clone();
                            kaleyra_wa::pointer::push_token(&mut member, name);
                            pending.push((member, property));
                        }
                    }
                }
                members.insert(pointer, subschema);
            }
            members
        })
        .get(pointer)
        .copied()
}

fn resolve_in<'a>(root: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => root.pointer(reference.strip_prefix('#')?),
        None => Some(schema),
    }
}

/// A subschema of the request schema, its `$ref` followed: looked up in a map of the
/// schema's references, made once.
pub(super) fn resolve(subschema: &'static Value) -> Option<&'static Value> {
    static REFERENCES: OnceLock<HashMap<&'static str, Option<&'static Value>>> = OnceLock::new();
    let Some(reference) = subschema.get("$ref").and_then(Value::as_str) else {
        return Some(subschema);
    };
    let references = REFERENCES.get_or_init(|| {
        let root = schema();
        let mut references = HashMap::new();
        let mut pending = vec![root];
        while let Some(value) = pending.pop() {
            match value {
                Value::Object(members) => {
                    if let Some(Value::String(reference)) = members.get("$ref") {
                        references.insert(reference.as_str(), resolve_in(root, value));
                    }
                    pending.extend(members.values());
                }
                Value::Array(items) => pending.extend(items),
                _ => {}
            }
        }
        references
    });
    match references.get(reference) {
        Some(resolved) => *resolved,
        None => resolve_in(schema(), subschema),
    }
}

/// The finding for the text `found` at `pointer`, a constant member whose one allowed value
/// is `expected`.
pub(super) fn wrong_constant(pointer: String, expected: &str, found: &str) -> DocFinding {
    DocFinding::new(
        Rule::Constant,
        pointer,
        format!("expected `{expected}`, found `{}`", quoted(found)),
    )
    .help(format!("the only allowed value is `{expected}`"))
}

/// The one allowed value of a constant member (`oneOf: [{const}]` or `const`).
pub(super) fn constant_at(pointer: &str) -> Option<&'static str> {
    let schema = subschema_at(pointer)?;
    if let Some(value) = schema.get("const") {
        return value.as_str();
    }
    match schema.get("oneOf")?.as_array()?.as_slice() {
        [only] => only.get("const")?.as_str(),
        _ => None,
    }
}
