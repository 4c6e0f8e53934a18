//! The text of a schema file: stable member order, two-space indent.

use serde_json::Value;

/// Renders a schema as the checked-in files hold it: pretty, two-space indent, trailing
/// newline, and the same member order whatever `serde_json`'s map type: `$schema`, `$id`,
/// `title`, `description` first, `$defs` (`definitions`) last, the others sorted.
pub fn render(schema: &Value) -> String {
    let mut text = String::new();
    write_value(&mut text, schema, 0);
    text.push('\n');
    text
}

fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|key| (key_rank(key), key.as_str()));
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                push_indent(out, indent + 1);
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push_str(": ");
                write_value(out, &map[key.as_str()], indent + 1);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(out, indent + 1);
                write_value(out, item, indent + 1);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push(']');
        }
        // Scalars, `{}` and `[]`: the compact form is the pretty form.
        other => out.push_str(&other.to_string()),
    }
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn key_rank(key: &str) -> u8 {
    match key {
        "$schema" => 0,
        "$id" => 1,
        "title" => 2,
        "description" => 3,
        "$defs" | "definitions" => 9,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn render_orders_members_and_ends_with_a_newline() {
        let text = render(
            &json!({"b": [], "$defs": {}, "title": "t", "$schema": "s", "a": [1, {"z": 1, "y": {}}]}),
        );
        assert_eq!(
            text,
            "{\n  \"$schema\": \"s\",\n  \"title\": \"t\",\n  \"a\": [\n    1,\n    {\n      \"y\": {},\n      \"z\": 1\n    }\n  ],\n  \"b\": [],\n  \"$defs\": {}\n}\n"
        );
    }
}
