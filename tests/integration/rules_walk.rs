//! Every rule of the generated request schema, broken one at a time, is caught by the Rust
//! side at its place: the parser, or the validator and its clean shortcut (`is_clean`, which
//! answers first: a shortcut that misses a rule makes `validate` return an empty report).
//!
//! The rules come from the schema (`crate::schema_model`), which comes from the attributes on
//! the request types. A rule added to an attribute reaches the schema and this walk; a rule
//! added to one path only (validator or shortcut) fails here.

use kaleyra_wa::Rule;
use serde_json::{Value, json};

use crate::schema_model::{self, Member, Node, ROOT, Text, full_value, valid_text};

/// One broken rule: the payload, and where and why it must be reported.
struct Case {
    what: String,
    payload: Value,
    pointer: String,
    rule: Rule,
}

/// The member at `pointer` of `value`, which holds every member (`full_value`).
fn at<'a>(value: &'a mut Value, pointer: &str) -> &'a mut Value {
    value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} is in the full document"))
}

fn parent_and_name(pointer: &str) -> (&str, &str) {
    let at = pointer.rfind('/').expect("a member pointer");
    (&pointer[..at], &pointer[at + 1..])
}

/// Whether a JSON Schema `pattern` matches `text` (the schema's own dialect, ECMA-262).
fn matches(pattern: &str, text: &str) -> bool {
    jsonschema::is_valid(&json!({"pattern": pattern}), &json!(text))
}

/// The cases for one member: each of its rules broken, alone, in the full document.
fn cases(member: &Member) -> Vec<Case> {
    let full = full_value(&ROOT);
    let pointer = member.pointer.as_str();
    let (parent, name) = parent_and_name(pointer);
    let mut out = Vec::new();
    let mut case = |what: String, pointer: &str, rule: Rule, edit: &dyn Fn(&mut Value)| {
        let mut payload = full.clone();
        edit(&mut payload);
        out.push(Case {
            what,
            payload,
            pointer: pointer.to_owned(),
            rule,
        });
    };
    if member.forbidden {
        case(format!("{pointer} present"), pointer, Rule::Header, &|v| {
            at(v, parent)[name] = json!({});
        });
        return out;
    }
    if member.required {
        let what = format!("{pointer} removed (`required`)");
        case(what, parent, Rule::Missing, &|v| {
            at(v, parent).as_object_mut().unwrap().remove(name);
        });
    } else {
        let what = format!("{pointer} = null (optional means absent, not null)");
        case(what, pointer, Rule::Type, &|v| {
            *at(v, pointer) = Value::Null
        });
    }
    match &member.node {
        Node::Object(_) => {
            case(format!("{pointer} = a string"), pointer, Rule::Type, &|v| {
                *at(v, pointer) = json!("{}");
            });
            let unknown = format!("{pointer}/unknown_member");
            let what = format!("{unknown} added (`additionalProperties: false`)");
            case(what, &unknown, Rule::Unknown, &|v| {
                at(v, pointer)["unknown_member"] = json!("x");
            });
        }
        Node::Text(text) => {
            case(format!("{pointer} = 1"), pointer, Rule::Type, &|v| {
                *at(v, pointer) = json!(1);
            });
            for (what, value, rule) in text_violations(pointer, text) {
                case(what, pointer, rule, &|v| *at(v, pointer) = json!(value));
            }
        }
    }
    out
}

/// Each rule of a string broken: (what, value, rule).
fn text_violations(pointer: &str, text: &Text) -> Vec<(String, String, Rule)> {
    let mut out = Vec::new();
    if let Some(constant) = &text.constant {
        out.push((
            format!("{pointer}: not `const`"),
            format!("{constant}x"),
            Rule::Constant,
        ));
    }
    if let Some(min) = text.min_length.filter(|min| *min > 0) {
        // Two-byte characters: a count of bytes instead of code points would differ.
        let short = "é".repeat(min - 1);
        out.push((
            format!("{pointer}: below minLength {min}"),
            short,
            Rule::Empty,
        ));
    }
    if let Some(max) = text.max_length {
        let long = "é".repeat(max + 1);
        out.push((
            format!("{pointer}: past maxLength {max}"),
            long,
            Rule::TooLong,
        ));
    }
    if let Some(pattern) = &text.pattern {
        let bad = ["x", "", "-", "0"]
            .into_iter()
            .find(|candidate| !matches(pattern, candidate))
            .expect("a value the pattern rejects");
        let what = format!("{pointer}: {bad:?} does not match `pattern`");
        out.push((what, bad.to_owned(), Rule::Phone));
    }
    if let Some(not_pattern) = &text.not_pattern {
        let bad = format!("{}\n", valid_text(text));
        assert!(
            matches(not_pattern, &bad),
            "{pointer}: build a value for `not`"
        );
        let what = format!("{pointer}: {bad:?} matches `not: {{pattern: {not_pattern:?}}}`");
        out.push((what, bad, Rule::Phone));
    }
    if let Some(documented) = &text.documented {
        let other = "not-documented".to_owned();
        assert!(!documented.contains(&other));
        let what = format!("{pointer}: not one of the documented values (a warning)");
        out.push((what, other, Rule::UnknownWaSource));
    }
    out
}

/// Where and why the Rust side reports bytes: the parse error, or every violation of the
/// report, and whether the report is clean.
fn verdict(payload: &Value) -> Result<Vec<(String, Rule)>, (String, Rule)> {
    let bytes = serde_json::to_vec(payload).unwrap();
    let request = kaleyra_wa::from_slice(&bytes)
        .map_err(|error| (error.pointer().to_owned(), error.rule()))?;
    let report = request.validate();
    Ok(report
        .violations()
        .iter()
        .map(|v| (v.pointer.clone(), v.rule))
        .collect())
}

#[test]
fn the_full_and_the_minimal_documents_built_from_the_schema_are_clean() {
    fn minimal(node: &Node) -> Value {
        match node {
            Node::Object(members) => Value::Object(
                (members.iter())
                    .filter(|m| m.required)
                    .map(|m| (m.name.clone(), minimal(&m.node)))
                    .collect(),
            ),
            Node::Text(text) => Value::String(valid_text(text)),
        }
    }
    for document in [full_value(&ROOT), minimal(&ROOT)] {
        assert_eq!(verdict(&document), Ok(vec![]), "{document}");
    }
}

#[test]
fn every_string_at_the_ends_of_its_lengths_is_clean() {
    let mut checked = 0;
    for (pointer, text) in schema_model::texts() {
        let free = text.constant.is_none() && text.pattern.is_none() && text.documented.is_none();
        if !free {
            continue;
        }
        let shortest = text.min_length.unwrap_or(0);
        for len in [Some(shortest), text.max_length].into_iter().flatten() {
            let mut document = full_value(&ROOT);
            *at(&mut document, pointer) = json!("é".repeat(len));
            assert_eq!(
                verdict(&document),
                Ok(vec![]),
                "{pointer}: {len} code points"
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn every_rule_of_the_schema_broken_alone_is_reported_at_its_place() {
    let members = schema_model::members();
    let mut root_cases = Vec::new();
    for (what, payload, pointer, rule) in [
        ("the document is an array", json!([]), "", Rule::Type),
        (
            "/unknown_member added",
            json!({"unknown_member": 1}),
            "/unknown_member",
            Rule::Unknown,
        ),
    ] {
        let mut document = full_value(&ROOT);
        match payload {
            Value::Object(extra) => document.as_object_mut().unwrap().extend(extra),
            other => document = other,
        }
        root_cases.push(Case {
            what: what.to_owned(),
            payload: document,
            pointer: pointer.to_owned(),
            rule,
        });
    }
    let mut checked = 0;
    for case in root_cases
        .into_iter()
        .chain(members.iter().flat_map(|m| cases(m)))
    {
        {
            let Case {
                what,
                payload,
                pointer,
                rule,
            } = case;
            let expected = (pointer.clone(), rule);
            match verdict(&payload) {
                Err(parse) => assert_eq!(parse, expected, "{what}: the parser"),
                // Empty when the clean shortcut missed the rule.
                Ok(violations) => assert_eq!(
                    violations,
                    [expected],
                    "{what}: the validator (an empty report: `is_clean` said clean)"
                ),
            }
            checked += 1;
        }
    }
    // Each member has at least its presence rule and its type: the walk saw the model.
    assert!(checked >= 2 * members.len(), "{checked} cases");
    let texts = schema_model::texts();
    for keyword in ["maxLength", "minLength", "pattern", "const", "not", "anyOf"] {
        let has = |t: &Text| match keyword {
            "maxLength" => t.max_length.is_some(),
            "minLength" => t.min_length.is_some(),
            "pattern" => t.pattern.is_some(),
            "const" => t.constant.is_some(),
            "not" => t.not_pattern.is_some(),
            _ => t.documented.is_some(),
        };
        assert!(texts.iter().any(|(_, t)| has(t)), "no `{keyword}` found");
    }
    assert!(
        members.iter().any(|m| m.forbidden),
        "no forbidden member found"
    );
}

/// The lengths a member's description states ("1 to 1024 characters", "at most 512
/// characters", "keeps the first 255 characters") are its schema's, or the server's
/// truncation limit for a text without a maximum.
#[test]
fn the_lengths_in_the_descriptions_are_the_schemas() {
    let mut checked = 0;
    for (pointer, text) in schema_model::texts() {
        let Some(description) = &text.description else {
            continue;
        };
        let words: Vec<&str> = description.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            if !word.starts_with("characters") || i == 0 {
                continue;
            }
            let number = |at: usize| words[at].parse::<usize>().ok();
            let Some(stated) = number(i - 1) else {
                continue;
            };
            let limit = text.max_length.unwrap_or(kaleyra_wa::limits::REF_MAX);
            assert_eq!(stated, limit, "{pointer}: {description}");
            if i >= 3 && words[i - 2] == "to" {
                assert_eq!(number(i - 3), text.min_length, "{pointer}: {description}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} lengths found in the descriptions");
}
