//! Documents whose structural problems are only members the request does not define (a
//! misspelt key, a member of another API): every finding, without the slow path.
//!
//! The typed parse stops at the first unknown member. The request schema names the members
//! each object may hold ([`subschema_at`]); every other member of a closed object is reported
//! as unknown and replaced by spaces in a copy of the text, with its comma, so that every
//! byte stays where it was. If the copy is a request, the core's report on it is every other
//! finding there is, placed in the original text as on the typed path. Anything else
//! (`None`) goes to the slow path, which finds the same (a test compares the two).

use std::ops::Range;

use kaleyra_wa::{ForbiddenMembers, Interactive, Rule, SendRequest};
use serde_json::Value;

use super::schema::{subschema_at, unknown_member};
use super::{DocFinding, duplicates, placed};
use crate::locate::{Member, Spans};

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

/// The findings of `text`, if its only structural problems are unknown members.
pub(super) fn check(text: &str) -> Option<Vec<DocFinding>> {
    let tree = Spans::new(text)?;
    // Nesting past the limit is the slow path's finding (the typed parse of the rest would
    // not see it inside a removed member).
    if tree.depth() > kaleyra_wa::limits::MAX_DEPTH {
        return None;
    }
    let unknown = unknown_members(&tree)?;
    if unknown.is_empty() {
        return None;
    }
    let mut without = text.as_bytes().to_vec();
    for (_, member) in &unknown {
        // The span scan follows the structure only: the tokens it skipped inside a member
        // are parsed here as the slow path parses them (strings with their escapes, numbers;
        // `IgnoredAny` would let a lone surrogate through), the typed parse checks the rest.
        let key = member.node.key_or_value();
        serde_json::from_str::<String>(&text[key.clone()]).ok()?;
        serde_json::from_str::<Value>(member.node.value_text()).ok()?;
        blank(&mut without, key.start..member.node.value().end);
    }
    // Whole characters were replaced by spaces: the copy is UTF-8 as the text is.
    let without = simdutf8::basic::from_utf8(&without).ok()?;
    let request = serde_json::from_str::<SendRequest>(without).ok()?;
    let mut out: Vec<DocFinding> = request
        .validate()
        .violations()
        .iter()
        .map(|violation| placed(violation.clone(), &|pointer| tree.lookup(pointer)))
        .collect();
    for (object, member) in &unknown {
        out.push(unknown_member(object, &member.name, &tree));
    }
    duplicates(&tree, &mut out);
    out.sort_by_key(|f| (f.span.start, f.rule));
    // A name twice in one object is one finding, at the member a parser keeps (the last), as
    // the schema reports it.
    out.dedup();
    Some(out)
}

/// The members the schema does not allow where they are, with their object's pointer, in
/// document order. `None` if the root is not an object.
fn unknown_members<'t>(tree: &Spans<'t>) -> Option<Vec<(String, Member<'t>)>> {
    let mut unknown = Vec::new();
    let root = tree.lookup("")?;
    root.value_text().starts_with('{').then_some(())?;
    let mut objects = vec![(root, String::new())];
    while let Some((object, pointer)) = objects.pop() {
        let Some(schema) = subschema_at(&pointer) else {
            continue;
        };
        let properties = schema.get("properties").and_then(Value::as_object);
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for member in tree.members(&object) {
            if properties.is_some_and(|p| p.contains_key(member.name.as_ref())) {
                if member.node.value_text().starts_with('{') {
                    let mut member_pointer = pointer.clone();
                    kaleyra_wa::pointer::push_token(&mut member_pointer, &member.name);
                    objects.push((member.node, member_pointer));
                }
            } else if closed {
                unknown.push((pointer.clone(), member));
            }
        }
    }
    unknown.sort_by_key(|(_, member)| member.node.key_or_value().start);
    Some(unknown)
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
mod tests {
    use super::super::{check_document, slow_path};
    use super::*;

    const RECORD: &str = r#"{"messaging_object": {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "919876543210,919876543211", "type": "interactive", "interactive": {"type": "product", "body": {"text": "Hi Priya, the shoes are back."}, "footer": {"text": "Reply STOP to opt out."}, "action": {"catalog_id": "1034567849", "product_retailer_id": "SKU-RUN-0042"}}}, "extra_info": {"ref": "crm-000123", "ref1": "campaign", "wa_source": "api"}}"#;

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

    /// The unknown-member path gives what the slow path gives, wherever the unknown members
    /// are (first, last, two, a duplicate, an escaped name, a nested object, a near miss),
    /// whatever else is wrong, compact or one member per line; the path is taken whenever
    /// unknown members are the only structural problem, and never hides what the slow path
    /// finds in what it removes (a syntax error, a lone surrogate, a number past `f64`,
    /// nesting past the limit).
    #[test]
    fn unknown_members_are_found_as_the_slow_path_finds_them() {
        let members = [
            r#""catalogue_id": "1""#,
            r#""zz": {"a": [1, {"b": null}]}"#,
            r#""z\u007a": true"#,
        ];
        let mut fast = 0;
        let mut compared = 0;
        for pointer in OBJECTS {
            let mut texts = Vec::new();
            for member in members {
                for at_end in [false, true] {
                    texts.push((insert(RECORD, pointer, member, at_end), true));
                }
                let twice = insert(RECORD, pointer, member, false);
                texts.push((insert(&twice, pointer, member, true), true));
            }
            let two = insert(RECORD, pointer, members[0], true);
            texts.push((insert(&two, pointer, members[1], true), true));
            // What the removed members hold is checked: not JSON, or a number past f64.
            texts.push((insert(RECORD, pointer, r#""zz": tru"#, false), false));
            texts.push((insert(RECORD, pointer, r#""zz": "a\qb""#, true), false));
            texts.push((insert(RECORD, pointer, r#""zz": 1e400"#, true), false));
            texts.push((insert(RECORD, pointer, r#""zz": "\udc00""#, true), false));
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
        assert!(fast >= 7 * 8 * 5 * 2, "{fast} of {compared}");
    }
}
