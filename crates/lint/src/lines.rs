//! Byte offsets to lines and columns in Unicode code points, at a cost that does not grow with
//! the line.

use std::cell::{Cell, OnceCell};
use std::ops::Range;

/// Line starts of a text, for turning byte offsets into lines and columns.
///
/// Columns count code points from the line start. So that a position costs the same on a
/// 10 MB line as on a short one (many findings on one line must not cost the square of its
/// length), the index also keeps the number of code points before every 256-byte
/// block: a position counts at most one block's bytes. A document with a finding or two does
/// not pay for the index: its first [`DIRECT`] queries (a finding's places and excerpt take
/// up to 7) are counted from the text, each at a cost linear in the text.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a [u8],
    /// Positions counted without the index so far.
    direct: Cell<usize>,
    index: OnceCell<Index>,
}

#[derive(Clone, Debug)]
struct Index {
    starts: Vec<usize>,
    /// Code points before block `i` (bytes `i * BLOCK..`).
    blocks: Vec<usize>,
}

/// Bytes per code-point checkpoint of a [`LineIndex`].
const BLOCK: usize = 256;
/// Queries a [`LineIndex`] answers from the text before it builds its index: the places and
/// the excerpt of a finding.
const DIRECT: usize = 8;

impl<'a> LineIndex<'a> {
    /// Indexes `text` (lazily).
    pub fn new(text: &'a [u8]) -> Self {
        LineIndex {
            text,
            direct: Cell::new(0),
            index: OnceCell::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let text = self.text;
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
            let mut blocks = Vec::with_capacity(text.len() / BLOCK + 1);
            let mut before = 0;
            for block in text.chunks(BLOCK) {
                blocks.push(before);
                before += code_points(block);
            }
            // The end of a text whose length is a whole number of blocks starts a block of
            // its own: its checkpoint is every code point.
            if text.len().is_multiple_of(BLOCK) {
                blocks.push(before);
            }
            Index { starts, blocks }
        })
    }

    /// Code points in `text[..offset]`.
    fn code_points_before(&self, index: &Index, offset: usize) -> usize {
        let block = offset / BLOCK;
        index.blocks.get(block).copied().unwrap_or(0)
            + code_points(&self.text[block * BLOCK..offset])
    }

    /// 1-based line and 1-based column in Unicode code points of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        if self.counts_directly() {
            let before = &self.text[..offset];
            // One pass finds the line and where it starts.
            let (mut line, mut line_start) = (1, 0);
            for newline in memchr::memchr_iter(b'\n', before) {
                (line, line_start) = (line + 1, newline + 1);
            }
            return (line, 1 + code_points(&before[line_start..]));
        }
        let index = self.index();
        let line = index.starts.partition_point(|start| *start <= offset) - 1;
        let column = self.code_points_before(index, offset)
            - self.code_points_before(index, index.starts[line]);
        (line + 1, column + 1)
    }

    /// The byte range of the line that holds byte `offset`, without its line break.
    pub fn line_range(&self, offset: usize) -> Range<usize> {
        let text = self.text;
        let offset = offset.min(text.len());
        let (start, mut end) = if self.counts_directly() {
            let start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &text[offset..]).map_or(text.len(), |i| offset + i);
            (start, end)
        } else {
            let starts = &self.index().starts;
            let line = starts.partition_point(|start| *start <= offset);
            let end = starts.get(line).map_or(text.len(), |next| next - 1);
            (starts[line - 1], end)
        };
        if end > start && text[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// Whether this query is counted from the text rather than the index (one of the first
    /// [`DIRECT`], while the index is not built).
    fn counts_directly(&self) -> bool {
        let direct = self.direct.get() < DIRECT && self.index.get().is_none();
        if direct {
            self.direct.set(self.direct.get() + 1);
        }
        direct
    }
}

/// Code points in UTF-8 bytes (stray continuation bytes count none).
fn code_points(bytes: &[u8]) -> usize {
    // Payloads are mostly ASCII, which `is_ascii` checks a word at a time.
    if bytes.is_ascii() {
        return bytes.len();
    }
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The core's `line_column` (one place, linear) and this index (many places, from
    /// checkpoints) are one computation: they agree on every character of mixed text.
    #[test]
    fn positions_agree_with_the_core() {
        let line = "é中😀 ascii\u{202e}\t".repeat(40);
        agrees_with_the_core(&format!("{line}\r\n\n{line}\n"));
    }

    /// The index (one shared by every place: its first places are counted directly, the
    /// others from the index), a fresh index for each place (counted directly), and the core's
    /// `line_column` agree at every character of `text` and at its end; so do their line
    /// ranges and the line's bytes as `str` splits them.
    fn agrees_with_the_core(text: &str) {
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let core = kaleyra_wa::line_column(bytes, offset);
            let context = format!("length {}, offset {offset}", text.len());
            assert_eq!(index.position(offset), core, "{context}");
            assert_eq!(LineIndex::new(bytes).position(offset), core, "{context}");
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
            let line = text[start..end]
                .strip_suffix('\r')
                .unwrap_or(&text[start..end]);
            let expected = start..start + line.len();
            assert_eq!(index.line_range(offset), expected, "{context}");
            assert_eq!(
                LineIndex::new(bytes).line_range(offset),
                expected,
                "{context}"
            );
        }
    }

    /// At every length around whole blocks (the end of a text of 256 bytes is the start of a
    /// block with no bytes), every place agrees with the core, the end included.
    #[test]
    fn positions_agree_at_every_length_around_whole_blocks() {
        for len in [0, 1, 255, 256, 257, 511, 512, 513, 768] {
            let mut text = String::new();
            for c in "ab\né".chars().cycle() {
                if text.len() + c.len_utf8() > len {
                    break;
                }
                text.push(c);
            }
            agrees_with_the_core(&text);
        }
        // A text of exactly one block of one-byte characters, placed at its end.
        let text = "x".repeat(256);
        assert_eq!(LineIndex::new(text.as_bytes()).position(256), (1, 257));
    }

    #[test]
    fn positions_count_code_points() {
        let text = "{\n  \"é😀\": 1,\r\n  \"b\": 2\n}".as_bytes();
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        let colon = text.iter().position(|b| *b == b':').unwrap();
        assert_eq!(index.position(colon), (2, 7));
        assert_eq!(&text[index.line_range(colon)], "  \"é😀\": 1,".as_bytes());
        assert_eq!(index.position(text.len()), (4, 2));
    }

    #[test]
    fn positions_across_checkpoint_blocks_match_a_direct_count() {
        let line = "aé😀\"".repeat(100);
        let text = format!("{line}\n{line}\r\n{line}");
        let index = LineIndex::new(text.as_bytes());
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let expected = (
                text[..offset].matches('\n').count() + 1,
                text[line_start..offset].chars().count() + 1,
            );
            assert_eq!(index.position(offset), expected, "offset {offset}");
        }
    }
}
