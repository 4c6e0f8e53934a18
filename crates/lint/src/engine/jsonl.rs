//! JSON Lines: read in chunks of bounded size, several chunks linted at once on every core,
//! findings emitted in order.
//!
//! The reading thread reads a chunk and hands it to the pool as a job, up to
//! [`IN_FLIGHT`] chunks ahead of the one it writes; then it waits for the oldest to be linted
//! and writes its findings. The cores never wait for a chunk boundary: while the last records
//! of one chunk are linted, the next chunk is already there. Memory stays bounded by
//! `IN_FLIGHT` chunks and their findings, whatever the input.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

use rayon::prelude::*;

use super::finding::too_long;
use super::{Document, Event, Finding, Linted, Options, Summary, lint_document, whole};

pub(super) enum LinesError {
    /// Reading failed.
    Read(io::Error),
    /// The caller's `emit` failed.
    Emit(io::Error),
}

/// Size of the reads of a JSON Lines input.
const READ_BUFFER: usize = 256 << 10;
/// Size of the chunks a JSON Lines input is read and linted in.
const CHUNK: usize = 4 << 20;
/// At most this many lines are in one chunk: with [`MAX_SHOWN`](super::MAX_SHOWN) findings
/// per record, the findings in memory stay bounded however small the records.
const CHUNK_LINES: usize = 1024;
/// At most this many chunks are read and not yet written.
const IN_FLIGHT: usize = 3;

/// A chunk's findings, by record, or the panic that linting it raised.
type Outcome<T> = std::thread::Result<Vec<Linted<T>>>;

/// Where a JSON Lines input's bytes come from.
pub(super) enum Source<'m> {
    /// Read, a chunk at a time.
    Reader(Box<dyn Read>),
    /// A memory-mapped file.
    Mapped(&'m memmap2::Mmap),
}

/// A chunk's bytes: a buffer of ours, or a part of the mapped file.
enum Chunk<'m> {
    Read(Vec<u8>),
    /// With the offsets of its line feeds, found when it was cut: its lines are not scanned
    /// again (a line past the limit is never read whole).
    Mapped(&'m [u8], Vec<usize>),
}

impl Chunk<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Chunk::Read(buffer) => buffer,
            Chunk::Mapped(bytes, _) => bytes,
        }
    }

    /// The chunk's lines, without their line endings.
    fn lines(&self) -> Vec<Range<usize>> {
        match self {
            Chunk::Read(buffer) => line_ranges(buffer, memchr::memchr_iter(b'\n', buffer)),
            Chunk::Mapped(bytes, feeds) => line_ranges(bytes, feeds.iter().copied()),
        }
    }
}

/// The lines of `bytes`, whose line feeds are at `feeds`, without their line endings.
fn line_ranges(bytes: &[u8], feeds: impl Iterator<Item = usize>) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in feeds.chain(std::iter::once(bytes.len())) {
        let mut line_end = end;
        if line_end > start && bytes[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        lines.push(start..line_end);
        start = end + 1;
    }
    // A chunk that ends with a line feed (all but the input's last): the empty piece after it
    // is not a line.
    if bytes.last() == Some(&b'\n') {
        lines.pop();
    }
    lines
}

/// Cuts an input into chunks of whole lines.
enum Chunker<'m> {
    Read {
        reader: BufReader<Box<dyn Read>>,
        /// Buffers of chunks already linted, to reuse.
        buffers: Vec<Vec<u8>>,
        ended: bool,
    },
    Mapped {
        map: &'m memmap2::Mmap,
        rest: &'m [u8],
    },
}

impl<'m> Chunker<'m> {
    fn new(source: Source<'m>) -> Self {
        match source {
            Source::Reader(reader) => Chunker::Read {
                reader: BufReader::with_capacity(READ_BUFFER, reader),
                buffers: Vec::new(),
                ended: false,
            },
            Source::Mapped(map) => Chunker::Mapped { map, rest: map },
        }
    }

    /// The next chunk and the number of its line feeds; `None` at the end of the input.
    fn next(&mut self, max_line: usize) -> io::Result<Option<(Chunk<'m>, usize)>> {
        match self {
            Chunker::Read {
                reader,
                buffers,
                ended,
            } => {
                if *ended {
                    return Ok(None);
                }
                // Buffers start small and grow to what the chunks need: a chunk of 1,024
                // short records is far smaller than `CHUNK`.
                let mut buffer = buffers
                    .pop()
                    .unwrap_or_else(|| Vec::with_capacity(READ_BUFFER));
                let filled = fill_chunk(reader, &mut buffer, max_line);
                *ended = filled.as_ref().map_or(true, |filled| filled.eof);
                let newlines = filled?.newlines;
                if buffer.is_empty() {
                    buffers.push(buffer);
                    return Ok(None);
                }
                Ok(Some((Chunk::Read(buffer), newlines)))
            }
            Chunker::Mapped { map, rest } => {
                if rest.is_empty() {
                    return Ok(None);
                }
                let (end, feeds) = chunk_end(rest, &mut |scanned| release(map, scanned));
                let (chunk, after) = rest.split_at(end);
                *rest = after;
                let newlines = feeds.len();
                Ok(Some((Chunk::Mapped(chunk, feeds), newlines)))
            }
        }
    }

    /// Takes back a linted chunk: its buffer to reuse, or its pages of the map to release.
    fn recycle(&mut self, chunk: Chunk<'m>) {
        match (self, chunk) {
            (Chunker::Read { buffers, .. }, Chunk::Read(buffer)) => buffers.push(buffer),
            (Chunker::Mapped { map, .. }, Chunk::Mapped(bytes, _)) => release(map, bytes),
            _ => {}
        }
    }
}

/// Releases the pages of `map` that hold `bytes` (a part of it), which were read: the
/// memory of a mapped input stays bounded by the chunks in flight, as when it is read.
fn release(map: &memmap2::Mmap, bytes: &[u8]) {
    #[cfg(unix)]
    {
        let offset = (bytes.as_ptr() as usize).saturating_sub(map.as_ptr() as usize);
        // SAFETY: the map is a read-only shared map of a file: dropping its pages loses
        // nothing, and a page read again (one shared with a chunk still in flight) is read
        // again from the file.
        let _ = unsafe {
            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, bytes.len())
        };
    }
    #[cfg(not(unix))]
    let _ = (map, bytes);
}

/// Where a chunk of `bytes` ends: after [`CHUNK_LINES`] lines, or after the line that passes
/// [`CHUNK`] bytes; and the offsets of its line feeds. The part of that line past `CHUNK` is
/// scanned a window at a time, each window passed to `scanned` to be released: a long line
/// costs no memory to find its end (and a line past the limit is not read again).
fn chunk_end(bytes: &[u8], scanned: &mut dyn FnMut(&[u8])) -> (usize, Vec<usize>) {
    let head = &bytes[..bytes.len().min(CHUNK)];
    let mut feeds = Vec::new();
    for at in memchr::memchr_iter(b'\n', head) {
        feeds.push(at);
        if feeds.len() == CHUNK_LINES {
            return (at + 1, feeds);
        }
    }
    let mut from = head.len();
    while from < bytes.len() {
        let window = &bytes[from..bytes.len().min(from + CHUNK)];
        if let Some(at) = memchr::memchr(b'\n', window) {
            feeds.push(from + at);
            return (from + at + 1, feeds);
        }
        scanned(window);
        from += window.len();
    }
    (bytes.len(), feeds)
}

/// Lints a JSON Lines input, emitting each record's findings in order.
pub(super) fn lint_json_lines<T: Send>(
    name: &str,
    source: Source<'_>,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> Result<(), LinesError> {
    let mut chunker = Chunker::new(source);
    // Chunks handed to the pool come back, linted, on this channel, with their sequence
    // number.
    let (done, linted) = mpsc::channel();
    rayon::in_place_scope(|scope| {
        // The outcome of each chunk in flight, oldest first (`None`: not linted yet).
        let mut pending: VecDeque<Option<Outcome<T>>> = VecDeque::new();
        let mut oldest = 0;
        let mut first_line = 1;
        let mut ended = false;
        let mut read_error = None;
        loop {
            while !ended && pending.len() < IN_FLIGHT {
                let (chunk, lines) = match chunker.next(options.max_line_length) {
                    Ok(Some(next)) => next,
                    Ok(None) => {
                        ended = true;
                        break;
                    }
                    Err(error) => {
                        ended = true;
                        read_error = Some(error);
                        break;
                    }
                };
                let sequence = oldest + pending.len();
                pending.push_back(None);
                let done = done.clone();
                scope.spawn(move |_| {
                    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                        lint_chunk(name, &chunk, first_line, options, prepare)
                    }));
                    // The receiver lives until every chunk in flight is back.
                    let _ = done.send((sequence, chunk, outcome));
                });
                first_line += lines;
            }
            // Write the oldest chunks' findings, as far as they are linted.
            while let Some(front) = pending.front_mut()
                && let Some(outcome) = front.take()
            {
                pending.pop_front();
                oldest += 1;
                let results = outcome.unwrap_or_else(|panic| panic::resume_unwind(panic));
                for record in results {
                    // The chunks still in flight are waited for at the end of the scope.
                    record.emit(summary, emit).map_err(LinesError::Emit)?;
                }
            }
            if pending.is_empty() && ended {
                return match read_error.take() {
                    Some(error) => Err(LinesError::Read(error)),
                    None => Ok(()),
                };
            }
            if pending.len() == IN_FLIGHT || ended {
                // Every job sends its chunk back (a panic is caught and sent), and this
                // function holds a sender: `recv` waits for the next chunk, it does not fail.
                if let Ok((sequence, chunk, outcome)) = linted.recv() {
                    pending[sequence - oldest] = Some(outcome);
                    chunker.recycle(chunk);
                }
            }
        }
    })
}

/// Lints the lines of one chunk, the first being line `first_line` of the input, in parallel.
fn lint_chunk<T: Send>(
    name: &str,
    chunk: &Chunk<'_>,
    first_line: usize,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
) -> Vec<Linted<T>> {
    let buffer = chunk.bytes();
    chunk
        .lines()
        .into_par_iter()
        .enumerate()
        .map(|(i, range)| {
            let number = first_line + i;
            let line = &buffer[range];
            let (is_record, document) = if line.len() > options.max_line_length {
                (true, whole(too_long(name, number, options.max_line_length)))
            } else if line.iter().all(u8::is_ascii_whitespace) {
                (false, Document::default())
            } else {
                (
                    true,
                    lint_document(name, Some(number), line, number, options),
                )
            };
            Linted::new(is_record, document, prepare)
        })
        .collect()
}

/// What [`fill_chunk`] read.
struct Filled {
    /// Line feeds in the chunk: the number of its lines, but for a last one without.
    newlines: usize,
    /// Whether the input ended.
    eof: bool,
}

/// Fills `buffer` with whole lines: [`CHUNK_LINES`] lines, or about [`CHUNK`] bytes then up
/// to the next newline, of which a line past `max_line` keeps only enough to be seen as too
/// long.
fn fill_chunk(
    reader: &mut BufReader<Box<dyn Read>>,
    buffer: &mut Vec<u8>,
    max_line: usize,
) -> io::Result<Filled> {
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
            return Ok(Filled {
                newlines: lines,
                eof: true,
            });
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
                return Ok(Filled {
                    newlines: CHUNK_LINES,
                    eof: false,
                });
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
                return Ok(Filled {
                    newlines: lines + 1,
                    eof: false,
                });
            }
            None => reader.consume(line_part),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_lines_chunk_holds_a_bounded_number_of_lines() {
        let input = "{}\n".repeat(CHUNK_LINES * 2 + 5);
        let reader: Box<dyn Read> = Box::new(io::Cursor::new(input.into_bytes()));
        let mut reader = BufReader::with_capacity(CHUNK, reader);
        let mut buffer = Vec::new();
        let mut sizes = Vec::new();
        loop {
            let filled = fill_chunk(&mut reader, &mut buffer, 100).unwrap();
            let newlines = memchr::memchr_iter(b'\n', &buffer).count();
            assert_eq!(filled.newlines, newlines);
            sizes.push(newlines);
            if filled.eof {
                break;
            }
        }
        assert_eq!(sizes, [CHUNK_LINES, CHUNK_LINES, 5]);
    }

    const VALID: &str = r#"{"messaging_object": {"messaging_product": "whatsapp", "to": "919876543210", "type": "interactive", "interactive": {"type": "product", "action": {"catalog_id": "1", "product_retailer_id": "2"}}}}"#;

    /// Lines of every kind: valid, each error path, blank, CRLF, too long.
    fn line(i: usize) -> String {
        match i % 7 {
            0 => VALID.replacen("9198", "0198", 1),
            1 => VALID.replacen("\"catalog_id\"", "\"catalogue\": 1, \"catalog_id\"", 1),
            2 => VALID.replacen("\"product\"", "\"products\"", 1),
            3 if i.is_multiple_of(3) => "   ".into(),
            4 if i.is_multiple_of(5) => format!("{VALID}\r"),
            5 if i.is_multiple_of(11) => format!("{{\"x\": \"{}\"}}", "y".repeat(300)),
            6 => "{".into(),
            _ => VALID.into(),
        }
    }

    /// How a test input is given to the stream.
    #[derive(Clone, Copy, Debug)]
    enum Given {
        Read,
        Mapped,
    }

    /// Runs the stream over `input`, given as `given`, recording each event, failing `emit`
    /// at event `fail_at`.
    fn stream(
        given: Given,
        input: String,
        fail_at: Option<usize>,
    ) -> (Vec<String>, Summary, Result<(), LinesError>) {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        io::Write::write_all(&mut file, input.as_bytes()).unwrap();
        let map = unsafe { memmap2::Mmap::map(file.as_file()) }.unwrap();
        let source = match given {
            Given::Read => Source::Reader(Box::new(io::Cursor::new(input.into_bytes()))),
            Given::Mapped => Source::Mapped(&map),
        };
        let options = Options {
            max_line_length: 200,
            ..Options::default()
        };
        let mut events = Vec::new();
        let mut summary = Summary::default();
        let result = lint_json_lines(
            "in.jsonl",
            source,
            options,
            &|finding| finding.pointer.clone(),
            &mut summary,
            &mut |event| {
                if Some(events.len()) == fail_at {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
                }
                events.push(match event {
                    Event::Finding(finding, pointer) => {
                        assert_eq!(finding.pointer, pointer, "prepared for this finding");
                        format!(
                            "{:?} {:?} {}",
                            finding.record, finding.region, finding.message
                        )
                    }
                    other => format!("{other:?}"),
                });
                Ok(())
            },
        );
        (events, summary, result)
    }

    #[test]
    fn records_of_many_chunks_are_linted_and_emitted_in_order_as_each_alone() {
        let count = CHUNK_LINES * (IN_FLIGHT + 2) + 17;
        let lines: Vec<String> = (0..count).map(line).collect();
        let (events, summary, result) = stream(Given::Read, lines.join("\n"), None);
        assert!(result.is_ok());
        let (mapped, _, result) = stream(Given::Mapped, lines.join("\n"), None);
        assert!(result.is_ok());
        assert_eq!(mapped, events);
        let options = Options {
            max_line_length: 200,
            ..Options::default()
        };
        let mut expected = Vec::new();
        let mut records = 0;
        for (i, text) in lines.iter().enumerate() {
            let number = i + 1;
            let text = text.strip_suffix('\r').unwrap_or(text);
            if text.trim().is_empty() {
                continue;
            }
            records += 1;
            let findings = if text.len() > 200 {
                vec![too_long("in.jsonl", number, 200)]
            } else {
                lint_document("in.jsonl", Some(number), text.as_bytes(), number, options).findings
            };
            expected.extend(findings.iter().map(|finding| {
                format!(
                    "{:?} {:?} {}",
                    finding.record, finding.region, finding.message
                )
            }));
        }
        assert!(expected.len() > count / 2, "{}", expected.len());
        assert_eq!(events, expected);
        assert_eq!(summary.records, records);
        assert_eq!(summary.errors, expected.len());
    }

    #[test]
    fn a_failing_emit_stops_the_stream_at_once() {
        let count = CHUNK_LINES * (IN_FLIGHT + 2);
        let lines: Vec<String> = (0..count).map(line).collect();
        for given in [Given::Read, Given::Mapped] {
            for fail_at in [0, 1, CHUNK_LINES / 2, CHUNK_LINES * 2] {
                let (events, _, result) = stream(given, lines.join("\n"), Some(fail_at));
                assert!(
                    matches!(result, Err(LinesError::Emit(_))),
                    "{given:?} {fail_at}"
                );
                assert_eq!(events.len(), fail_at);
            }
        }
    }

    /// A mapped input is cut where a read one is: the same chunks, lines and line numbers.
    #[test]
    fn mapped_and_read_inputs_are_cut_alike() {
        let long = "x".repeat(CHUNK + 10);
        let inputs = [
            "{}\n".repeat(CHUNK_LINES * 2 + 5),
            "{}\r\n".repeat(CHUNK_LINES + 1),
            format!("{{}}\n{long}\n{{}}\n{long}"),
            format!("{}\n{long}\n", "y".repeat(CHUNK - 3)),
            String::new(),
            "no line feed".into(),
        ];
        for input in inputs {
            let mut file = tempfile::NamedTempFile::new().unwrap();
            io::Write::write_all(&mut file, input.as_bytes()).unwrap();
            let map = unsafe { memmap2::Mmap::map(file.as_file()) }.unwrap();
            let cut = |source| {
                let mut chunker = Chunker::new(source);
                let mut chunks = Vec::new();
                while let Some((chunk, newlines)) = chunker.next(CHUNK * 2).unwrap() {
                    chunks.push((chunk.bytes().to_vec(), chunk.lines(), newlines));
                    chunker.recycle(chunk);
                }
                chunks
            };
            let read = cut(Source::Reader(Box::new(io::Cursor::new(
                input.clone().into_bytes(),
            ))));
            assert_eq!(cut(Source::Mapped(&map)), read, "{}", input.len());
            let lines: usize = read.iter().map(|(_, _, newlines)| newlines).sum();
            assert_eq!(lines, input.matches('\n').count());
        }
    }
}
