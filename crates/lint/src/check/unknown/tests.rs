//! The unknown-member path against the slow path.

use super::super::testing::{RECORD, edit, piece};
use super::super::{check_document, slow_path};
use super::*;

/// [`super::check`] as `check_document` calls it: after a typed parse that stopped at a
/// member the request does not define.
fn check(text: &str) -> Option<Vec<DocFinding>> {
    let error = serde_json::from_str::<SendRequest>(text).err()?;
    let error = kaleyra_wa::JsonError::new(text.as_bytes(), &error);
    may_apply(&error).then(|| super::check(text, &error))?
}

const OBJECTS: [&str; 7] = [
    "",
    "/messaging_object",
    "/messaging_object/interactive",
    "/messaging_object/interactive/body",
    "/messaging_object/interactive/footer",
    "/messaging_object/interactive/action",
    "/extra_info",
];

/// `text` with `member` inserted first (`at_end`: last) in the object at `pointer`.
fn insert(text: &str, pointer: &str, member: &str, at_end: bool) -> String {
    let tree = Spans::new(text).unwrap();
    let object = tree.lookup(pointer).unwrap().value();
    if at_end {
        let at = object.end - 1;
        format!("{}, {member}{}", &text[..at], &text[at..])
    } else {
        let at = object.start + 1;
        format!("{}{member}, {}", &text[..at], &text[at..])
    }
}

/// Other problems, each alone: none, value errors and warnings (which the core reports
/// on the text without the unknown members), and structural ones (the slow path's).
fn with_other_problems(text: &str) -> Vec<(String, bool)> {
    vec![
        (text.to_owned(), true),
        (text.replacen("\"to\": \"", "\"to\": \"0", 1), true),
        (text.replacen("Reply STOP", &"x".repeat(60), 1), true),
        (
            text.replacen("\"wa_source\": \"api\"", "\"wa_source\": \"web\"", 1),
            true,
        ),
        (text.replacen("crm-000123", &"r".repeat(80), 1), true),
        (
            text.replacen(
                "\"type\": \"product\", ",
                "\"header\": {}, \"type\": \"product\", ",
                1,
            ),
            false,
        ),
        (
            text.replacen("\"catalog_id\": \"1034567849\", ", "", 1),
            false,
        ),
        (
            text.replacen("\"ref1\": \"campaign\"", "\"ref1\": 7", 1),
            false,
        ),
    ]
}

/// Cases found in review: a name twice among the root's unknown members with many
/// unknown members of a child between them; two equal findings on a literal with escapes.
#[test]
fn reviewed_cases_agree_with_the_slow_path() {
    let many: Vec<String> = (0..17).map(|i| format!("\"x{i}\": 0")).collect();
    let texts = [
        insert(
            &insert(
                &insert(RECORD, "/extra_info", &many.join(", "), true),
                "",
                r#""zz": 1"#,
                false,
            ),
            "",
            r#""zz": 2"#,
            true,
        ),
        insert(
            &RECORD.replacen("\"to\": \"", "\"to\": \"\\u0030,0,", 1),
            "",
            r#""zz": 1"#,
            true,
        ),
        // The typed path too.
        RECORD.replacen("\"to\": \"", "\"to\": \"\\u0030,0,", 1),
    ];
    for text in texts {
        let expected = slow_path(text.as_bytes(), Some(&text));
        assert_eq!(check_document(text.as_bytes()), expected, "{text}");
        let found = check(&text);
        assert!(found.is_none() || found == Some(expected), "{text}");
    }
}

/// A member removed with its comma must not take a syntax error with it: a missing comma
/// after it, a trailing comma, a colon or a bracket where a comma should be.
#[test]
fn a_removed_member_does_not_hide_a_broken_separator() {
    for broken in [
        r#""zz": 1 "ref": "crm-000123","#,
        r#""zz": 1, }, "x": {"#,
        r#""zz": 1: "ref": "crm-000123","#,
        r#""zz": 1] "ref": "crm-000123","#,
        r#""zz": 1,, "ref": "crm-000123","#,
    ] {
        let text = RECORD.replacen(r#""ref": "crm-000123","#, broken, 1);
        assert_ne!(text, RECORD);
        let expected = slow_path(text.as_bytes(), Some(&text));
        assert_eq!(expected[0].rule, Rule::Syntax, "{text}");
        assert_eq!(check_document(text.as_bytes()), expected, "{text}");
        assert_eq!(check(&text), None, "{text}");
    }
}

/// The unknown-member path gives what the slow path gives, wherever the unknown members
/// are (first, last, two, twice, an escaped name, a nested object, a near miss),
/// whatever else is wrong, compact or one member per line; the path is taken whenever
/// unknown members are the only structural problem, and never hides what the slow path
/// finds in what it removes (a syntax error, a lone surrogate, a number past `f64`,
/// nesting past the limit, a duplicate key).
#[test]
fn unknown_members_are_found_as_the_slow_path_finds_them() {
    let members = [
        r#""catalogue_id": "1""#,
        r#""zz": {"a": [1, {"b": null}]}"#,
        r#""z\u007a": true"#,
        // Escaped quotes and backslashes in the key: where does it start?
        r#""q\"\\\"": 1"#,
    ];
    let mut fast = 0;
    let mut compared = 0;
    for pointer in OBJECTS {
        let mut texts = Vec::new();
        for member in members {
            for at_end in [false, true] {
                texts.push((insert(RECORD, pointer, member, at_end), true));
            }
            // Twice in one object: also a duplicate key, which the slow path reports.
            let twice = insert(RECORD, pointer, member, false);
            texts.push((insert(&twice, pointer, member, true), false));
        }
        let two = insert(RECORD, pointer, members[0], true);
        texts.push((insert(&two, pointer, members[1], true), true));
        // What the removed members hold is checked: not JSON, or a number past f64.
        texts.push((insert(RECORD, pointer, r#""zz": tru"#, false), false));
        texts.push((insert(RECORD, pointer, r#""zz": "a\qb""#, true), false));
        texts.push((insert(RECORD, pointer, r#""zz": 1e400"#, true), false));
        texts.push((insert(RECORD, pointer, r#""zz": "\udc00""#, true), false));
        texts.push((
            insert(RECORD, pointer, r#""zz": [{"a": 1, "a": 2}]"#, true),
            false,
        ));
        // Nesting: the whole document's, at the limit and one past it.
        let object_depth = pointer.matches('/').count() + 1;
        for total in [
            kaleyra_wa::limits::MAX_DEPTH,
            kaleyra_wa::limits::MAX_DEPTH + 1,
        ] {
            let levels = total - object_depth;
            let nested = format!("\"zz\": {}{}", "[".repeat(levels), "]".repeat(levels));
            let within = total <= kaleyra_wa::limits::MAX_DEPTH;
            texts.push((insert(RECORD, pointer, &nested, false), within));
        }
        for (text, unknown_only) in texts {
            for (text, others_typed) in with_other_problems(&text) {
                for text in [text.clone(), text.replace(", \"", ",\n    \"")] {
                    let expected = slow_path(text.as_bytes(), Some(&text));
                    assert_eq!(check_document(text.as_bytes()), expected, "{text}");
                    let found = check(&text);
                    if unknown_only && others_typed {
                        assert_eq!(found.as_ref(), Some(&expected), "{text}");
                        fast += 1;
                    } else {
                        assert!(found.is_none() || found == Some(expected), "{text}");
                    }
                    compared += 1;
                }
            }
        }
    }
    assert!(fast >= 7 * 7 * 5 * 2, "{fast} of {compared}");
}

mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// Whatever a few edits do to a record holding an unknown member, the unknown
        /// path gives the slow path's findings, or leaves the document to it.
        #[test]
        fn the_unknown_path_is_the_slow_path_or_nothing(
            object in prop::sample::select(OBJECTS.to_vec()),
            at_end in any::<bool>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), piece(&[]), 0..3usize), 1..4),
        ) {
            let mut text = insert(RECORD, object, r#""zz": {"a": [1, "b"]}"#, at_end);
            edit(&mut text, &edits);
            if let Some(found) = check(&text) {
                prop_assert_eq!(found, slow_path(text.as_bytes(), Some(&text)), "{}", text);
            }
        }
    }
}
