//! Findings, their places, the events of a run, and its counts.

use std::ops::Range;

use kaleyra_wa::{Rule, Severity};

use super::Omitted;
use crate::fingerprint::value_hash;

/// One finding, placed in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file's name as given (or found in a directory), `/`-separated.
    pub file: String,
    /// For JSON Lines, the 1-based line of the record; `None` for a JSON file.
    pub record: Option<usize>,
    /// Start and end (exclusive) of the place: 1-based lines and columns in Unicode code
    /// points. `None` when there is no place (an unreadable file).
    pub region: Option<Region>,
    /// RFC 6901 JSON pointer inside the request (`""` for the whole document), at most
    /// [`MAX_POINTER`](crate::MAX_POINTER) bytes ([`bounded_pointer`](crate::bounded_pointer)).
    pub pointer: String,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The source lines around the place, for human output (when asked for).
    pub snippet: Option<Snippet>,
    /// The finding's severity: the rule's, or as [`Options::levels`](super::Options::levels)
    /// set it.
    pub severity: Severity,
    /// The hash of the offending text (the bytes of the place), for fingerprints: see
    /// [`crate::fingerprint::value_hash`].
    pub value_hash: u64,
}

impl Finding {
    /// The finding's severity: the rule's, or as [`Options::levels`](super::Options::levels)
    /// set it.
    pub fn severity(&self) -> Severity {
        self.severity
    }
}

/// A place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// 1-based start line.
    pub line: usize,
    /// 1-based start column, in code points.
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column, exclusive (one past the last code point), as SARIF counts.
    pub end_column: usize,
}

/// Source lines for a human-readable excerpt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The 1-based number of the first line of `text`.
    pub line_start: usize,
    /// The lines (lossily decoded), joined by `\n`.
    pub text: String,
    /// The place, as a byte range in `text`.
    pub span: Range<usize>,
    /// A related place (the first duplicate key), as a byte range in `text`.
    pub related: Option<Range<usize>>,
}

/// Counts over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Inputs linted (including unreadable ones).
    pub files: usize,
    /// Requests (documents or JSON Lines records) checked.
    pub records: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Inputs that could not be read.
    pub unreadable: usize,
    /// Findings counted in `errors` and `warnings` but not shown (see [`Omitted`]).
    pub omitted: usize,
}

impl Summary {
    pub(super) fn count(&mut self, event: &Event<'_, impl Sized>) {
        match event {
            Event::Finding(finding, _) => {
                match finding.severity() {
                    Severity::Error => self.errors += 1,
                    Severity::Warning => self.warnings += 1,
                }
                if finding.rule == Rule::Unreadable {
                    self.unreadable += 1;
                }
            }
            Event::Omitted(omitted) => {
                self.errors += omitted.errors;
                self.warnings += omitted.warnings;
                self.omitted += omitted.errors + omitted.warnings;
            }
            Event::Done { .. } => {}
        }
    }
}

/// What a run reports, in order: findings, after a document's findings what it did not show
/// of that document, and after each input's findings that it is done.
#[derive(Debug)]
pub enum Event<'a, T = ()> {
    /// A finding, with what the run's `prepare` made of it.
    Finding(&'a Finding, T),
    /// Findings of one document counted but not shown.
    Omitted(&'a Omitted),
    /// An input is done: all its findings have been emitted.
    Done {
        /// The input's name, as its findings carry it.
        file: &'a str,
        /// How many requests (documents or JSON Lines records) it held.
        records: usize,
    },
}

pub(super) fn too_large(name: &str, limit: u64) -> Finding {
    Finding {
        help: Some(
            "a request is a few kilobytes; to check it anyway, raise --max-file-size".into(),
        ),
        ..whole_input(
            name,
            Rule::Limit,
            format!(
                "the file is larger than {} ({limit} bytes); it was not checked",
                size(limit)
            ),
        )
    }
}

/// A size for people: `10.0 MiB`.
pub(super) fn size(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

pub(super) fn too_long(name: &str, line: usize, limit: usize) -> Finding {
    Finding {
        record: Some(line),
        region: Some(Region {
            line,
            column: 1,
            end_line: line,
            end_column: 2,
        }),
        help: Some(
            "a request is a few kilobytes; to check it anyway, raise --max-line-length".into(),
        ),
        ..whole_input(
            name,
            Rule::Limit,
            format!(
                "the line is longer than {} ({limit} bytes); it was not checked",
                size(limit as u64)
            ),
        )
    }
}

pub(super) fn unreadable(name: &str, reason: &str) -> Finding {
    whole_input(name, Rule::Unreadable, format!("cannot read: {reason}"))
}

/// A finding about an input as a whole (it could not be read or checked): no place, no
/// pointer.
pub(super) fn whole_input(name: &str, rule: Rule, message: String) -> Finding {
    Finding {
        file: name.to_owned(),
        record: None,
        region: None,
        pointer: String::new(),
        rule,
        message,
        help: None,
        snippet: None,
        severity: rule.severity(),
        value_hash: value_hash(b""),
    }
}
