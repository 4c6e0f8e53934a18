//! Linting inputs: files, directories, stdin; JSON and JSON Lines; in parallel, in order.

mod discover;
mod document;
mod finding;
mod jsonl;
mod large;
mod read;

use std::fs::File;
use std::io;

use rayon::prelude::*;

use crate::levels::Levels;

use finding::unreadable;
use read::{lint_json, lint_streamed};

pub use discover::{Input, InputFormat, discover};
pub use document::{
    Document, MAX_PER_MEMBER, MAX_POINTER, MAX_SHOWN, Omitted, bounded_pointer, lint_document,
};
pub use finding::{Event, Finding, Region, Snippet, Summary};

/// Options of a run.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Attach [`Snippet`]s to findings (human output needs them; others don't).
    pub snippets: bool,
    /// A JSON file (or JSON standard input) larger than this many bytes is not read past the
    /// limit nor checked: it gets one [`Rule::Limit`](kaleyra_wa::Rule::Limit) finding. Default
    /// [`DEFAULT_MAX_FILE_SIZE`].
    pub max_file_size: u64,
    /// A JSON Lines line longer than this many bytes (without its line ending) is skipped
    /// without being held in memory: it gets one [`Rule::Limit`](kaleyra_wa::Rule::Limit) finding and the lines after
    /// it are checked. Default [`DEFAULT_MAX_LINE_LENGTH`].
    pub max_line_length: usize,
    /// Each rule's level: findings of a rule that is off are neither reported nor counted,
    /// the others have its severity. Default: each rule's own.
    pub levels: Levels,
}

/// Default [`Options::max_file_size`]: 256 KiB, over thirty times a large request (about
/// 8 KB). Checking a document takes memory of up to about 150 times its size at worst (README,
/// Robustness): this limit is what keeps a run under 128 MiB whatever the input.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 << 10;
/// Default [`Options::max_line_length`]: 256 KiB, as for a file.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 256 << 10;

impl Default for Options {
    fn default() -> Self {
        Options {
            snippets: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
            levels: Levels::default(),
        }
    }
}

/// A run stopped because `emit` failed (a closed pipe), with the counts up to that point.
#[derive(Debug)]
pub struct Interrupted {
    /// The error `emit` returned.
    pub error: io::Error,
    /// What had been linted and emitted before it.
    pub summary: Summary,
}

/// Lints every input, calling `emit` for each [`Event`] in input order (and, inside an input,
/// in place order). Inputs are linted in parallel, a batch at a time, while the next batch
/// is taken from `inputs` (a walk, [`discover`], goes on meanwhile); a JSON Lines input is
/// streamed in chunks of a bounded number of records, linted in parallel, so memory does not
/// grow with its size.
///
/// An error returned by `emit` (a closed pipe) stops the run at once; it is returned with
/// the counts so far.
///
/// Linting runs on rayon's current pool; reading and `emit` run on the calling thread. When
/// that thread is one of the pool's (as the binary's main thread is, by
/// [`ThreadPoolBuilder::use_current_thread`](rayon::ThreadPoolBuilder::use_current_thread)),
/// it lints too while it waits, instead of sleeping beside a full pool (on two cores, JSON
/// Lines are linted about a tenth faster).
pub fn run(
    inputs: impl IntoIterator<Item = Input>,
    options: Options,
    emit: &mut dyn FnMut(Event<'_>) -> io::Result<()>,
) -> Result<Summary, Interrupted> {
    run_prepared(inputs, options, &|_| (), emit)
}

/// Lints every input as [`run`] does, and calls `prepare` on each finding on the thread that
/// found it, in parallel: work per finding that needs no writer (rendering it, see
/// [`render::prepare`](crate::render::prepare)) is then not left to the serial `emit`, which
/// gets each finding, in order, with what `prepare` made of it.
pub fn run_prepared<T: Send>(
    inputs: impl IntoIterator<Item = Input>,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> Result<Summary, Interrupted> {
    let mut summary = Summary::default();
    match run_counting(
        &mut inputs.into_iter(),
        options,
        prepare,
        &mut summary,
        emit,
    ) {
        Ok(()) => Ok(summary),
        Err(error) => Err(Interrupted { error, summary }),
    }
}

/// A document's findings, each with what `prepare` made of it.
pub(super) struct Linted<T> {
    /// Whether it counts as a record (a blank JSON Lines line does not).
    record: bool,
    findings: Vec<(Finding, T)>,
    omitted: Option<Omitted>,
}

impl<T> Linted<T> {
    pub(super) fn new(
        record: bool,
        document: Document,
        prepare: &(dyn Fn(&Finding) -> T + Sync),
    ) -> Self {
        let findings = document
            .findings
            .into_iter()
            .map(|finding| {
                let prepared = prepare(&finding);
                (finding, prepared)
            })
            .collect();
        Linted {
            record,
            findings,
            omitted: document.omitted,
        }
    }

    /// How many findings it holds.
    pub(super) fn findings(&self) -> usize {
        self.findings.len()
    }

    /// Counts the record and emits the findings, then the omitted count.
    pub(super) fn emit(
        self,
        summary: &mut Summary,
        emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
    ) -> io::Result<()> {
        summary.records += usize::from(self.record);
        for (finding, prepared) in self.findings {
            let event = Event::Finding(&finding, prepared);
            summary.count(&event);
            emit(event)?;
        }
        if let Some(omitted) = &self.omitted {
            let event = Event::Omitted(omitted);
            summary.count(&event);
            emit(event)?;
        }
        Ok(())
    }
}

/// A document that is one finding about the whole input.
pub(super) fn whole(finding: Finding) -> Document {
    Document {
        findings: vec![finding],
        omitted: None,
    }
}

fn run_counting<T: Send>(
    inputs: &mut dyn Iterator<Item = Input>,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> io::Result<()> {
    // Small inputs are linted (and their findings prepared) a batch at a time in parallel;
    // meanwhile this thread writes the previous batch's findings (writing is serial) and takes
    // the next batch from `inputs` (walking the directories).
    const BATCH: usize = 256;
    let lint_batch = |batch: &[Input]| -> Batch<T> {
        batch
            .par_iter()
            .map(|input| {
                let (record, document) = match input {
                    Input::File {
                        path,
                        name,
                        format: InputFormat::Json,
                        size,
                    } => match File::open(path) {
                        Ok(file) => lint_json(name, file, *size, options),
                        Err(error) => (false, whole(unreadable(name, &error.to_string()))),
                    },
                    Input::Unreadable { name, reason } => (false, whole(unreadable(name, reason))),
                    _ => return None,
                };
                Some(Linted::new(record, document, prepare))
            })
            .collect()
    };
    // The batch being linted, and the one linted before it, to write.
    let mut linting: Vec<Input> = inputs.take(BATCH).collect();
    let mut written: Option<(Vec<Input>, Batch<T>)> = None;
    while !linting.is_empty() || written.is_some() {
        let mut linted = Vec::new();
        let mut next = Vec::new();
        rayon::in_place_scope(|scope| {
            if !linting.is_empty() {
                scope.spawn(|_| linted = lint_batch(&linting));
            }
            if let Some((batch, results)) = written.take() {
                emit_batch(&batch, results, options, prepare, summary, emit)?;
            }
            next = inputs.take(BATCH).collect();
            Ok::<(), io::Error>(())
        })?;
        written = (!linting.is_empty()).then(|| (std::mem::take(&mut linting), linted));
        linting = next;
    }
    Ok(())
}

/// A batch's linted inputs, in order (`None`: an input left to stream).
type Batch<T> = Vec<Option<Linted<T>>>;

/// Writes one batch's findings, in order; an input left to stream (standard input, JSON
/// Lines) is linted now.
fn emit_batch<T: Send>(
    batch: &[Input],
    results: Batch<T>,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> io::Result<()> {
    for (input, result) in batch.iter().zip(results) {
        summary.files += 1;
        let records = summary.records;
        match result {
            Some(linted) => linted.emit(summary, emit)?,
            None => lint_streamed(input, options, prepare, summary, emit)?,
        }
        let file = match input {
            Input::File { name, .. }
            | Input::Stdin { name, .. }
            | Input::Unreadable { name, .. } => name,
        };
        let records = summary.records - records;
        emit(Event::Done { file, records })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use kaleyra_wa::Rule;

    use super::*;

    #[test]
    fn the_rule_documents_the_default_limits() {
        let described = Rule::Limit.description().replace("\n ", " ");
        for (flag, limit) in [
            ("--max-file-size", DEFAULT_MAX_FILE_SIZE),
            ("--max-line-length", DEFAULT_MAX_LINE_LENGTH as u64),
        ] {
            let text = format!("`{flag}` (default {} KiB)", limit >> 10);
            assert!(described.contains(&text), "{text}: {described}");
        }
    }
}
