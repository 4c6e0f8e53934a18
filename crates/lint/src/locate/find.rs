//! One place without an index: a scan that follows a pointer and skips everything else.
//!
//! A document with a few findings needs a few places; [`Spans::new`](super::Spans::new)
//! records every value of the document to give them. [`find`] costs one pass over the text per
//! place, with no allocation: cheaper for a few places, linear for a bounded number of them.

use std::ops::Range;

use super::{Node, scalar_end, string_end, unescape, whitespace};

/// The node at `pointer` in `text`, a JSON text that `serde_json` accepted and that has no
/// duplicate key on the way (its callers place the core's violations, at members the request
/// names, in a text the core parsed, or parsed once its unknown members were removed: the
/// typed parse rejects a member named twice), as [`Spans::lookup`](super::Spans::lookup) finds it (a test compares the
/// two on every value of several documents). The scan stops at each member it looks for: a
/// place costs the text before it.
pub fn find<'t>(text: &'t str, pointer: &str) -> Option<Node<'t>> {
    let bytes = text.as_bytes();
    let mut key: Option<Range<usize>> = None;
    let mut at = whitespace(bytes, 0);
    for token in kaleyra_wa::pointer::tokens(pointer) {
        let (member, value) = match bytes.get(at)? {
            b'{' => member(text, at, &token)?,
            b'[' => (None, element(bytes, at, token.parse().ok()?)?),
            _ => return None,
        };
        key = member;
        at = value;
    }
    Some(Node {
        text,
        key,
        value: at..value_end(bytes, at)?,
    })
}

/// The key span and value start of the member named `name` of the object at `at`.
fn member(text: &str, at: usize, name: &str) -> Option<(Option<Range<usize>>, usize)> {
    let bytes = text.as_bytes();
    let mut pos = whitespace(bytes, at + 1);
    if bytes.get(pos) == Some(&b'}') {
        return None;
    }
    loop {
        let key_end = string_end(bytes, pos)?;
        let colon = whitespace(bytes, key_end);
        let value = whitespace(bytes, colon + 1);
        // A key's span starts and ends at quotes, so at char boundaries.
        if unescape(text.get(pos..key_end)?) == name {
            return Some((Some(pos..key_end), value));
        }
        pos = whitespace(bytes, value_end(bytes, value)?);
        match bytes.get(pos)? {
            b',' => pos = whitespace(bytes, pos + 1),
            _ => return None,
        }
    }
}

/// Where element `index` of the array at `at` starts.
fn element(bytes: &[u8], at: usize, index: usize) -> Option<usize> {
    let mut pos = whitespace(bytes, at + 1);
    if bytes.get(pos) == Some(&b']') {
        return None;
    }
    for _ in 0..index {
        pos = whitespace(bytes, value_end(bytes, pos)?);
        match bytes.get(pos)? {
            b',' => pos = whitespace(bytes, pos + 1),
            _ => return None,
        }
    }
    Some(pos)
}

/// How deep arrays and objects nest in `value` (0 for a scalar), a JSON value.
pub fn nesting(value: &[u8]) -> usize {
    let (mut depth, mut deepest, mut pos) = (0usize, 0, 0);
    while let Some(byte) = value.get(pos) {
        match byte {
            b'"' => {
                pos = string_end(value, pos).unwrap_or(value.len());
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        pos += 1;
    }
    deepest
}

/// The opening quote of the string literal whose closing quote is at `close`: inside a
/// literal every quote is escaped, so it is the first quote before `close` that follows an
/// even number of backslashes.
pub fn string_start(bytes: &[u8], close: usize) -> Option<usize> {
    let mut open = close;
    loop {
        open = memchr::memrchr(b'"', bytes.get(..open)?)?;
        let backslashes = bytes[..open]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(open);
        }
    }
}

/// One past the end of the value starting at `at`.
pub fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => {
            // Brackets outside strings, counted; strings skipped whole.
            let mut depth = 0usize;
            let mut pos = at;
            while let Some(byte) = bytes.get(pos) {
                match byte {
                    b'"' => {
                        pos = string_end(bytes, pos)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(pos + 1);
                        }
                    }
                    _ => {}
                }
                pos += 1;
            }
            None
        }
        _ => Some(scalar_end(bytes, at)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Spans;
    use super::*;

    /// `find` and the index give the same key and value spans at every value of documents
    /// with nested objects and arrays, escaped keys, a key as its object's, empty
    /// containers, brackets inside strings, and any whitespace; and neither finds what is
    /// not there.
    #[test]
    fn find_agrees_with_the_index_everywhere() {
        let documents = [
            r#"{"a": [1, {"b\u0022c": "x]}\"y", "": {}}, []], "d/e": -1.5e3 ,"é":"é", "f": {"g": [[], [true, null, {"h~": "}"}]]}}"#,
            "\r\n {\n  \"a\" : { \"a\" : [ 0 , \"[{\" ] } ,\n  \"c\" : { \"b\" : 1 }\n }\t",
            r#"[{"x": 1}, [2, [3]], "4"]"#,
        ];
        for text in documents {
            let spans = Spans::new(text).unwrap();
            let mut checked = 0;
            for index in 0..spans.entries.len() {
                let pointer = spans.pointer(index);
                let mut pointers = vec![
                    pointer.clone(),
                    format!("{pointer}/zz"),
                    format!("{pointer}/9"),
                ];
                pointers.push(format!("{pointer}/0"));
                for pointer in pointers {
                    let by_index = spans.lookup(&pointer).map(|n| (n.key, n.value));
                    let by_scan = find(text, &pointer).map(|n| (n.key, n.value));
                    assert_eq!(by_scan, by_index, "{pointer:?} in {text:?}");
                    checked += 1;
                }
            }
            assert!(checked > 12, "{checked}");
        }
    }
}
