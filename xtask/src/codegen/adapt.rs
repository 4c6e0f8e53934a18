//! The only changes `cargo xtask codegen` makes between the exported schemas and the checked-in
//! bindings: small, structural and tested, each working around one known generator gap.
//!
//! Inputs (a copy of the schema given to one generator; `schemas/` is never changed):
//! - [`drop_false_members`] (Python): datamodel-code-generator types a forbidden member
//!   (`"header": false`) as `Optional[Any]`, i.e. accepted. Under `additionalProperties: false`
//!   an absent member is equally forbidden, so it is dropped and `extra="forbid"` rejects it.
//! - [`open_enums_as_ts_type`] (TypeScript): json-schema-to-typescript writes the open
//!   `wa_source` (documented values or any string) as `"api" | ... | string`, which TypeScript
//!   collapses to `string`. Its `tsType` extension writes `"api" | ... | (string & {})`
//!   instead: any string still type-checks, and editors still offer the documented values.
//! - [`set_title`] (TypeScript): the root interface is named after the root `title`; this names
//!   it `SendRequest` (and so on) rather than after the title's sentence.
//!
//! Output:
//! - [`import_ajv_runtime`] (TypeScript): ajv's standalone code loads its runtime helpers with
//!   `require("ajv/dist/runtime/NAME")` even when asked for ES modules; each becomes an
//!   `import` of the package's own copy (`src/runtime/NAME.js`), so the package has no
//!   dependency and no `require`.

use serde_json::Value;

/// The ajv runtime helpers the TypeScript package ships (`src/runtime/NAME.js`).
pub const AJV_RUNTIME: &[&str] = &["ucs2length"];

/// Removes every member whose schema is `false` from the `properties` of its object, which
/// must have `additionalProperties: false` (so the member stays forbidden).
pub fn drop_false_members(schema: &mut Value) -> Result<(), String> {
    walk(schema, &mut |object| {
        let Some(Value::Object(properties)) = object.get("properties") else {
            return Ok(());
        };
        let forbidden: Vec<String> = properties
            .iter()
            .filter(|(_, member)| **member == Value::Bool(false))
            .map(|(name, _)| name.clone())
            .collect();
        if forbidden.is_empty() {
            return Ok(());
        }
        if object.get("additionalProperties") != Some(&Value::Bool(false)) {
            return Err(format!(
                "members {forbidden:?} are forbidden (`false`) in an object that allows \
                 unknown members: dropping them would allow them"
            ));
        }
        if let Some(Value::Object(properties)) = object.get_mut("properties") {
            properties.retain(|name, _| !forbidden.contains(name));
        }
        Ok(())
    })
}

/// Adds a `tsType` to every open enum: `anyOf` of a string `enum` and a plain string.
pub fn open_enums_as_ts_type(schema: &mut Value) -> Result<(), String> {
    walk(schema, &mut |object| {
        let Some(Value::Array(branches)) = object.get("anyOf") else {
            return Ok(());
        };
        let plain_string = serde_json::json!({"type": "string"});
        let [known, any] = branches.as_slice() else {
            return Ok(());
        };
        if *any != plain_string || known.get("type") != Some(&Value::from("string")) {
            return Ok(());
        }
        let Some(Value::Array(values)) = known.get("enum") else {
            return Ok(());
        };
        let mut union = Vec::with_capacity(values.len() + 1);
        for value in values {
            if !value.is_string() {
                return Err(format!("open enum with a non-string value {value}"));
            }
            union.push(value.to_string());
        }
        union.push("(string & {})".to_owned());
        object.insert("tsType".to_owned(), Value::from(union.join(" | ")));
        Ok(())
    })
}

/// Sets the root `title` (the name json-schema-to-typescript gives the root type).
pub fn set_title(schema: &mut Value, title: &str) -> Result<(), String> {
    let object = schema
        .as_object_mut()
        .ok_or("the root schema is not an object")?;
    object.insert("title".to_owned(), Value::from(title));
    Ok(())
}

/// Rewrites each `const F = require("ajv/dist/runtime/NAME").default;` of ajv's standalone
/// code as `import F from "../runtime/NAME.js";`. Fails on any other `require`.
pub fn import_ajv_runtime(code: &str) -> Result<String, String> {
    const PREFIX: &str = "require(\"ajv/dist/runtime/";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("require(") {
        let statement = rest[..at]
            .rfind("const ")
            .ok_or("a require outside a const")?;
        let (before, tail) = rest.split_at(at);
        let declared = before[statement + "const ".len()..].trim_end();
        let name = declared
            .strip_suffix('=')
            .map(str::trim_end)
            .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .ok_or_else(|| format!("unexpected require: {}", &before[statement..]))?;
        let helper = tail
            .strip_prefix(PREFIX)
            .and_then(|t| t.split_once("\").default;"))
            .map(|(helper, _)| helper)
            .filter(|helper| AJV_RUNTIME.contains(helper))
            .ok_or_else(|| {
                let shown: String = tail.chars().take(60).collect();
                format!("unexpected require in ajv's code (not a shipped helper): {shown}")
            })?;
        out.push_str(&before[..statement]);
        out.push_str(&format!("import {name} from \"../runtime/{helper}.js\";"));
        let statement_len = PREFIX.len() + helper.len() + "\").default;".len();
        rest = &tail[statement_len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Calls `visit` on every object of `value`, depth first (children before their parent).
fn walk(
    value: &mut Value,
    visit: &mut impl FnMut(&mut serde_json::Map<String, Value>) -> Result<(), String>,
) -> Result<(), String> {
    match value {
        Value::Object(object) => {
            for child in object.values_mut() {
                walk(child, visit)?;
            }
            visit(object)
        }
        Value::Array(items) => items.iter_mut().try_for_each(|item| walk(item, visit)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forbidden_members_are_dropped_from_closed_objects_only() {
        let mut schema = json!({"$defs": {"I": {
            "additionalProperties": false,
            "properties": {"type": {"const": "product"}, "header": false},
        }}});
        drop_false_members(&mut schema).unwrap();
        assert_eq!(
            schema,
            json!({"$defs": {"I": {
                "additionalProperties": false,
                "properties": {"type": {"const": "product"}},
            }}})
        );
        let mut open = json!({"properties": {"header": false}});
        assert!(drop_false_members(&mut open).is_err());
    }

    #[test]
    fn open_enums_get_a_ts_type_and_closed_ones_do_not() {
        let mut schema = json!({
            "open": {"anyOf": [{"enum": ["api", "zoho"], "type": "string"}, {"type": "string"}]},
            "closed": {"enum": ["WA200"], "type": "string"},
            "other": {"anyOf": [{"type": "object"}, {"type": "array"}]},
        });
        let before = schema.clone();
        open_enums_as_ts_type(&mut schema).unwrap();
        assert_eq!(
            schema["open"]["tsType"],
            json!(r#""api" | "zoho" | (string & {})"#)
        );
        assert_eq!(schema["closed"], before["closed"]);
        assert_eq!(schema["other"], before["other"]);
    }

    #[test]
    fn ajv_runtime_requires_become_imports() {
        let code = r#""use strict";const schema1 = {"a":1};const func1 = require("ajv/dist/runtime/ucs2length").default;function v(d){return func1(d)}"#;
        assert_eq!(
            import_ajv_runtime(code).unwrap(),
            r#""use strict";const schema1 = {"a":1};import func1 from "../runtime/ucs2length.js";function v(d){return func1(d)}"#
        );
        assert_eq!(import_ajv_runtime("const a = 1;").unwrap(), "const a = 1;");
    }

    #[test]
    fn an_unknown_ajv_runtime_helper_is_an_error() {
        let code = r#"const func2 = require("ajv/dist/runtime/uri").default;"#;
        let error = import_ajv_runtime(code).unwrap_err();
        assert!(error.contains("ajv/dist/runtime/uri"), "{error}");
        assert!(import_ajv_runtime(r#"const x = require("fs");"#).is_err());
    }
}
