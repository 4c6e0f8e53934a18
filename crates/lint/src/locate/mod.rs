//! Places: from a JSON pointer to a byte span in the source.
//!
//! [`Spans`] is a span index built by one scan over text that `serde_json` has already
//! accepted: the scanner need not validate anything (the grammar is known to hold), so it only
//! follows the structure, skipping string contents with `memchr`. It records where every
//! value (and every member's key) is, and the duplicate keys of each object, which a parser
//! building a map cannot report.

mod find;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

pub use find::{find, nesting, string_start, value_end};

/// No node (the root's parent).
const NONE: usize = usize::MAX;

/// One value of the document, in document order (pre-order: a container comes before its
/// members or elements).
#[derive(Clone, Debug)]
struct Entry {
    /// The member's key, quotes included; `None` for an array element or the root.
    key: Option<Range<usize>>,
    /// The value's text: a whole object or array with its brackets, a string with its quotes.
    value: Range<usize>,
    /// One past the last entry of this value's subtree: its first child (if any) is the next
    /// entry, and each child's `end` is the index of its next sibling.
    end: usize,
    /// The container holding this value ([`NONE`] for the root).
    parent: usize,
}

/// Spans of every value and key of a JSON text, and its duplicate keys.
#[derive(Clone, Debug)]
pub struct Spans<'t> {
    text: &'t str,
    entries: Vec<Entry>,
    /// (first, second) entries of each duplicate key, the second being a later member of the
    /// same object with the same (unescaped) name.
    duplicates: Vec<(usize, usize)>,
    /// The children of every container with more than [`FEW`] of them, by container entry:
    /// a lookup in a large object or array costs no scan of its members.
    large: HashMap<usize, Children<'t>>,
}

/// Containers with at most this many members are searched member by member.
const FEW: usize = 16;

/// The children of a large container.
#[derive(Clone, Debug, Default)]
struct Children<'t> {
    /// Entries, in document order.
    entries: Vec<usize>,
    /// For an object: each unescaped key's last entry (the one `serde_json` keeps).
    by_name: HashMap<Cow<'t, str>, usize>,
}

/// A duplicate key found by [`Spans::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// JSON pointer of the member.
    pub pointer: String,
    /// The key, unescaped.
    pub name: String,
    /// The first occurrence's key, quotes included.
    pub first: Range<usize>,
    /// The later occurrence's key, quotes included.
    pub second: Range<usize>,
}

/// A member or element found in the span index.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    text: &'a str,
    key: Option<Range<usize>>,
    value: Range<usize>,
}

impl<'a> Node<'a> {
    /// The span of the member's key (with its quotes) if it is a member, else of the value.
    pub fn key_or_value(&self) -> Range<usize> {
        self.key.clone().unwrap_or_else(|| self.value())
    }

    /// The span of the value.
    pub fn value(&self) -> Range<usize> {
        self.value.clone()
    }

    /// The value's text.
    pub fn value_text(&self) -> &'a str {
        self.text.get(self.value.clone()).unwrap_or_default()
    }

    /// The span of the value's first character (an object's `{`).
    pub fn opening(&self) -> Range<usize> {
        self.value.start..self.value.start + 1
    }

    /// The span in the text of `range`, a byte range of the string value's unescaped text
    /// (at character boundaries): each escape stands for the character it decodes to.
    /// `None` if the value is not a string literal or `range` is past its end. One scan of
    /// the literal, up to the range's end.
    pub fn span_in_string(&self, range: Range<usize>) -> Option<Range<usize>> {
        let literal = self.text.as_bytes().get(self.value.clone())?;
        if literal.first() != Some(&b'"') {
            return None;
        }
        // `at`: an offset in the literal; `unescaped`: the same place in the unescaped text.
        let (mut at, mut unescaped) = (1, 0);
        let mut start = None;
        loop {
            if unescaped == range.start && start.is_none() {
                start = Some(at);
            }
            if unescaped == range.end {
                return Some(self.value.start + start?..self.value.start + at);
            }
            let (read, wrote) = match literal.get(at..)? {
                [b'"', ..] => return None,
                [b'\\', b'u', rest @ ..] => {
                    let unit = hex4(rest)?;
                    let pair = (0xD800..0xDC00).contains(&unit)
                        && rest.get(4..6) == Some(b"\\u")
                        && rest
                            .get(6..10)
                            .and_then(hex4)
                            .is_some_and(|low| (0xDC00..0xE000).contains(&low));
                    match (pair, char::from_u32(unit)) {
                        (true, _) => (12, 4),
                        (false, Some(c)) => (6, c.len_utf8()),
                        (false, None) => return None,
                    }
                }
                [b'\\', _, ..] => (2, 1),
                [first, ..] => {
                    let len = match first {
                        0xF0.. => 4,
                        0xE0.. => 3,
                        0xC0.. => 2,
                        _ => 1,
                    };
                    (len, len)
                }
                [] => return None,
            };
            at += read;
            unescaped += wrote;
        }
    }

    /// Where the string value's text starts, when the value is a string literal without
    /// escapes (so a byte range in the unescaped string is that range from there); `None`
    /// otherwise (ranges in the unescaped string then differ from the literal's).
    pub fn plain_string_start(&self) -> Option<usize> {
        let literal = &self.text.as_bytes()[self.value.clone()];
        (literal.first() == Some(&b'"') && memchr::memchr(b'\\', literal).is_none())
            .then_some(self.value.start + 1)
    }
}

impl<'t> Spans<'t> {
    /// Indexes `text`, a JSON text that `serde_json` accepted. `None` if the scan meets
    /// something JSON does not allow, which such a text cannot hold: the caller reports it.
    pub fn new(text: &'t str) -> Option<Self> {
        let mut scan = Scan {
            text,
            bytes: text.as_bytes(),
            entries: Vec::with_capacity(64),
            duplicates: Vec::new(),
            children: Vec::new(),
            large: HashMap::new(),
        };
        scan.document()?;
        Some(Spans {
            text,
            entries: scan.entries,
            duplicates: scan.duplicates,
            large: scan.large,
        })
    }

    /// The node at `pointer`; for a duplicated key, the last one (as `serde_json` keeps it).
    pub fn lookup(&self, pointer: &str) -> Option<Node<'t>> {
        let mut current = 0;
        self.entries.first()?;
        for token in kaleyra_wa::pointer::tokens(pointer) {
            let entry = &self.entries[current];
            let large = self.large.get(&current);
            current = match (self.text.as_bytes().get(entry.value.start)?, large) {
                (b'{', Some(large)) => *large.by_name.get(token.as_ref())?,
                (b'{', None) => self
                    .children(current)
                    .filter(|child| self.key_is(*child, &token))
                    .last()?,
                (b'[', Some(large)) => *large.entries.get(token.parse::<usize>().ok()?)?,
                (b'[', None) => self.children(current).nth(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(self.node(current))
    }

    fn node(&self, index: usize) -> Node<'t> {
        let entry = &self.entries[index];
        Node {
            text: self.text,
            key: entry.key.clone(),
            value: entry.value.clone(),
        }
    }

    /// Every duplicate key, in document order of the later occurrence's object.
    pub fn duplicates(&self) -> impl Iterator<Item = Duplicate> + '_ {
        self.duplicates.iter().map(|&(first, second)| Duplicate {
            pointer: self.pointer(second),
            name: self.key_name(second).unwrap_or_default().into_owned(),
            first: self.entries[first].key.clone().unwrap_or_default(),
            second: self.entries[second].key.clone().unwrap_or_default(),
        })
    }

    /// The entries directly inside entry `index` (members or elements), in order.
    fn children(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.entries[index].end;
        let first = (index + 1 < end).then_some(index + 1);
        std::iter::successors(first, move |child| {
            let next = self.entries[*child].end;
            (next < end).then_some(next)
        })
    }

    /// Whether entry `index` is a member named `name`, unescaped; without unescaping a key
    /// that cannot be `name` (escapes only make a literal longer than its text).
    fn key_is(&self, index: usize, name: &str) -> bool {
        let Some(key) = self.entries[index].key.clone() else {
            return false;
        };
        // A key's span starts and ends at quotes, so at char boundaries.
        let raw = self
            .text
            .get(key.start + 1..key.end - 1)
            .unwrap_or_default();
        match raw.len().cmp(&name.len()) {
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => raw == name && !raw.contains('\\'),
            std::cmp::Ordering::Greater => raw.contains('\\') && unescape(&self.text[key]) == name,
        }
    }

    /// The unescaped key of entry `index`, if it is a member.
    fn key_name(&self, index: usize) -> Option<Cow<'t, str>> {
        let key = self.entries[index].key.clone()?;
        Some(unescape(&self.text[key]))
    }

    /// The JSON pointer of entry `index`.
    fn pointer(&self, index: usize) -> String {
        let mut tokens = Vec::new();
        let mut current = index;
        while let Some(entry) = self.entries.get(current)
            && entry.parent != NONE
        {
            let token = match self.key_name(current) {
                Some(name) => name.into_owned(),
                None => match self.large.get(&entry.parent) {
                    Some(large) => large.entries.binary_search(&current).unwrap_or_default(),
                    None => self
                        .children(entry.parent)
                        .position(|child| child == current)
                        .unwrap_or_default(),
                }
                .to_string(),
            };
            tokens.push(token);
            current = entry.parent;
        }
        let mut pointer = String::new();
        for token in tokens.iter().rev() {
            kaleyra_wa::pointer::push_token(&mut pointer, token);
        }
        pointer
    }
}

/// One past the closing quote of the string literal starting at `pos`.
pub fn string_end(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut at = pos + 1;
    loop {
        at += memchr::memchr2(b'"', b'\\', bytes.get(at..)?)?;
        if bytes[at] == b'"' {
            return Some(at + 1);
        }
        // A backslash escapes the next byte (`\uXXXX` goes on with hex digits).
        at += 2;
    }
}

/// One past the end of the number, `true`, `false` or `null` starting at `pos`: the next
/// delimiter (or the end).
pub fn scalar_end(bytes: &[u8], pos: usize) -> usize {
    bytes[pos..]
        .iter()
        .position(|b| matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n'))
        .map_or(bytes.len(), |n| pos + n)
}

/// The first position from `pos` on that is not JSON whitespace.
pub fn whitespace(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\r' | b'\n') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// The text of a string literal (quotes included), unescaped.
pub fn unescape(literal: &str) -> Cow<'_, str> {
    let inner = literal
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(literal);
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    // The literal was accepted by serde_json, so it decodes; should it not, keep it raw.
    serde_json::from_str::<String>(literal).map_or(Cow::Borrowed(inner), Cow::Owned)
}

/// The value of four hex digits at the start of `digits`.
fn hex4(digits: &[u8]) -> Option<u32> {
    let digits = std::str::from_utf8(digits.get(..4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// The scanner behind [`Spans::new`].
struct Scan<'t> {
    text: &'t str,
    bytes: &'t [u8],
    entries: Vec<Entry>,
    duplicates: Vec<(usize, usize)>,
    /// Scratch: the members of the container being closed.
    children: Vec<usize>,
    large: HashMap<usize, Children<'t>>,
}

impl Scan<'_> {
    /// Scans the one value of the document, with whitespace around it. Iterative, so that
    /// the depth of the document does not matter.
    fn document(&mut self) -> Option<()> {
        // The containers open around the current position.
        let mut open: Vec<usize> = Vec::new();
        let mut pos = self.whitespace(0);
        // The key of the member whose value comes next.
        let mut key = None;
        loop {
            // A value starts at `pos`.
            let parent = open.last().copied().unwrap_or(NONE);
            let index = self.entries.len();
            let start = pos;
            let mut closed_at = None;
            match *self.bytes.get(pos)? {
                opening @ (b'{' | b'[') => {
                    self.entries.push(Entry {
                        key: key.take(),
                        value: start..start,
                        end: NONE,
                        parent,
                    });
                    open.push(index);
                    pos = self.whitespace(pos + 1);
                    let closing = if opening == b'{' { b'}' } else { b']' };
                    if self.bytes.get(pos) == Some(&closing) {
                        // Empty: closed below, as any container.
                        closed_at = Some(pos);
                    } else {
                        if opening == b'{' {
                            let (next, member) = self.key(pos)?;
                            pos = next;
                            key = Some(member);
                        }
                        continue;
                    }
                }
                b'"' => {
                    pos = self.string_end(pos)?;
                    self.leaf(key.take(), start..pos, parent);
                }
                _ => {
                    // A number, `true`, `false` or `null`: up to the next delimiter.
                    pos = scalar_end(self.bytes, pos);
                    if pos == start {
                        return None;
                    }
                    self.leaf(key.take(), start..pos, parent);
                }
            }
            // After a value: close containers, or step over a comma to the next value.
            loop {
                let at = match closed_at.take() {
                    Some(at) => at,
                    None => {
                        pos = self.whitespace(pos);
                        let Some(&top) = open.last() else {
                            // The document's value is complete: only whitespace may follow.
                            return (pos == self.bytes.len()).then_some(());
                        };
                        match *self.bytes.get(pos)? {
                            b',' => {
                                pos = self.whitespace(pos + 1);
                                if self.bytes.get(self.entries[top].value.start) == Some(&b'{') {
                                    let (next, member) = self.key(pos)?;
                                    pos = next;
                                    key = Some(member);
                                }
                                break;
                            }
                            b'}' | b']' => pos,
                            _ => return None,
                        }
                    }
                };
                let top = open.pop()?;
                self.entries[top].value.end = at + 1;
                self.entries[top].end = self.entries.len();
                self.close(top, self.bytes[at] == b'}');
                pos = at + 1;
            }
        }
    }

    fn leaf(&mut self, key: Option<Range<usize>>, value: Range<usize>, parent: usize) {
        let index = self.entries.len();
        self.entries.push(Entry {
            key,
            value,
            end: index + 1,
            parent,
        });
    }

    /// A member's key at `pos` and the colon after it: the position of its value and the
    /// key's span.
    fn key(&self, pos: usize) -> Option<(usize, Range<usize>)> {
        if self.bytes.get(pos) != Some(&b'"') {
            return None;
        }
        let end = self.string_end(pos)?;
        let colon = self.whitespace(end);
        if self.bytes.get(colon) != Some(&b':') {
            return None;
        }
        Some((self.whitespace(colon + 1), pos..end))
    }

    fn string_end(&self, pos: usize) -> Option<usize> {
        string_end(self.bytes, pos)
    }

    fn whitespace(&self, pos: usize) -> usize {
        whitespace(self.bytes, pos)
    }

    /// Records the children of the container at entry `container` when it has many, and the
    /// duplicate keys of an object.
    fn close(&mut self, container: usize, is_object: bool) {
        let mut children = std::mem::take(&mut self.children);
        children.clear();
        let end = self.entries[container].end;
        let mut child = container + 1;
        while child < end {
            children.push(child);
            child = self.entries[child].end;
        }
        let text = self.text;
        let entries = &self.entries;
        // Every member has a key; its span starts and ends at quotes, so at char boundaries.
        let name = |index: usize| {
            let key = entries[index].key.clone().unwrap_or_default();
            unescape(text.get(key).unwrap_or_default())
        };
        if children.len() <= FEW {
            // Few members: compare each with the ones before.
            if is_object {
                for (i, &second) in children.iter().enumerate() {
                    let second_name = name(second);
                    if let Some(&first) = children[..i]
                        .iter()
                        .find(|first| name(**first) == second_name)
                    {
                        self.duplicates.push((first, second));
                    }
                }
            }
            self.children = children;
            return;
        }
        // Many: a map of names to their last member, which also finds the duplicates.
        let mut by_name = HashMap::new();
        if is_object {
            by_name.reserve(children.len());
            // Of three members with one name, each later one duplicates the first.
            let mut first_of = HashMap::new();
            for &child in &children {
                let key = name(child);
                match first_of.entry(key.clone()) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        self.duplicates.push((*first.get(), child))
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(child);
                    }
                }
                by_name.insert(key, child);
            }
        }
        self.large.insert(
            container,
            Children {
                entries: children.clone(),
                by_name,
            },
        );
        self.children = children;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every range of a string's unescaped text maps to the part of its literal that decodes
    /// to it, whatever the escapes (simple, `\u`, surrogate pairs) and multi-byte text.
    #[test]
    fn a_range_of_an_unescaped_string_maps_to_its_place_in_the_literal() {
        for literal in [
            r#""plain""#,
            r#""\u0031,1,\u00e9é,\"q\",\\,\n""#,
            r#""\ud83d\ude00x\u4e2d中\/""#,
            r#""""#,
        ] {
            let text = format!("{{\"to\": {literal}}}");
            let spans = Spans::new(&text).unwrap();
            let node = spans.lookup("/to").unwrap();
            let unescaped: String = serde_json::from_str(literal).unwrap();
            let bounds: Vec<usize> = (unescaped.char_indices().map(|(i, _)| i))
                .chain([unescaped.len()])
                .collect();
            for (i, &start) in bounds.iter().enumerate() {
                for &end in &bounds[i..] {
                    let span = node.span_in_string(start..end).unwrap();
                    let part: String =
                        serde_json::from_str(&format!("\"{}\"", &text[span])).unwrap();
                    assert_eq!(part, unescaped[start..end], "{literal} {start}..{end}");
                }
            }
            assert_eq!(node.span_in_string(0..unescaped.len() + 1), None);
        }
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = r#" {"a": [1, {"b\u0022c": "x\ny", "": {}}, []], "d/e": -1.5e3 ,"a":"é"} "#;
        let spans = Spans::new(text).unwrap();
        let span = |pointer: &str| {
            let node = spans.lookup(pointer).unwrap();
            (&text[node.key_or_value()], &text[node.value()])
        };
        assert_eq!(span(""), (text.trim(), text.trim()));
        // The last of two duplicate keys, as serde_json keeps it.
        assert_eq!(span("/a"), (r#""a""#, r#""é""#));
        assert_eq!(span("/d~1e"), (r#""d/e""#, "-1.5e3"));
        assert!(spans.lookup("/a/0").is_none());
        assert!(spans.lookup("/x").is_none());
        let duplicates: Vec<_> = spans.duplicates().collect();
        assert_eq!(duplicates.len(), 1);
        assert_eq!(duplicates[0].pointer, "/a");
        assert_eq!(&text[duplicates[0].first.clone()], r#""a""#);
        assert_eq!(&text[duplicates[0].second.clone()], r#""a""#);
        assert!(duplicates[0].first.start < duplicates[0].second.start);
    }

    /// Keys are compared unescaped: a literal with escapes is longer than its text, one of
    /// the same length as the name is equal to it only without escapes.
    #[test]
    fn keys_are_compared_unescaped() {
        let text = r#"{"a\u0062": 1, "ab": 2, "c\\": 3, "\u0063\\": 4, "é": 5}"#;
        let spans = Spans::new(text).unwrap();
        let value = |pointer: &str| spans.lookup(pointer).map(|n| n.value_text().to_owned());
        assert_eq!(value("/ab").as_deref(), Some("2"));
        // `"c\\"` is `c\`; the last of `c\` and `\u0063\\` (also `c\`) wins.
        assert_eq!(value("/c\\").as_deref(), Some("4"));
        assert_eq!(value("/c\\\\"), None);
        assert_eq!(value("/a\\u0062"), None);
        assert_eq!(value("/é").as_deref(), Some("5"));
    }

    #[test]
    fn spans_inside_arrays_and_escaped_keys() {
        let text = r#"[{"q\"": [true, null, "s"], "q\u0022": {}, "e": []}]"#;
        let spans = Spans::new(text).unwrap();
        let node = spans.lookup("/0/e").unwrap();
        assert_eq!(&text[node.value()], "[]");
        // `"q\""` and `"q\u0022"` are the same key once unescaped: the last one is kept.
        assert_eq!(&text[spans.lookup("/0/q\"").unwrap().value()], "{}");
        let duplicates: Vec<_> = spans.duplicates().collect();
        assert_eq!(duplicates.len(), 1);
        assert_eq!(duplicates[0].pointer, "/0/q\"");
        assert_eq!(duplicates[0].name, "q\"");
        // A part of a string: inside the quotes when there is no escape.
        let text = r#"{"to": "12,034"}"#;
        let node = Spans::new(text).unwrap().lookup("/to").unwrap();
        let start = node.plain_string_start().unwrap();
        assert_eq!(&text[start + 2..start + 5], ",03");
        let escaped = Spans::new(r#"{"to": "1\u0032"}"#)
            .unwrap()
            .lookup("/to")
            .unwrap();
        assert_eq!(escaped.plain_string_start(), None);
        let opening = node.opening();
        assert_eq!(&text[opening], "\"");
    }

    #[test]
    fn many_members_and_deep_nesting() {
        let members: Vec<String> = (0..40).map(|i| format!("\"k{}\": {i}", i % 30)).collect();
        let text = format!("{{{}}}", members.join(","));
        let spans = Spans::new(&text).unwrap();
        let duplicates: Vec<_> = spans.duplicates().collect();
        assert_eq!(duplicates.len(), 10);
        assert_eq!(duplicates[0].pointer, "/k0");
        assert_eq!(&text[spans.lookup("/k0").unwrap().value()], "30");
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(Spans::new(&deep).is_some());
        // Not JSON: the scanner says so rather than guess (serde_json rejects these first).
        for bad in ["", "{", "[1,", "{\"a\" 1}", "{} x", "\"abc", "{1: 2}"] {
            assert!(Spans::new(bad).is_none(), "{bad}");
        }
    }
}
