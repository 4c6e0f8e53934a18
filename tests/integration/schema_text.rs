//! The schema documents as text: draft-07 keywords only in the draft-07 schema, descriptions
//! as paragraphs (doc comments' hard line breaks joined).

use kaleyra_wa::schema;
use serde_json::Value;

use crate::schema::checked_in;

/// Keywords that JSON Schema 2020-12 (or 2019-09) introduced: none may appear in the draft-07
/// request schema.
const KEYWORDS_NOT_IN_DRAFT_07: &[&str] = &[
    "$defs",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "prefixItems",
    "unevaluatedItems",
    "unevaluatedProperties",
    "dependentRequired",
    "dependentSchemas",
    "minContains",
    "maxContains",
    "contentSchema",
];

/// Every object key of a schema document (keywords and property names alike), with the
/// pointer of the object holding it.
fn keys_with_pointers(value: &Value) -> Vec<(String, String)> {
    fn walk(value: &Value, pointer: &mut String, out: &mut Vec<(String, String)>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Value::Array(items) => (items.iter().enumerate())
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        };
        for (key, child) in children {
            if value.is_object() {
                out.push((pointer.clone(), key.clone()));
            }
            let len = pointer.len();
            kaleyra_wa::pointer::push_token(pointer, &key);
            walk(child, pointer, out);
            pointer.truncate(len);
        }
    }
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out
}

#[test]
fn schema_descriptions_are_paragraphs_without_hard_line_breaks() {
    for file in schema::all() {
        for (pointer, key) in keys_with_pointers(&file.schema) {
            if key == "description" && !pointer.ends_with("/properties") {
                let at = format!("{pointer}/description");
                let description = file.schema.pointer(&at).and_then(Value::as_str).unwrap();
                assert!(
                    !description.replace("\n\n", " ").contains('\n'),
                    "{}{at}: {description}",
                    file.file_name
                );
            }
        }
    }
}

#[test]
fn draft_07_schema_uses_only_draft_07_keywords() {
    let schema = checked_in("send-request.draft-07.schema.json");
    for (pointer, key) in keys_with_pointers(&schema) {
        let is_keyword = !pointer.ends_with("/properties") && !pointer.contains("/examples");
        assert!(
            !(is_keyword && KEYWORDS_NOT_IN_DRAFT_07.contains(&key.as_str())),
            "draft-07 schema has `{key}` at {pointer:?}"
        );
        if key == "$ref" {
            let target = schema.pointer(&format!("{pointer}/$ref")).unwrap();
            assert!(
                target.as_str().unwrap().starts_with("#/definitions/"),
                "{pointer}: {target}"
            );
        }
    }
    // The 2020-12 schema does use `$defs` (the check above can fail).
    let newer = checked_in("send-request.schema.json");
    assert!(newer.get("$defs").is_some());
    assert!(newer.get("definitions").is_none());
}
