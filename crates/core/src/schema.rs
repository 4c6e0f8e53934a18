//! The JSON Schemas, generated from the types with `schemars` (feature `schema`).
//!
//! `cargo xtask schema` writes them under `schemas/` with [`render`]; a test fails when those
//! files differ from what this module generates.
//!
//! The request schema carries every rule of the Rust model that a JSON Schema can express:
//! the constants, the required members, the lengths (in Unicode code points, the unit of
//! `maxLength`), the `to` pattern (portable ECMA-262), `additionalProperties: false` on every
//! object, `header: false`, and no `null` for optional members. What the server accepts but
//! the documentation does not list (an undocumented `wa_source`, a ref over `limits::REF_MAX` characters)
//! is accepted, as the Rust validator accepts it (with a warning).
//!
//! Two things a JSON Schema cannot see: duplicate keys (a parser has already merged them) and
//! lone surrogate escapes such as `"\ud800"` (Python's and JavaScript's parsers accept them,
//! `serde_json` does not). The Rust parser rejects both.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use serde_json::{Value, json};

use crate::request::SendRequest;
use crate::response::{ErrorResponse, SuccessResponse};

mod render;
pub use render::render;

/// Base of the schemas' `$id`s.
pub const ID_BASE: &str = "https://kaleyra-wa.github.io/schemas/";

/// A JSON Schema dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draft {
    /// JSON Schema 2020-12.
    Draft2020_12,
    /// JSON Schema draft-07.
    Draft07,
}

impl Draft {
    /// The file name of the request schema in this dialect.
    pub const fn request_file_name(self) -> &'static str {
        match self {
            Draft::Draft2020_12 => "send-request.schema.json",
            Draft::Draft07 => "send-request.draft-07.schema.json",
        }
    }
}

/// One exported schema: its file name under `schemas/` and its content.
#[derive(Clone, Debug)]
pub struct SchemaFile {
    /// File name, e.g. `send-request.schema.json`.
    pub file_name: &'static str,
    /// The schema.
    pub schema: Value,
}

/// The documented request sample (the reference page's, verbatim).
///
/// Its `to` is masked (`91XXXXXXXXXX`), so it is *not* a valid request: see
/// [`request_example`] for the sample the schemas carry.
const REQUEST_SAMPLE: &str = include_str!("sample_request.json");

/// The masked recipient of the documented sample, and the number the example puts in its place.
const MASKED_TO: (&str, &str) = ("91XXXXXXXXXX", "919876543210");

/// The documented request sample with its masked `to` (`91XXXXXXXXXX`) replaced by a number
/// (`919876543210`), so that the example is valid against the schema. Everything else is the
/// reference page's, verbatim.
fn request_example() -> Value {
    let text = REQUEST_SAMPLE.replace(MASKED_TO.0, MASKED_TO.1);
    // The sample is a literal in this crate, tested to parse (`example_is_valid`).
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The request schema in the given dialect.
pub fn request_schema(draft: Draft) -> Value {
    let mut settings = match draft {
        Draft::Draft2020_12 => SchemaSettings::draft2020_12(),
        Draft::Draft07 => SchemaSettings::draft07(),
    };
    // Ours run first, so that the dialect's own transforms (draft-07: `$ref` siblings moved
    // into `allOf`) see their output.
    settings.transforms.splice(0..0, common_transforms());
    settings.transforms.insert(
        0,
        Box::new(NoNull) as Box<dyn schemars::generate::GenTransform>,
    );
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<SendRequest>();
    finish(
        &mut schema,
        draft.request_file_name(),
        "Kaleyra WhatsApp v2 Send Single-Product Message request",
        request_example(),
    );
    schema.to_value()
}

/// The success response schema (2020-12).
pub fn success_response_schema() -> Value {
    response_schema::<SuccessResponse>(
        "success-response.schema.json",
        "Kaleyra WhatsApp v2 send success response",
        json!({"code": "WA202", "message": "Request Accepted", "data": {"message_id": "AXXXXXXXXXXXXXXXXXXX"}, "error": {}}),
    )
}

/// The error response schema (2020-12).
pub fn error_response_schema() -> Value {
    response_schema::<ErrorResponse>(
        "error-response.schema.json",
        "Kaleyra WhatsApp v2 send error response",
        json!({"code": "RBC001", "message": "Incorrect SID or API key.", "data": [], "error": {"error": "Incorrect SID or API key."}}),
    )
}

fn response_schema<T: schemars::JsonSchema>(file_name: &str, title: &str, example: Value) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.transforms.splice(0..0, common_transforms());
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    finish(&mut schema, file_name, title, example);
    schema.to_value()
}

fn common_transforms() -> Vec<Box<dyn schemars::generate::GenTransform>> {
    vec![
        Box::new(Constants),
        Box::new(Descriptions),
        Box::new(AnchoredPatterns),
    ]
}

/// Every exported schema, in a stable order.
pub fn all() -> Vec<SchemaFile> {
    vec![
        SchemaFile {
            file_name: Draft::Draft2020_12.request_file_name(),
            schema: request_schema(Draft::Draft2020_12),
        },
        SchemaFile {
            file_name: Draft::Draft07.request_file_name(),
            schema: request_schema(Draft::Draft07),
        },
        SchemaFile {
            file_name: "success-response.schema.json",
            schema: success_response_schema(),
        },
        SchemaFile {
            file_name: "error-response.schema.json",
            schema: error_response_schema(),
        },
    ]
}

fn finish(schema: &mut Schema, file_name: &str, title: &str, example: Value) {
    let object = schema.ensure_object();
    object.insert("$id".into(), Value::String(format!("{ID_BASE}{file_name}")));
    object.insert("title".into(), Value::String(title.into()));
    object.insert("examples".into(), Value::Array(vec![example]));
}

/// Removes `null` from optional members: absent is allowed, `null` is not (the request types
/// reject it too).
#[derive(Clone, Debug)]
struct NoNull;

impl Transform for NoNull {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut() {
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any_of)) = object.get("anyOf") {
                let kept: Vec<Value> = any_of
                    .iter()
                    .filter(|s| s.get("type").and_then(Value::as_str) != Some("null"))
                    .cloned()
                    .collect();
                if kept.len() == 1 && kept.len() != any_of.len() {
                    object.remove("anyOf");
                    if let Value::Object(inner) = &kept[0] {
                        for (key, value) in inner {
                            object.entry(key.clone()).or_insert(value.clone());
                        }
                    }
                }
            }
        }
        transform_subschemas(self, schema);
    }
}

/// A one-value enum (`oneOf: [{const: "product", ...}]`, what schemars makes of a
/// single-variant unit enum) becomes `{type: "string", const: "product"}`: the same
/// constraint, read by code generators as a literal type.
#[derive(Clone, Debug)]
struct Constants;

impl Transform for Constants {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        let constant = match object.get("oneOf") {
            Some(Value::Array(one_of)) if one_of.len() == 1 => one_of[0]
                .get("const")
                .filter(|value| value.is_string())
                .cloned(),
            _ => None,
        };
        if let Some(constant) = constant {
            object.remove("oneOf");
            object.insert("type".into(), Value::String("string".into()));
            object.insert("const".into(), constant);
        }
    }
}

/// Descriptions come from doc comments: their hard line breaks are joined (paragraph breaks
/// kept) and rustdoc links (``[`Name`]``) become plain code spans.
#[derive(Clone, Debug)]
struct Descriptions;

impl Transform for Descriptions {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        if let Some(Value::String(text)) = schema.get_mut("description") {
            *text = clean_description(text);
        }
    }
}

/// Joins a doc comment's lines into paragraphs and unwraps rustdoc links.
fn clean_description(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|paragraph| !paragraph.is_empty())
        .collect();
    let joined = paragraphs.join("\n\n");
    // ``[`Name`]`` → `` `Name` `` (no link target follows in our doc comments).
    let mut out = String::with_capacity(joined.len());
    let mut rest = joined.as_str();
    while let Some(start) = rest.find("[`") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after[1..].find("`]") {
            Some(end) if !after[1..end + 1].contains('`') => {
                out.push_str(&after[..end + 2]);
                rest = &after[end + 3..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Python's `jsonschema` applies `pattern` with `re.search`, where `$` also matches *before* a
/// final newline: `"919876543210\n"` would pass `^...$`. Every pattern anchored with `$` gets
/// a guard that rejects a final newline, which every engine reads the same way.
#[derive(Clone, Debug)]
struct AnchoredPatterns;

/// The guard added next to a `$`-anchored pattern.
fn final_newline_guard() -> Value {
    json!({
        "description": "No final newline (Python's `re.search` lets `$` match before one).",
        "type": "string",
        "pattern": "\\n$"
    })
}

impl Transform for AnchoredPatterns {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        let anchored = object
            .get("pattern")
            .and_then(Value::as_str)
            .is_some_and(|pattern| pattern.ends_with('$'));
        if anchored && !object.contains_key("not") {
            object.insert("not".into(), final_newline_guard());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_a_request_but_its_masked_to_is_not_a_number() {
        let sample = crate::from_str(REQUEST_SAMPLE).unwrap();
        let errors: Vec<_> = sample.validate().errors().cloned().collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].pointer, "/messaging_object/to");
    }

    #[test]
    fn example_is_valid() {
        let example = request_example();
        let request: SendRequest = serde_json::from_value(example).unwrap();
        assert!(request.validate().is_clean(), "{}", request.validate());
    }

    #[test]
    fn request_schema_carries_the_rules() {
        for draft in [Draft::Draft2020_12, Draft::Draft07] {
            let schema = request_schema(draft);
            let text = schema.to_string();
            assert!(text.contains(r#""maxLength":1024"#), "{text}");
            assert!(text.contains(r#""maxLength":60"#));
            assert!(text.contains(r#""maxLength":512"#));
            assert!(text.contains(crate::TO_PATTERN.replace('\\', "\\\\").as_str()));
            assert!(text.contains(r#""header":false"#));
            assert!(text.contains(r#""const":"whatsapp""#));
            assert!(!text.contains("null"), "{text}");
        }
    }

    #[test]
    fn descriptions_are_joined_and_unlinked() {
        assert_eq!(
            clean_description("one\ntwo [`Kind`] and [x]\n\nthree"),
            "one two `Kind` and [x]\n\nthree"
        );
        assert_eq!(clean_description("a [`b"), "a [`b");
    }
}
