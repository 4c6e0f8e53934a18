//! Syntax errors: the member being parsed, and the shortcut against the slow path.

use super::*;

/// The pointer `serde_path_to_error` gives for the error of parsing `bytes` as a `Value`
/// (which has no data errors: the error is the syntax error).
fn tracked(bytes: &[u8]) -> Option<(String, JsonError)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let error = match serde_path_to_error::deserialize::<_, Value>(&mut de) {
        // Trailing characters: after the document, at the top level.
        Ok(_) => {
            return de
                .end()
                .err()
                .map(|e| (String::new(), JsonError::new(bytes, &e)));
        }
        Err(error) => error,
    };
    let mut pointer = String::new();
    for segment in error.path().iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => {
                kaleyra_wa::pointer::push_token(&mut pointer, &index.to_string())
            }
            serde_path_to_error::Segment::Map { key } => {
                kaleyra_wa::pointer::push_token(&mut pointer, key)
            }
            _ => {}
        }
    }
    Some((pointer, JsonError::new(bytes, error.inner())))
}

/// Every text one edit away from `document`: each prefix, each byte deleted, and a stray
/// byte inserted at each place.
fn one_edit_away(document: &[u8]) -> Vec<Vec<u8>> {
    let mut texts: Vec<Vec<u8>> = Vec::new();
    for at in 0..=document.len() {
        texts.push(document[..at].to_vec());
        if at < document.len() {
            let mut deleted = document.to_vec();
            deleted.remove(at);
            texts.push(deleted);
        }
        for stray in [
            b'x', b'"', b',', b'}', b']', b'1', b'0', b'\n', b'\\', b':', b'-',
        ] {
            let mut inserted = document.to_vec();
            inserted.insert(at, stray);
            texts.push(inserted);
        }
    }
    texts
}

/// `member_at` agrees with a path-tracking parse on every text one edit away from a
/// document with nested objects, arrays, escapes and every kind of scalar: each prefix,
/// each byte deleted, and a stray byte inserted at each place.
#[test]
fn the_member_being_parsed_is_the_one_a_tracking_parser_names() {
    let document = br#"{"a": {"b\"/~": [1, {"c": [true, "x\\"]}, -2.5e3, 0], "d": null},
        "e": [[], {}], "f": "g", "h": -0.5}"#;
    let mut checked = 0;
    for text in &one_edit_away(document) {
        let Some((expected, error)) = tracked(text) else {
            continue;
        };
        let read = match error.kind() {
            JsonErrorKind::Eof => text.len(),
            _ => error.offset(),
        };
        assert_eq!(
            member_at(&text[..read], text.get(read).copied()),
            expected,
            "{:?} ({})",
            String::from_utf8_lossy(text),
            error.message()
        );
        checked += 1;
    }
    assert!(checked > 500, "{checked} texts checked");
}

/// The shortcut finds what the slow path finds on every text one edit away from a record,
/// compact and pretty, whose typed parse stops at a syntax error.
#[test]
fn the_syntax_shortcut_is_the_slow_path_where_it_applies() {
    let compact = super::super::testing::RECORD;
    let tree: Value = serde_json::from_str(compact).unwrap();
    let pretty = serde_json::to_string_pretty(&tree).unwrap();
    let mut shortcuts = 0;
    for document in [compact, &pretty] {
        for text in one_edit_away(document.as_bytes()) {
            let text = String::from_utf8(text).expect("edits of ASCII text");
            let Err(error) = serde_json::from_str::<kaleyra_wa::SendRequest>(&text) else {
                continue;
            };
            if let Some(finding) = syntax_error(text.as_bytes(), &error) {
                let slow = super::super::slow_path(text.as_bytes(), Some(&text));
                assert_eq!(vec![finding], slow, "{text}");
                shortcuts += 1;
            }
        }
    }
    assert!(shortcuts > 3000, "{shortcuts} texts took the shortcut");
}

/// Where the slow path says more than the syntax error, the shortcut leaves it the document:
/// after a byte order mark, past a number too large for `f64` (the slow path parses on and
/// names it), however the typed parse stopped.
#[test]
fn the_syntax_shortcut_leaves_what_the_slow_path_says_more_of() {
    let record = super::super::testing::RECORD;
    let texts = [
        format!("\u{feff}{record}"),
        format!("\u{feff}{}", &record[1..]),
        record.replacen("\"919876543210,919876543211\"", "1e400", 1),
        record.replacen("\"919876543210,919876543211\"", "1e400 x", 1),
    ];
    for text in texts {
        let error = serde_json::from_str::<kaleyra_wa::SendRequest>(&text).unwrap_err();
        assert_eq!(syntax_error(text.as_bytes(), &error), None, "{text}");
    }
}
