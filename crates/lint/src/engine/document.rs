//! One document: checked, its findings capped, placed (lines, code-point columns) and
//! excerpted, at a cost linear in its size.

use std::ops::Range;

use kaleyra_wa::{Rule, Severity};

use crate::check::{DocFinding, check_document, shown};
pub use crate::check::{MAX_PER_MEMBER, MAX_SHOWN};
use crate::fingerprint::value_hash;
use crate::lines::LineIndex;

use super::finding::whole_input;
use super::large::{Check, LARGE, check_large};
use super::{Finding, Options, Region, Snippet};

/// One document's findings, as [`lint_document`] returns them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// The findings shown, in place order: at most [`MAX_SHOWN`], and at most
    /// [`MAX_PER_MEMBER`] of one rule at one member (a `to` with a thousand bad recipients).
    pub findings: Vec<Finding>,
    /// What was found beyond those, counted.
    pub omitted: Option<Omitted>,
}

/// Findings of one document that were counted but not shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Omitted {
    /// The file.
    pub file: String,
    /// For JSON Lines, the record's line.
    pub record: Option<usize>,
    /// Errors not shown.
    pub errors: usize,
    /// Warnings not shown.
    pub warnings: usize,
}

/// Lints one document (a whole JSON file, or one JSON Lines record whose text starts on
/// `first_line`) and places its findings. Costs time and memory linear in the document's
/// size, whatever it holds: placing a finding costs at most its own excerpt.
///
/// A document over 16 KiB is checked on a thread of the library's, started on first use and
/// shared by every caller, one such document at a time (the caller waits): checking one takes
/// memory of up to about 150 times its size, paid once rather than once per caller.
pub fn lint_document(
    name: &str,
    record: Option<usize>,
    bytes: &[u8],
    first_line: usize,
    options: Options,
) -> Document {
    lint_checked(name, record, bytes, first_line, options, check_document)
}

/// [`lint_document`], with the check to run.
fn lint_checked(
    name: &str,
    record: Option<usize>,
    bytes: &[u8],
    first_line: usize,
    options: Options,
    check: Check,
) -> Document {
    // Large documents are checked one at a time, on one thread (see `large`).
    let checked = if bytes.len() > LARGE {
        check_large(bytes, check)
    } else {
        std::panic::catch_unwind(|| check(bytes))
    };
    // A panic in the checks (none is known; the fuzz targets look for them) costs this
    // document its findings, not the run: it is reported as an internal error.
    let mut found = match checked {
        Ok(found) => found,
        Err(_) => {
            return Document {
                findings: vec![Finding {
                    record,
                    region: Some(Region {
                        line: first_line,
                        column: 1,
                        end_line: first_line,
                        end_column: 2,
                    }),
                    ..whole_input(
                        name,
                        Rule::Internal,
                        "the linter failed on this document (an internal error); please report it"
                            .to_owned(),
                    )
                }],
                omitted: None,
            };
        }
    };
    // Findings of rules that are off are dropped before the caps count.
    found.retain(|doc| options.levels.severity(doc.rule).is_some());
    if found.is_empty() {
        return Document::default();
    }
    let shown = shown(&found, |_| ());
    let index = LineIndex::new(bytes);
    let mut document = Document::default();
    let mut omitted = Omitted {
        file: name.to_owned(),
        record,
        errors: 0,
        warnings: 0,
    };
    for (doc, shown) in found.into_iter().zip(shown) {
        // A finding not shown is counted with the findings like it that were not listed.
        let counted = doc.unlisted + usize::from(!shown);
        match options.levels.severity(doc.rule) {
            Some(Severity::Error) => omitted.errors += counted,
            Some(Severity::Warning) => omitted.warnings += counted,
            None => {}
        }
        if shown {
            document
                .findings
                .push(place(name, record, bytes, first_line, &index, doc, options));
        }
    }
    if omitted.errors + omitted.warnings > 0 {
        document.omitted = Some(omitted);
    }
    document
}

fn place(
    name: &str,
    record: Option<usize>,
    bytes: &[u8],
    first_line: usize,
    index: &LineIndex<'_>,
    doc: DocFinding,
    options: Options,
) -> Finding {
    let (line, column) = index.position(doc.span.start);
    let (end_line, end_column) = index.position(doc.span.end);
    let shift = first_line - 1;
    let mut message = doc.message;
    if let Some(related) = &doc.related {
        let (l, c) = index.position(related.start);
        message.push_str(&format!("; the first is at line {}, column {c}", l + shift));
    }
    let snippet = options
        .snippets
        .then(|| snippet(bytes, index, &doc.span, doc.related.as_ref(), first_line));
    let pointer = bounded(doc.pointer, &mut message);
    let severity = options
        .levels
        .severity(doc.rule)
        .unwrap_or(doc.rule.severity());
    let value = value_hash(bytes.get(doc.span.clone()).unwrap_or_default());
    Finding {
        file: name.to_owned(),
        record,
        region: Some(Region {
            line: line + shift,
            column,
            end_line: end_line + shift,
            // A place always marks at least one column: an empty span (end of input), or a
            // span inside one character or on a stray UTF-8 continuation byte (which counts
            // no code point), still does.
            end_column: if end_line == line && end_column <= column {
                column + 1
            } else {
                end_column
            },
        }),
        pointer,
        rule: doc.rule,
        message,
        help: doc.help,
        snippet,
        severity,
        value_hash: value,
    }
}

/// A finding's pointer holds at most this many bytes: a member's name of megabytes (an
/// unknown member, a duplicate key, or what is inside them) would be copied, escaped, into
/// every output and every finding under it.
pub const MAX_POINTER: usize = 1024;

/// The pointer a finding about the member at `pointer` carries: `pointer` itself, or when it
/// is longer than [`MAX_POINTER`], its nearest ancestor that fits (its longest prefix of whole
/// tokens, `""` at the root): it resolves wherever `pointer` does.
///
/// ```
/// use kaleyra_wa_linter::{MAX_POINTER, bounded_pointer};
///
/// assert_eq!(bounded_pointer("/messaging_object/to"), "/messaging_object/to");
/// let long = format!("/messaging_object/{}", "a".repeat(MAX_POINTER));
/// assert_eq!(bounded_pointer(&long), "/messaging_object");
/// ```
pub fn bounded_pointer(pointer: &str) -> &str {
    if pointer.len() <= MAX_POINTER {
        return pointer;
    }
    // Tokens escape `/` as `~1`: every `/` starts a token (and is a character boundary).
    let ancestor = (pointer.as_bytes()[..=MAX_POINTER].iter())
        .rposition(|&b| b == b'/')
        .unwrap_or(0);
    &pointer[..ancestor]
}

/// [`bounded_pointer`], `message` saying so when it names an ancestor.
fn bounded(pointer: String, message: &mut String) -> String {
    let bounded = bounded_pointer(&pointer);
    if bounded.len() == pointer.len() {
        return pointer;
    }
    let named = if bounded.is_empty() {
        "the document"
    } else {
        "its nearest ancestor"
    };
    message.push_str(&format!(
        " (in a member whose pointer is {} bytes long; the pointer names {named})",
        pointer.len()
    ));
    bounded.to_owned()
}

/// At most this many lines are shown for one place; a longer place is cut to its first line.
const MAX_SNIPPET_LINES: usize = 6;
/// An excerpt shows at most this many bytes before and after its place on the place's lines.
const CONTEXT: usize = 1024;
/// A place longer than this many bytes is shown by its start only.
const MAX_PLACE: usize = 256;
/// Marks an excerpt cut short of its line.
const CUT: &str = "…";

fn snippet(
    bytes: &[u8],
    index: &LineIndex<'_>,
    span: &Range<usize>,
    related: Option<&Range<usize>>,
    first_line: usize,
) -> Snippet {
    let (start_line, _) = index.position(span.start);
    let (end_line, _) = index.position(span.end);
    let mut span = span.clone();
    // A byte on the excerpt's last line.
    let mut last = span.end;
    if end_line - start_line >= MAX_SNIPPET_LINES {
        span.end = index.line_range(span.start).end.max(span.start);
        last = span.start;
    }
    // The excerpt's cost must not grow with the line: cut a long place to its start, and
    // the lines around it to some context.
    if span.end - span.start > MAX_PLACE {
        span.end = floor_char(bytes, span.start + MAX_PLACE);
        last = span.end;
    }
    // The excerpt's first line, and a byte on it.
    let (mut first_number, mut first) = (start_line, span.start);
    let mut related = related.cloned();
    if let Some(r) = &related {
        let (related_line, _) = index.position(r.start);
        let near = span.start.saturating_sub(r.start) <= CONTEXT * 8;
        if related_line < start_line && start_line - related_line < MAX_SNIPPET_LINES * 2 && near {
            (first_number, first) = (related_line, r.start);
        } else if related_line != start_line || !near {
            related = None;
        }
    }
    let line_begin = index.line_range(first).start;
    let line_end = index.line_range(last).end.max(span.end.min(bytes.len()));
    let from = related
        .as_ref()
        .map_or(span.start, |r| r.start.min(span.start));
    let begin = floor_char(bytes, from.saturating_sub(CONTEXT).max(line_begin));
    let end = floor_char(bytes, (span.end + CONTEXT).min(line_end).max(span.end));
    let (before, after) = (
        if begin > line_begin { CUT } else { "" },
        if end < line_end { CUT } else { "" },
    );
    let mut text = String::with_capacity(end - begin + 2 * CUT.len());
    text.push_str(before);
    // Most excerpts are UTF-8, which a SIMD check sees at once; `from_utf8_lossy` checks a
    // byte at a time.
    match simdutf8::basic::from_utf8(&bytes[begin..end]) {
        Ok(excerpt) => text.push_str(excerpt),
        Err(_) => text.push_str(&String::from_utf8_lossy(&bytes[begin..end])),
    }
    text.push_str(after);
    let begin = begin - before.len();
    // Lossy decoding may change lengths; keep spans inside the text.
    let clamp = |r: Range<usize>| {
        let floor = |mut i: usize| {
            i = i.min(text.len() - after.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        floor(r.start.max(begin + before.len()) - begin)..floor(r.end.max(r.start) - begin)
    };
    Snippet {
        line_start: first_number + first_line - 1,
        span: clamp(span),
        related: related.map(clamp),
        text,
    }
}

/// `at`, moved back to the start of the UTF-8 character it is in (a stray continuation
/// byte is a character of its own).
fn floor_char(bytes: &[u8], at: usize) -> usize {
    let at = at.min(bytes.len());
    (at.saturating_sub(3)..=at)
        .rev()
        .find(|&i| bytes.get(i).is_none_or(|b| b & 0xC0 != 0x80))
        .unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_pointer_is_cut_to_its_nearest_ancestor_that_fits() {
        let name = |len: usize| "é".repeat(len / 2);
        let fits = format!("/a/{}", name(MAX_POINTER - 3));
        assert_eq!(fits.len(), MAX_POINTER - 1);
        assert_eq!(bounded_pointer(&fits), fits);
        // A `/` at the last byte that fits starts a token that does not.
        let slash_at_limit = format!("/{}/{}", "a".repeat(MAX_POINTER - 1), "b");
        assert_eq!(slash_at_limit.as_bytes()[MAX_POINTER], b'/');
        assert_eq!(
            bounded_pointer(&slash_at_limit),
            &slash_at_limit[..MAX_POINTER]
        );
        // Cut above an intermediate ancestor, through escapes and multi-byte text.
        let escaped = format!("/a~1b/{}/{}/c", name(600), name(600));
        assert_eq!(bounded_pointer(&escaped), format!("/a~1b/{}", name(600)));
        // A long name at the root: the document.
        assert_eq!(bounded_pointer(&format!("/{}", name(2 * MAX_POINTER))), "");
        let mut message = String::from("unknown member");
        assert_eq!(
            bounded(format!("/{}", name(2 * MAX_POINTER)), &mut message),
            ""
        );
        assert!(
            message.ends_with("the pointer names the document)"),
            "{message}"
        );
        assert_eq!(bounded(String::new(), &mut message), "");
    }

    #[test]
    fn a_panic_in_a_check_is_a_finding_on_that_document() {
        let panics = |_: &[u8]| -> Vec<DocFinding> { panic!("a bug") };
        let document = lint_checked("x.jsonl", Some(7), b"{}", 7, Options::default(), panics);
        let finding = &document.findings[0];
        assert_eq!(document.findings.len(), 1);
        assert_eq!((finding.rule, finding.record), (Rule::Internal, Some(7)));
        assert_eq!(finding.region.map(|r| r.line), Some(7));
    }
}
