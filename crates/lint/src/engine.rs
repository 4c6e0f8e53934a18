//! Linting inputs: files, directories, stdin; JSON and JSON Lines; in parallel, in order.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use kaleyra_wa::{Rule, Severity};
use rayon::prelude::*;

use crate::check::{DocFinding, check_document};
use crate::fingerprint::value_hash;
use crate::levels::Levels;
use crate::locate::LineIndex;

/// How a file holds requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One request per file.
    Json,
    /// One request per line (`.jsonl`, `.ndjson`).
    JsonLines,
}

impl InputFormat {
    /// The format a file name implies: JSON Lines for `.jsonl` and `.ndjson`, else JSON.
    pub fn from_name(name: &str) -> InputFormat {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            InputFormat::JsonLines
        } else {
            InputFormat::Json
        }
    }
}

/// Something to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A file.
    File {
        /// Where to read it.
        path: PathBuf,
        /// The name findings carry.
        name: String,
        /// How it holds requests.
        format: InputFormat,
    },
    /// Standard input.
    Stdin {
        /// The name findings carry (`--stdin-filename`, else `<stdin>`).
        name: String,
        /// How it holds requests.
        format: InputFormat,
    },
    /// A path that could not be read or walked; reported as a [`Rule::Unreadable`] finding.
    Unreadable {
        /// The path as given or found.
        name: String,
        /// Why.
        reason: String,
    },
}

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
    /// RFC 6901 JSON pointer inside the request (`""` for the whole document).
    pub pointer: String,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The source lines around the place, for human output (when asked for).
    pub snippet: Option<Snippet>,
    /// The finding's severity: the rule's, or as [`Options::levels`] set it.
    pub severity: Severity,
    /// The hash of the offending text (the bytes of the place), for fingerprints: see
    /// [`value_hash`].
    pub value_hash: u64,
}

impl Finding {
    /// The finding's severity: the rule's, or as [`Options::levels`] set it.
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
    fn count(&mut self, event: &Event<'_, impl Sized>) {
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

/// Options of a run.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Attach [`Snippet`]s to findings (human output needs them; others don't).
    pub snippets: bool,
    /// A JSON file (or JSON standard input) larger than this many bytes is not read past the
    /// limit nor checked: it gets one [`Rule::Limit`] finding. Default
    /// [`DEFAULT_MAX_FILE_SIZE`].
    pub max_file_size: u64,
    /// A JSON Lines line longer than this many bytes (without its line ending) is skipped
    /// without being held in memory: it gets one [`Rule::Limit`] finding and the lines after
    /// it are checked. Default [`DEFAULT_MAX_LINE_LENGTH`].
    pub max_line_length: usize,
    /// Each rule's level: findings of a rule that is off are neither reported nor counted,
    /// the others have its severity. Default: each rule's own.
    pub levels: Levels,
}

/// Default [`Options::max_file_size`]: 10 MiB, over a thousand times a large request.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 << 20;
/// Default [`Options::max_line_length`]: 10 MiB, as for a file.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 10 << 20;

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

/// Expands paths into inputs: a directory is walked recursively (honouring `.gitignore`,
/// skipping hidden entries, following symbolic links) for `*.json`, `*.jsonl` and `*.ndjson`,
/// sorted by path; `-` is standard input; any other path is a file, whatever its extension.
/// Paths that cannot be walked (a dangling link, a link loop, a directory that cannot be
/// listed) become [`Input::Unreadable`]. A file that more than one of several paths reach
/// (named twice, named and inside a named directory, or through a link; `-` twice) is one
/// input, where it is first reached.
pub fn discover(paths: &[PathBuf], stdin_name: Option<&str>) -> Vec<Input> {
    // Each path costs a `stat` (is it a directory?): on a long list of files (from `xargs`)
    // that is one system call per file, so the paths are looked at on every core. `collect`
    // keeps their order.
    let inputs = paths
        .par_iter()
        .flat_map_iter(|path| {
            let mut inputs = Vec::with_capacity(1);
            if path.as_os_str() == "-" {
                let name = stdin_name.unwrap_or("<stdin>").to_owned();
                let format = InputFormat::from_name(&name);
                inputs.push(Input::Stdin { name, format });
            } else if path.is_dir() {
                walk(path, &mut inputs);
            } else {
                let name = display(path);
                let format = InputFormat::from_name(&name);
                inputs.push(Input::File {
                    path: path.clone(),
                    name,
                    format,
                });
            }
            inputs
        })
        .collect();
    // Only several paths pay a `stat` per file for this (one path, the usual case, names no
    // file twice but through links, which are kept as the walk finds them).
    if paths.len() > 1 {
        crate::distinct::first_of_each(inputs)
    } else {
        inputs
    }
}

fn walk(root: &Path, inputs: &mut Vec<Input>) {
    let mut found = Vec::new();
    for entry in ignore::WalkBuilder::new(root)
        .follow_links(true)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build()
    {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
                if is_file
                    && [".json", ".jsonl", ".ndjson"]
                        .iter()
                        .any(|ext| name.ends_with(ext))
                {
                    let name = display(entry.path());
                    found.push(Input::File {
                        path: entry.into_path(),
                        format: InputFormat::from_name(&name),
                        name,
                    });
                }
            }
            Err(error) => found.push(Input::Unreadable {
                name: error_path(&error).map_or_else(|| display(root), |p| display(&p)),
                reason: error_reason(&error),
            }),
        }
    }
    inputs.extend(found);
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Why a walk failed, without the path (findings carry it already).
fn error_reason(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_reason(err),
        ignore::Error::Loop { ancestor, .. } => format!(
            "a symbolic link loop: it leads back to {}",
            display(ancestor)
        ),
        ignore::Error::Io(error) if error.kind() == io::ErrorKind::NotFound => {
            "a symbolic link to nothing (its target does not exist)".to_owned()
        }
        ignore::Error::Io(error) => error.to_string(),
        other => other.to_string(),
    }
}

/// A path as findings name it: `/`-separated, without a leading `./`.
fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    match text.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => text,
    }
}

/// Lints every input, calling `emit` for each [`Event`] in input order (and, inside an input,
/// in place order). Inputs are linted in parallel; a JSON Lines input is streamed in chunks
/// of a bounded number of records, linted in parallel, so memory does not grow with its size.
///
/// An error returned by `emit` (a closed pipe) stops the run at once; it is returned with
/// the counts so far.
pub fn run(
    inputs: &[Input],
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
    inputs: &[Input],
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> Result<Summary, Interrupted> {
    let mut summary = Summary::default();
    match run_counting(inputs, options, prepare, &mut summary, emit) {
        Ok(()) => Ok(summary),
        Err(error) => Err(Interrupted { error, summary }),
    }
}

/// A document's findings, each with what `prepare` made of it.
struct Linted<T> {
    /// Whether it counts as a record (a blank JSON Lines line does not).
    record: bool,
    findings: Vec<(Finding, T)>,
    omitted: Option<Omitted>,
}

impl<T> Linted<T> {
    fn new(record: bool, document: Document, prepare: &(dyn Fn(&Finding) -> T + Sync)) -> Self {
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

    /// Counts the record and emits the findings, then the omitted count.
    fn emit(
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
fn whole(finding: Finding) -> Document {
    Document {
        findings: vec![finding],
        omitted: None,
    }
}

fn run_counting<T: Send>(
    inputs: &[Input],
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> io::Result<()> {
    // Small inputs are linted (and their findings prepared) a batch at a time in parallel,
    // then emitted in order; the next batch is linted while one is written (writing is
    // serial).
    const BATCH: usize = 256;
    let lint_batch = |batch: &[Input]| -> Vec<Option<Linted<T>>> {
        batch
            .par_iter()
            .map(|input| {
                let (record, document) = match input {
                    Input::File {
                        path,
                        name,
                        format: InputFormat::Json,
                    } => match File::open(path) {
                        Ok(file) => lint_json(name, file, options),
                        Err(error) => (false, whole(unreadable(name, &error.to_string()))),
                    },
                    Input::Unreadable { name, reason } => (false, whole(unreadable(name, reason))),
                    _ => return None,
                };
                Some(Linted::new(record, document, prepare))
            })
            .collect()
    };
    let mut batches = inputs.chunks(BATCH);
    let mut current = batches.next().map(|batch| (batch, lint_batch(batch)));
    while let Some((batch, results)) = current.take() {
        let next = batches.next();
        let mut next_results = Vec::new();
        rayon::in_place_scope(|scope| {
            if let Some(next) = next {
                scope.spawn(|_| next_results = lint_batch(next));
            }
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
            Ok::<(), io::Error>(())
        })?;
        current = next.map(|next| (next, next_results));
    }
    Ok(())
}

/// Reads and lints one JSON document: whether it counts as a record, and its findings.
fn lint_json(name: &str, mut reader: impl Read, options: Options) -> (bool, Document) {
    match read_limited(&mut reader, options.max_file_size) {
        Err(error) => (false, whole(unreadable(name, &error.to_string()))),
        Ok(bytes) if bytes.len() as u64 > options.max_file_size => {
            (false, whole(too_large(name, options.max_file_size)))
        }
        Ok(bytes) => (true, lint_document(name, None, &bytes, 1, options)),
    }
}

fn too_large(name: &str, limit: u64) -> Finding {
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
fn size(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

/// Reads a whole input, but at most `limit + 1` bytes: `read` until it returns 0 (or the
/// limit is passed). Payload files are small; on many of them, every system call counts.
/// `std::fs::read`, and even `File::read_to_end`, first ask for the size (`statx`, then
/// `lseek` for the position): two more calls per file.
fn read_limited(reader: &mut impl Read, limit: u64) -> io::Result<Vec<u8>> {
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let mut bytes = vec![0; cap.min(16 << 10)];
    let mut len = 0;
    loop {
        if len == bytes.len() {
            if len == cap {
                break;
            }
            bytes.resize(len.saturating_mul(2).min(cap), 0);
        }
        match reader.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    bytes.truncate(len);
    Ok(bytes)
}

/// Lints standard input or a JSON Lines file, emitting findings as chunks complete.
fn lint_streamed<T: Send>(
    input: &Input,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> io::Result<()> {
    let (name, format, reader): (&str, InputFormat, io::Result<Box<dyn Read>>) = match input {
        Input::File { path, name, format } => (
            name,
            *format,
            File::open(path).map(|f| Box::new(f) as Box<dyn Read>),
        ),
        Input::Stdin { name, format } => (name, *format, Ok(Box::new(io::stdin().lock()))),
        Input::Unreadable { .. } => return Ok(()),
    };
    let (record, document) = match reader {
        Err(error) => (false, whole(unreadable(name, &error.to_string()))),
        Ok(reader) => match format {
            InputFormat::Json => lint_json(name, reader, options),
            InputFormat::JsonLines => {
                match lint_json_lines(name, reader, options, prepare, summary, emit) {
                    Ok(()) => return Ok(()),
                    Err(LinesError::Read(error)) => {
                        (false, whole(unreadable(name, &error.to_string())))
                    }
                    Err(LinesError::Emit(error)) => return Err(error),
                }
            }
        },
    };
    Linted::new(record, document, prepare).emit(summary, emit)
}

enum LinesError {
    /// Reading failed.
    Read(io::Error),
    /// The caller's `emit` failed.
    Emit(io::Error),
}

/// Size of the chunks a JSON Lines input is read and linted in.
const CHUNK: usize = 4 << 20;
/// At most this many lines are linted at once: with [`MAX_SHOWN`] findings per record, the
/// findings in memory stay bounded however small the records.
const CHUNK_LINES: usize = 1024;

fn lint_json_lines<T: Send>(
    name: &str,
    reader: Box<dyn Read>,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> Result<(), LinesError> {
    let mut reader = BufReader::with_capacity(CHUNK, reader);
    let mut line_number = 1;
    let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
    // The previous chunk's findings, written while this chunk is linted: writing is serial,
    // and would otherwise leave the other cores idle. (The costly part of writing, rendering
    // snippets, is done by `prepare`, in parallel.)
    let mut pending: Vec<Linted<T>> = Vec::new();
    loop {
        let eof = match fill_chunk(&mut reader, &mut buffer, options.max_line_length) {
            Ok(eof) => eof,
            Err(error) => {
                emit_chunk(pending, summary, emit).map_err(LinesError::Emit)?;
                return Err(LinesError::Read(error));
            }
        };
        if buffer.is_empty() {
            return emit_chunk(pending, summary, emit).map_err(LinesError::Emit);
        }
        let mut lines = Vec::new();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &buffer).chain(std::iter::once(buffer.len())) {
            if start > buffer.len() {
                break;
            }
            let mut line_end = end;
            if line_end > start && buffer[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            lines.push((line_number, start..line_end));
            line_number += 1;
            start = end + 1;
        }
        // The chunk ends with a newline (or at end of input): the empty piece after it is
        // not a line.
        if buffer.last() == Some(&b'\n') {
            lines.pop();
            line_number -= 1;
        }
        let mut results = Vec::new();
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| {
                results = lines
                    .par_iter()
                    .map(|(number, range)| {
                        let line = &buffer[range.clone()];
                        let (is_record, document) = if line.len() > options.max_line_length {
                            (
                                true,
                                whole(too_long(name, *number, options.max_line_length)),
                            )
                        } else if line.iter().all(u8::is_ascii_whitespace) {
                            (false, Document::default())
                        } else {
                            (
                                true,
                                lint_document(name, Some(*number), line, *number, options),
                            )
                        };
                        Linted::new(is_record, document, prepare)
                    })
                    .collect();
            });
            emit_chunk(std::mem::take(&mut pending), summary, emit)
        })
        .map_err(LinesError::Emit)?;
        pending = results;
        if eof {
            return emit_chunk(pending, summary, emit).map_err(LinesError::Emit);
        }
    }
}

/// Fills `buffer` with whole lines: [`CHUNK_LINES`] lines, or about [`CHUNK`] bytes then up
/// to the next newline, of
/// which a line past `max_line` keeps only enough to be seen as too long. Returns whether
/// the input ended.
fn fill_chunk(
    reader: &mut BufReader<Box<dyn Read>>,
    buffer: &mut Vec<u8>,
    max_line: usize,
) -> io::Result<bool> {
    buffer.clear();
    // Past `CHUNK` bytes, only the rest of the last line is read, keeping at most
    // `max_line + 2` of its bytes: one past the limit even when the line ends with `\r\n`
    // (lines are measured without the `\r`).
    let mut keep_until = None;
    let mut lines = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            return Ok(true);
        }
        if buffer.len() < CHUNK {
            let take = available.len().min(CHUNK - buffer.len());
            let newlines = memchr::memchr_iter(b'\n', &available[..take]).count();
            if lines + newlines >= CHUNK_LINES {
                // The chunk is full of lines: end it after the last one that fits.
                let last = memchr::memchr_iter(b'\n', &available[..take])
                    .nth(CHUNK_LINES - lines - 1)
                    .map_or(take, |at| at + 1);
                buffer.extend_from_slice(&available[..last]);
                reader.consume(last);
                return Ok(false);
            }
            lines += newlines;
            buffer.extend_from_slice(&available[..take]);
            reader.consume(take);
            continue;
        }
        let keep_until = *keep_until.get_or_insert_with(|| {
            let line_start = memchr::memrchr(b'\n', buffer).map_or(0, |i| i + 1);
            line_start.saturating_add(max_line).saturating_add(2)
        });
        let newline = memchr::memchr(b'\n', available);
        let line_part = newline.unwrap_or(available.len());
        let room = keep_until.saturating_sub(buffer.len());
        buffer.extend_from_slice(&available[..line_part.min(room)]);
        match newline {
            Some(at) => {
                buffer.push(b'\n');
                reader.consume(at + 1);
                return Ok(false);
            }
            None => reader.consume(line_part),
        }
    }
}

/// Emits one chunk's findings in order, counting its records.
fn emit_chunk<T>(
    results: Vec<Linted<T>>,
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> io::Result<()> {
    for linted in results {
        linted.emit(summary, emit)?;
    }
    Ok(())
}

fn too_long(name: &str, line: usize, limit: usize) -> Finding {
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

fn unreadable(name: &str, reason: &str) -> Finding {
    whole_input(name, Rule::Unreadable, format!("cannot read: {reason}"))
}

/// A finding about an input as a whole (it could not be read or checked): no place, no
/// pointer.
fn whole_input(name: &str, rule: Rule, message: String) -> Finding {
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

/// At most this many findings of one document are shown; the rest are counted.
pub const MAX_SHOWN: usize = 100;
/// At most this many findings of one rule at one member are shown; the rest are counted.
pub const MAX_PER_MEMBER: usize = 10;

/// Lints one document (a whole JSON file, or one JSON Lines record whose text starts on
/// `first_line`) and places its findings. Costs time and memory linear in the document's
/// size, whatever it holds: placing a finding costs at most its own excerpt.
pub fn lint_document(
    name: &str,
    record: Option<usize>,
    bytes: &[u8],
    first_line: usize,
    options: Options,
) -> Document {
    // A panic in the checks (none is known; the fuzz targets look for them) costs this
    // document its findings, not the run: it is reported as an internal error.
    let mut found = match std::panic::catch_unwind(|| check_document(bytes)) {
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
    let shown = shown(&found);
    let index = LineIndex::new(bytes);
    let mut document = Document::default();
    let mut omitted = Omitted {
        file: name.to_owned(),
        record,
        errors: 0,
        warnings: 0,
    };
    for (doc, shown) in found.into_iter().zip(shown) {
        if shown {
            document
                .findings
                .push(place(name, record, bytes, first_line, &index, doc, options));
        } else {
            match options.levels.severity(doc.rule) {
                Some(Severity::Error) => omitted.errors += 1,
                Some(Severity::Warning) => omitted.warnings += 1,
                None => {}
            }
        }
    }
    if omitted.errors + omitted.warnings > 0 {
        document.omitted = Some(omitted);
    }
    document
}

/// Which of a document's findings (in place order) are shown: the first [`MAX_SHOWN`], at
/// most [`MAX_PER_MEMBER`] of one rule at one member.
fn shown(found: &[DocFinding]) -> Vec<bool> {
    let mut per_member: HashMap<(Rule, &str), usize> = HashMap::new();
    let mut count = 0;
    found
        .iter()
        .map(|doc| {
            let seen = per_member
                .entry((doc.rule, doc.pointer.as_str()))
                .or_default();
            *seen += 1;
            let shown = count < MAX_SHOWN && *seen <= MAX_PER_MEMBER;
            count += usize::from(shown);
            shown
        })
        .collect()
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
        pointer: doc.pointer,
        rule: doc.rule,
        message,
        help: doc.help,
        snippet,
        severity,
        value_hash: value,
    }
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
    let (mut end_line, _) = index.position(span.end);
    let mut span = span.clone();
    if end_line - start_line >= MAX_SNIPPET_LINES {
        end_line = start_line;
        span.end = index.line_range(start_line).end.max(span.start);
    }
    // The excerpt's cost must not grow with the line: cut a long place to its start, and
    // the lines around it to some context.
    if span.end - span.start > MAX_PLACE {
        span.end = floor_char(bytes, span.start + MAX_PLACE);
        end_line = index.position(span.end).0;
    }
    let mut first = start_line;
    let mut related = related.cloned();
    if let Some(r) = &related {
        let (related_line, _) = index.position(r.start);
        let near = span.start.saturating_sub(r.start) <= CONTEXT * 8;
        if related_line < start_line && start_line - related_line < MAX_SNIPPET_LINES * 2 && near {
            first = related_line;
        } else if related_line != start_line || !near {
            related = None;
        }
    }
    let line_begin = index.line_range(first).start;
    let line_end = index
        .line_range(end_line)
        .end
        .max(span.end.min(bytes.len()));
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
    text.push_str(&String::from_utf8_lossy(&bytes[begin..end]));
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
        line_start: first + first_line - 1,
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
    fn the_rule_documents_the_default_limits() {
        let described = Rule::Limit.description().replace("\n ", " ");
        for (flag, limit) in [
            ("--max-file-size", DEFAULT_MAX_FILE_SIZE),
            ("--max-line-length", DEFAULT_MAX_LINE_LENGTH as u64),
        ] {
            let text = format!("`{flag}` (default {} MiB)", limit >> 20);
            assert!(described.contains(&text), "{text}: {described}");
        }
    }
}
