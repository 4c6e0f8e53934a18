//! Places: from a JSON pointer to a byte span in the source, and from a byte offset to a
//! line and a column in Unicode code points.

use std::ops::Range;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;

/// A member or element found in the span-aware tree.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    key: Option<Range<usize>>,
    value: &'a ast::Value<'a>,
}

impl<'a> Node<'a> {
    /// The span of the member's key (with its quotes) if it is a member, else of the value.
    pub fn key_or_value(&self) -> Range<usize> {
        self.key.clone().unwrap_or_else(|| self.value())
    }

    /// The span of the value.
    pub fn value(&self) -> Range<usize> {
        let range = self.value.range();
        range.start..range.end
    }

    /// The span of the value's first character (an object's `{`).
    pub fn opening(&self) -> Range<usize> {
        let start = self.value.range().start;
        start..start + 1
    }

    /// The span of `range` (a byte range in the unescaped string value) inside the string
    /// literal; the whole literal when the literal has escapes (the ranges then differ).
    pub fn string_part(&self, range: Range<usize>) -> Range<usize> {
        match self.value {
            ast::Value::StringLit(lit)
                if lit.range.end - lit.range.start == lit.value.len() + 2 =>
            {
                let start = lit.range.start + 1;
                start + range.start..start + range.end
            }
            _ => self.value(),
        }
    }
}

/// The node at `pointer`; for a duplicated key, the last one (as `serde_json` keeps it).
pub fn lookup<'a>(tree: &'a ast::Value<'a>, pointer: &str) -> Option<Node<'a>> {
    let mut node = Node {
        key: None,
        value: tree,
    };
    for token in kaleyra_wa::pointer::tokens(pointer) {
        node = match node.value {
            ast::Value::Object(object) => {
                let prop = object
                    .properties
                    .iter()
                    .rev()
                    .find(|p| p.name.as_str() == token)?;
                let key = prop.name.range();
                Node {
                    key: Some(key.start..key.end),
                    value: &prop.value,
                }
            }
            ast::Value::Array(array) => Node {
                key: None,
                value: array.elements.get(token.parse::<usize>().ok()?)?,
            },
            _ => return None,
        };
    }
    Some(node)
}

/// Line starts of a text, for turning byte offsets into lines and columns.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based line and 1-based column in Unicode code points of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|start| *start <= offset) - 1;
        let column = self.text[self.starts[line]..offset]
            .iter()
            .filter(|b| (**b & 0xC0) != 0x80)
            .count();
        (line + 1, column + 1)
    }

    /// The 1-based line's byte range, without its line break.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.starts[line - 1];
        let mut end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        if end > start && self.text[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_code_points() {
        let text = "{\n  \"é😀\": 1,\r\n  \"b\": 2\n}".as_bytes();
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        let colon = text.iter().position(|b| *b == b':').unwrap();
        assert_eq!(index.position(colon), (2, 7));
        assert_eq!(&text[index.line_range(2)], "  \"é😀\": 1,".as_bytes());
        assert_eq!(index.position(text.len()), (4, 2));
    }
}
