//! JSON Lines: read in chunks of bounded size, several chunks linted at once on every core,
//! findings emitted in order.
//!
//! The reading thread reads a chunk and hands it to the pool as a job, until [`IN_FLIGHT`]
//! chunks are read and not yet written; then it waits for the oldest to be linted and writes
//! its findings. The cores never wait for a chunk boundary: while the last records
//! of one chunk are linted, the next chunk is already there. Memory stays bounded by
//! `IN_FLIGHT` chunks and their findings, whatever the input.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};
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

/// Lints a JSON Lines input, emitting each record's findings in order.
pub(super) fn lint_json_lines<T: Send>(
    name: &str,
    reader: Box<dyn Read>,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> Result<(), LinesError> {
    let mut reader = BufReader::with_capacity(READ_BUFFER, reader);
    // Chunks handed to the pool come back, linted, on this channel, with their sequence
    // number and their buffer (reused for a later chunk).
    let (done, linted) = mpsc::channel::<(usize, Vec<u8>, Outcome<T>)>();
    rayon::in_place_scope(|scope| {
        let mut buffers: Vec<Vec<u8>> = Vec::new();
        // The outcome of each chunk in flight, oldest first (`None`: not linted yet).
        let mut pending: VecDeque<Option<Outcome<T>>> = VecDeque::new();
        let mut oldest = 0;
        let mut first_line = 1;
        let mut ended = false;
        let mut read_error = None;
        loop {
            while !ended && pending.len() < IN_FLIGHT {
                // Buffers start small and grow to what the chunks need: a chunk of 1,024
                // short records is far smaller than `CHUNK`.
                let mut buffer = buffers
                    .pop()
                    .unwrap_or_else(|| Vec::with_capacity(READ_BUFFER));
                let lines = match fill_chunk(&mut reader, &mut buffer, options.max_line_length) {
                    Ok(Filled { newlines, eof }) => {
                        ended = eof;
                        newlines
                    }
                    Err(error) => {
                        ended = true;
                        read_error = Some(error);
                        0
                    }
                };
                if buffer.is_empty() {
                    buffers.push(buffer);
                    break;
                }
                let sequence = oldest + pending.len();
                pending.push_back(None);
                let done = done.clone();
                scope.spawn(move |_| {
                    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                        lint_chunk(name, &buffer, first_line, options, prepare)
                    }));
                    // The receiver lives until every chunk in flight is back.
                    let _ = done.send((sequence, buffer, outcome));
                });
                first_line += lines;
            }
            // Write the oldest chunk's findings once it is linted.
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
                return match read_error {
                    Some(error) => Err(LinesError::Read(error)),
                    None => Ok(()),
                };
            }
            if pending.len() == IN_FLIGHT || ended {
                // Every job sends its chunk back (a panic is caught and sent), and this
                // function holds a sender: the wait ends with the next chunk.
                if let Some((sequence, buffer, outcome)) = next_linted(&linted) {
                    pending[sequence - oldest] = Some(outcome);
                    buffers.push(buffer);
                }
            }
        }
    })
}

/// Waits for the next linted chunk. On a thread of the pool (a caller running the linter
/// from its own parallel work), blocking would keep it from running the very jobs it waits
/// for (with one thread, for ever): it runs pool jobs while it waits.
fn next_linted<M>(linted: &mpsc::Receiver<M>) -> Option<M> {
    if rayon::current_thread_index().is_none() {
        return linted.recv().ok();
    }
    loop {
        match linted.try_recv() {
            Ok(message) => return Some(message),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) => {
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    std::thread::yield_now();
                }
            }
        }
    }
}

/// Lints the lines of one chunk, the first being line `first_line` of the input, in parallel.
fn lint_chunk<T: Send>(
    name: &str,
    buffer: &[u8],
    first_line: usize,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
) -> Vec<Linted<T>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', buffer).chain(std::iter::once(buffer.len())) {
        let mut line_end = end;
        if line_end > start && buffer[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        lines.push(start..line_end);
        start = end + 1;
    }
    // A chunk that ends with a newline (all but the input's last): the empty piece after it
    // is not a line.
    if buffer.last() == Some(&b'\n') {
        lines.pop();
    }
    lines
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

    /// Runs the stream over `input`, recording each event, failing `emit` at event `fail_at`.
    fn stream(
        input: String,
        fail_at: Option<usize>,
    ) -> (Vec<String>, Summary, Result<(), LinesError>) {
        let options = Options {
            max_line_length: 200,
            ..Options::default()
        };
        let mut events = Vec::new();
        let mut summary = Summary::default();
        let result = lint_json_lines(
            "in.jsonl",
            Box::new(io::Cursor::new(input.into_bytes())),
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
        let (events, summary, result) = stream(lines.join("\n"), None);
        assert!(result.is_ok());
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

    /// Run from inside the pool (a caller's own parallel work), on one thread or two, the
    /// stream ends: the thread that waits for chunks runs them.
    #[test]
    fn the_stream_ends_when_run_on_a_thread_of_the_pool() {
        let count = CHUNK_LINES * (IN_FLIGHT + 2);
        let input: String = (0..count).map(line).collect::<Vec<_>>().join("\n");
        let (expected, _, _) = stream(input.clone(), None);
        for threads in [1, 2] {
            let (done, ended) = std::sync::mpsc::channel();
            let input = input.clone();
            std::thread::spawn(move || {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let _ = done.send(pool.install(|| stream(input, None).0));
            });
            let events = ended
                .recv_timeout(std::time::Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("the stream did not end on {threads} thread(s)"));
            assert_eq!(events, expected);
        }
    }

    #[test]
    fn a_failing_emit_stops_the_stream_at_once() {
        let count = CHUNK_LINES * (IN_FLIGHT + 2);
        let lines: Vec<String> = (0..count).map(line).collect();
        for fail_at in [0, 1, CHUNK_LINES / 2, CHUNK_LINES * 2] {
            let (events, _, result) = stream(lines.join("\n"), Some(fail_at));
            assert!(matches!(result, Err(LinesError::Emit(_))), "{fail_at}");
            assert_eq!(events.len(), fail_at);
        }
    }
}
