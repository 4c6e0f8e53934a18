//! The patch path against the slow path.

use proptest::prelude::*;

use super::super::slow_path;
use super::super::testing::{RECORD, edit};
use super::*;

/// [`super::check`] as `check_document` calls it: after a typed parse that stopped at a
/// wrong constant, a value of the wrong type or a missing member.
fn check(text: &str) -> Option<Vec<DocFinding>> {
    let error = serde_json::from_str::<SendRequest>(text).err()?;
    let error = JsonError::new(text.as_bytes(), &error);
    matches!(error.rule(), Rule::Constant | Rule::Type | Rule::Missing)
        .then(|| super::check(text, &error))?
}

const CONSTANTS: [&str; 4] = [
    "/messaging_object/messaging_product",
    "/messaging_object/recipient_type",
    "/messaging_object/type",
    "/messaging_object/interactive/type",
];

const TEXTS: [&str; 8] = [
    "/messaging_object/to",
    "/messaging_object/interactive/body/text",
    "/messaging_object/interactive/footer/text",
    "/messaging_object/interactive/action/catalog_id",
    "/messaging_object/interactive/action/product_retailer_id",
    "/extra_info/ref",
    "/extra_info/ref1",
    "/extra_info/wa_source",
];

const MEMBERS: [&str; 11] = [
    "/messaging_object",
    "/messaging_object/messaging_product",
    "/messaging_object/to",
    "/messaging_object/type",
    "/messaging_object/interactive",
    "/messaging_object/interactive/type",
    "/messaging_object/interactive/body/text",
    "/messaging_object/interactive/footer/text",
    "/messaging_object/interactive/action",
    "/messaging_object/interactive/action/catalog_id",
    "/messaging_object/interactive/action/product_retailer_id",
];

/// One problem, as a change to the request's tree.
#[derive(Clone, Debug)]
enum Problem {
    Set(&'static str, Value),
    Remove(&'static str),
}

impl Problem {
    fn apply(&self, tree: &mut Value) {
        match self {
            Problem::Set(pointer, value) => {
                if let Some(target) = tree.pointer_mut(pointer) {
                    *target = value.clone();
                }
            }
            Problem::Remove(pointer) => {
                let (parent, name) = pointer.rsplit_once('/').unwrap();
                if let Some(Value::Object(members)) = tree.pointer_mut(parent) {
                    members.remove(name);
                }
            }
        }
    }
}

/// Every problem this path patches, and some it cannot (values too short for the patch).
fn problems() -> Vec<Problem> {
    let mut problems = Vec::new();
    for pointer in CONSTANTS {
        for wrong in ["PRODUCTS", "whatsapp!", "é\"x", "p", "", "individual "] {
            problems.push(Problem::Set(pointer, Value::from(wrong)));
        }
        problems.push(Problem::Set(pointer, serde_json::json!({"a": 12345678})));
        problems.push(Problem::Set(pointer, Value::Null));
    }
    for pointer in TEXTS {
        for wrong in [
            serde_json::json!(1234567890),
            serde_json::json!(1),
            Value::Null,
            Value::Bool(false),
            serde_json::json!({}),
            serde_json::json!([1, "a"]),
            serde_json::json!({"k": {"k": "v"}}),
            // Numbers past 1e300, which the slow path names.
            Value::from(1e301),
            Value::from(-2.5e305),
        ] {
            problems.push(Problem::Set(pointer, wrong));
        }
    }
    for pointer in MEMBERS {
        problems.push(Problem::Remove(pointer));
    }
    problems
}

/// Other problems beside: value errors and warnings (the core's), and structural ones (the
/// slow path's).
fn others() -> Vec<Option<Problem>> {
    vec![
        None,
        Some(Problem::Set(
            "/messaging_object/to",
            Value::from("0919876543210"),
        )),
        Some(Problem::Set(
            "/messaging_object/interactive/footer/text",
            Value::from("x".repeat(70)),
        )),
        Some(Problem::Set("/extra_info/wa_source", Value::from("web"))),
        Some(Problem::Set(
            "/messaging_object/interactive/header",
            serde_json::json!({}),
        )),
        Some(Problem::Set("/extra_info/zz", Value::from(1))),
    ]
}

fn compare(tree: &Value, fast: &mut usize, compared: &mut usize) {
    for text in [
        serde_json::to_string(tree).unwrap(),
        serde_json::to_string_pretty(tree).unwrap(),
    ] {
        if let Some(found) = check(&text) {
            assert_eq!(found, slow_path(text.as_bytes(), Some(&text)), "{text}");
            *fast += 1;
        }
        *compared += 1;
    }
}

/// Each problem alone and beside each other kind, compact and pretty: the patch path finds
/// what the slow path finds, or leaves the document to it.
#[test]
fn the_patch_path_is_the_slow_path_where_it_applies() {
    let record: Value = serde_json::from_str(RECORD).unwrap();
    let (mut fast, mut compared) = (0, 0);
    for problem in problems() {
        for other in others() {
            let mut tree = record.clone();
            problem.apply(&mut tree);
            if let Some(other) = &other {
                // `header` is a member `Set` cannot add: insert it.
                if let Problem::Set(pointer, value) = other
                    && let Some((parent, name)) = pointer.rsplit_once('/')
                    && let Some(Value::Object(members)) = tree.pointer_mut(parent)
                {
                    members.insert(name.to_owned(), value.clone());
                }
            }
            compare(&tree, &mut fast, &mut compared);
        }
    }
    assert!(fast >= compared / 3, "{fast} of {compared}");
}

/// Two problems at once, of every pair of kinds.
#[test]
fn two_problems_at_once_are_the_slow_path_s_too() {
    let record: Value = serde_json::from_str(RECORD).unwrap();
    let problems = problems();
    let (mut fast, mut compared) = (0, 0);
    for (i, first) in problems.iter().enumerate().step_by(3) {
        for second in problems.iter().skip(i + 1).step_by(7) {
            let mut tree = record.clone();
            first.apply(&mut tree);
            second.apply(&mut tree);
            compare(&tree, &mut fast, &mut compared);
        }
    }
    // Many pairs hold a problem the patch path leaves (a missing object, a value too short
    // for its patch, a huge number): enough take it to compare.
    assert!(fast >= compared / 5, "{fast} of {compared}");
}

#[test]
fn each_kind_is_found_at_its_place_with_the_others() {
    let text = RECORD
        .replacen("\"product\"", "\"products\"", 1)
        .replacen("\"1034567849\"", "1034567849", 1)
        .replacen(
            "\"footer\": {\"text\": \"Reply STOP to opt out.\"}",
            "\"footer\": {}",
            1,
        )
        .replacen("\"to\": \"9", "\"to\": \"09", 1);
    let found = check(&text).expect("the patch path applies");
    let placed: Vec<(Rule, &str)> = found
        .iter()
        .map(|f| (f.rule, &text[f.span.clone()]))
        .collect();
    assert_eq!(
        placed,
        [
            (Rule::Phone, "0919876543210"),
            (Rule::Constant, "\"products\""),
            (Rule::Missing, "{"),
            (Rule::Type, "1034567849"),
        ]
    );
    // Too short to hold the allowed value: the slow path's.
    assert_eq!(check(&RECORD.replacen("\"product\"", "\"p\"", 1)), None);
}

/// Numbers past `1e300` that `f64` still holds (the typed parse takes them) are the slow
/// path's to name, written short or long enough to hold a constant.
#[test]
fn huge_numbers_are_the_slow_path_s() {
    for (from, to) in [
        ("\"1034567849\"", "1e301"),
        ("\"1034567849\"", "-2.5E305"),
        ("\"product\"", "100000e296"),
        ("\"individual\"", "1000000000e292"),
    ] {
        let text = RECORD.replacen(from, to, 1);
        assert_eq!(check(&text), None, "{text}");
        let slow = slow_path(text.as_bytes(), Some(&text));
        assert!(
            slow.iter()
                .any(|f| f.message.ends_with("a number too large to represent")),
            "{slow:?}"
        );
    }
}

/// What would cost more patches (a parse of the whole copy each) than the slow path costs
/// takes the slow path: a missing object (a record of `{}` would need nine), more than
/// [`MAX_PATCHES`] problems.
#[test]
fn patches_are_few() {
    assert_eq!(check("{}"), None);
    assert_eq!(check(r#"{"messaging_object": {}}"#), None);
    let mut text = RECORD.to_owned();
    for pointer in &CONSTANTS[..MAX_PATCHES] {
        let tree: Value = serde_json::from_str(&text).unwrap();
        let value = tree.pointer(pointer).unwrap().as_str().unwrap();
        text = text.replacen(&format!("\"{value}\""), &format!("\"{value}!\""), 1);
    }
    assert!(check(&text).is_some());
    let text = text.replacen("\"1034567849\"", "1034567849", 1);
    assert_eq!(check(&text), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Whatever a few edits do to a record with a wrong constant, a number for a text and a
    /// missing member, the patch path gives the slow path's findings, or leaves the document
    /// to it.
    #[test]
    fn the_patch_path_is_the_slow_path_or_nothing(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(vec![
                "\"", "\\", ",", ":", "{", "}", "[", " ", "0", "1e400", "1e301", "null", "\\u0074",
                "\\ud800", "é", "\"products\"", "\"PRODUCT\"", "\"zz\": 1", "{}",
            ]), 0..3usize),
            1..4,
        ),
    ) {
        let mut text = RECORD
            .replacen("\"individual\"", "\"Individual\"", 1)
            .replacen("\"SKU-RUN-0042\"", "42", 1)
            .replacen("\"body\": {\"text\": \"Hi Priya, the shoes are back.\"}", "\"body\": {}", 1);
        edit(&mut text, &edits);
        if let Some(found) = check(&text) {
            prop_assert_eq!(found, slow_path(text.as_bytes(), Some(&text)), "{}", text);
        }
    }
}
