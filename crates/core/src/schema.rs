//! The JSON Schemas, generated from the types with `schemars` (feature `schema`).
//!
//! `cargo xtask schema` writes them under `schemas/`; a test fails when those files differ
//! from what this module generates.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use serde_json::{Value, json};

use crate::request::{ForbiddenMembers, SendRequest};
use crate::response::{ErrorResponse, SuccessResponse};

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

/// One exported schema: its file name under `schemas/` and its content.
#[derive(Clone, Debug)]
pub struct SchemaFile {
    /// File name, e.g. `send-request.schema.json`.
    pub file_name: &'static str,
    /// The schema.
    pub schema: Value,
}

/// The documented request sample (the reference page's, verbatim).
pub const REQUEST_SAMPLE: &str = include_str!("sample_request.json");

/// The request schema in the given dialect.
pub fn request_schema(draft: Draft) -> Value {
    let (file_name, settings) = match draft {
        Draft::Draft2020_12 => ("send-request.schema.json", SchemaSettings::draft2020_12()),
        Draft::Draft07 => (
            "send-request.draft-07.schema.json",
            SchemaSettings::draft07(),
        ),
    };
    let mut schema = settings
        .with_transform(NoNull)
        .into_generator()
        .into_root_schema_for::<SendRequest>();
    // The sample is a literal in this crate, tested to parse: it is valid JSON.
    let sample: Value = serde_json::from_str(REQUEST_SAMPLE).unwrap_or(Value::Null);
    finish(
        &mut schema,
        file_name,
        "Kaleyra WhatsApp v2 Send Single-Product Message request",
        sample,
    );
    schema.to_value()
}

/// Every exported schema, in a stable order.
pub fn all() -> Vec<SchemaFile> {
    let mut files = vec![
        SchemaFile {
            file_name: "send-request.schema.json",
            schema: request_schema(Draft::Draft2020_12),
        },
        SchemaFile {
            file_name: "send-request.draft-07.schema.json",
            schema: request_schema(Draft::Draft07),
        },
    ];
    for (file_name, title, mut schema, example) in [
        (
            "success-response.schema.json",
            "Kaleyra WhatsApp v2 send success response",
            schemars::schema_for!(SuccessResponse),
            json!({"code": "WA202", "message": "Request Accepted", "data": {"message_id": "AXXXXXXXXXXXXXXXXXXX"}, "error": {}}),
        ),
        (
            "error-response.schema.json",
            "Kaleyra WhatsApp v2 send error response",
            schemars::schema_for!(ErrorResponse),
            json!({"code": "RBC001", "message": "Incorrect SID or API key.", "data": [], "error": {"error": "Incorrect SID or API key."}}),
        ),
    ] {
        finish(&mut schema, file_name, title, example);
        files.push(SchemaFile {
            file_name,
            schema: schema.to_value(),
        });
    }
    files
}

/// Renders a schema as the checked-in files hold it: pretty, two-space indent, trailing
/// newline.
pub fn render(schema: &Value) -> String {
    // Serializing a `Value` to a string cannot fail (its map keys are strings).
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

fn finish(schema: &mut Schema, file_name: &str, title: &str, example: Value) {
    let object = schema.ensure_object();
    // Put `$schema`, `$id` and `title` first for readers.
    let mut ordered = serde_json::Map::new();
    if let Some(meta) = object.remove("$schema") {
        ordered.insert("$schema".into(), meta);
    }
    ordered.insert("$id".into(), Value::String(format!("{ID_BASE}{file_name}")));
    ordered.insert("title".into(), Value::String(title.into()));
    object.remove("title");
    ordered.append(object);
    ordered.insert("examples".into(), Value::Array(vec![example]));
    *object = ordered;
}

/// Transform for types with [`ForbiddenMembers`]: each forbidden member's subschema is `false`
/// (with `additionalProperties: false` this is already implied; naming the member lets
/// validators and readers say why).
pub fn forbid_members<T: ForbiddenMembers>(schema: &mut Schema) {
    if let Some(properties) = schema
        .ensure_object()
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    {
        for (member, _) in T::FORBIDDEN {
            properties.insert((*member).into(), Value::Bool(false));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_valid_json_and_a_request() {
        crate::from_str(REQUEST_SAMPLE).unwrap();
    }

    #[test]
    fn request_schema_carries_the_rules() {
        let schema = request_schema(Draft::Draft2020_12);
        let text = schema.to_string();
        assert!(text.contains(r#""maxLength":1024"#), "{text}");
        assert!(text.contains(r#""maxLength":60"#));
        assert!(text.contains(r#""maxLength":512"#));
        assert!(text.contains(crate::TO_PATTERN.replace('\\', "\\\\").as_str()));
        assert!(text.contains(r#""header":false"#));
        assert!(!text.contains("null"), "{text}");
    }
}
