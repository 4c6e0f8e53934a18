//! Reading inputs: a JSON document whole (up to its limit), JSON Lines in chunks of
//! bounded size, linted in parallel and emitted in order.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use rayon::prelude::*;

use super::finding::{too_large, too_long, unreadable};
use super::{
    Document, Event, Finding, Input, InputFormat, Linted, Options, Summary, lint_document, whole,
};

/// Reads and lints one JSON document: whether it counts as a record, and its findings.
/// `size`: the input's size, if known (see [`Input::File`]).
pub(super) fn lint_json(
    name: &str,
    mut reader: impl Read,
    size: Option<u64>,
    options: Options,
) -> (bool, Document) {
    // One buffer per thread, reused from file to file: a fresh one would be allocated and
    // zeroed for every file.
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        let linted = match read_limited(&mut reader, options.max_file_size, size, buffer) {
            Err(error) => (false, whole(unreadable(name, &error.to_string()))),
            Ok(len) if len as u64 > options.max_file_size => {
                (false, whole(too_large(name, options.max_file_size)))
            }
            Ok(len) => (true, lint_document(name, None, &buffer[..len], 1, options)),
        };
        // Keep memory bounded: a large file's buffer is not kept.
        if buffer.len() > KEPT_BUFFER {
            *buffer = Vec::new();
        }
        linted
    })
}

/// A thread keeps its read buffer up to this size.
const KEPT_BUFFER: usize = 1 << 20;

/// Reads a whole input into `buffer` (grown as needed, never shrunk here), but at most
/// `limit + 1` bytes: `read` until it returns 0, the limit is passed, or `size` bytes (the
/// size discovery saw, when it is within the limit) are read. Returns the length read.
/// Payload files are small; on many of them, every system call counts. `std::fs::read`, and
/// even `File::read_to_end`, first ask for the size (`statx`, then `lseek` for the position):
/// two more calls per file; and without a size, the end is a last `read` that returns 0.
fn read_limited(
    reader: &mut impl Read,
    limit: u64,
    size: Option<u64>,
    buffer: &mut Vec<u8>,
) -> io::Result<usize> {
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let known = size
        .filter(|size| *size <= limit)
        .and_then(|size| usize::try_from(size).ok());
    let first = known.map_or(cap.min(16 << 10), |size| size.max(1));
    if buffer.len() < first {
        buffer.resize(first, 0);
    }
    let mut len = 0;
    loop {
        if Some(len) == known {
            break;
        }
        if len == buffer.len() {
            if len == cap {
                break;
            }
            buffer.resize(len.saturating_mul(2).min(cap), 0);
        }
        // Never past the known size, however large the reused buffer is.
        let room = buffer.len().min(known.unwrap_or(cap));
        match reader.read(&mut buffer[len..room]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(len)
}

/// Lints standard input or a JSON Lines file, emitting findings as chunks complete.
pub(super) fn lint_streamed<T: Send>(
    input: &Input,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> io::Result<()> {
    let (name, format, reader): (&str, InputFormat, io::Result<Box<dyn Read>>) = match input {
        Input::File {
            path, name, format, ..
        } => (
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
            InputFormat::Json => lint_json(name, reader, None, options),
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

/// Size of the reads of a JSON Lines input.
const READ_BUFFER: usize = 256 << 10;
/// Size of the chunks a JSON Lines input is read and linted in.
const CHUNK: usize = 4 << 20;
/// At most this many lines are linted at once: with [`MAX_SHOWN`](super::MAX_SHOWN) findings per record, the
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
    // Buffers start small and grow to what the chunks need: a chunk of 1,024 short records
    // is far smaller than `CHUNK`, and untouched capacity still costs page faults.
    let mut reader = BufReader::with_capacity(READ_BUFFER, reader);
    let mut line_number = 1;
    // Two chunks: one linted while the next is read into the other.
    let mut buffer: Vec<u8> = Vec::with_capacity(READ_BUFFER);
    let mut next: Vec<u8> = Vec::with_capacity(READ_BUFFER);
    let mut filled = fill_chunk(&mut reader, &mut buffer, options.max_line_length);
    // The previous chunk's findings, written while this chunk is linted: writing is serial,
    // and would otherwise leave the other cores idle. (The costly part of writing, rendering
    // snippets, is done by `prepare`, in parallel.)
    let mut pending: Vec<Linted<T>> = Vec::new();
    loop {
        let eof = match filled {
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
        let mut next_filled = Ok(true);
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
            // Meanwhile, on this thread: write the previous chunk's findings, read the next.
            let emitted = emit_chunk(std::mem::take(&mut pending), summary, emit);
            if !eof {
                next_filled = fill_chunk(&mut reader, &mut next, options.max_line_length);
            }
            emitted
        })
        .map_err(LinesError::Emit)?;
        pending = results;
        if eof {
            return emit_chunk(pending, summary, emit).map_err(LinesError::Emit);
        }
        std::mem::swap(&mut buffer, &mut next);
        filled = next_filled;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts the `read` calls made on it.
    struct Counting<R>(R, usize);

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 += 1;
            self.0.read(buf)
        }
    }

    #[test]
    fn a_file_of_known_size_is_read_without_a_last_empty_read() {
        // One buffer for every read, as a thread reuses it: longer first, then shorter.
        let mut buffer = Vec::new();
        let mut read = |reader: &mut dyn Read, limit, size| {
            let len = read_limited(&mut &mut *reader, limit, size, &mut buffer).unwrap();
            buffer[..len].to_vec()
        };
        let mut large = io::Cursor::new(vec![b' '; 50]);
        // A size past the limit is not trusted: at most limit + 1 bytes, as without one.
        assert_eq!(read(&mut large, 10, Some(50)).len(), 11);
        let mut known = Counting(io::Cursor::new(b"{}\n".to_vec()), 0);
        assert_eq!(read(&mut known, 100, Some(3)), b"{}\n");
        assert_eq!(known.1, 1);
        let mut unknown = Counting(io::Cursor::new(b"{}\n".to_vec()), 0);
        assert_eq!(read(&mut unknown, 100, None), b"{}\n");
        assert_eq!(unknown.1, 2);
        // Bytes added after discovery are not read; a file that shrank is read to its end.
        let mut grown = io::Cursor::new(b"{}\n{}".to_vec());
        assert_eq!(read(&mut grown, 100, Some(3)), b"{}\n");
        let mut shrunk = io::Cursor::new(b"{}".to_vec());
        assert_eq!(read(&mut shrunk, 100, Some(3)), b"{}");
    }

    #[test]
    fn a_json_lines_chunk_holds_a_bounded_number_of_lines() {
        let input = "{}\n".repeat(CHUNK_LINES * 2 + 5);
        let reader: Box<dyn Read> = Box::new(io::Cursor::new(input.into_bytes()));
        let mut reader = BufReader::with_capacity(CHUNK, reader);
        let mut buffer = Vec::new();
        let mut sizes = Vec::new();
        loop {
            let eof = fill_chunk(&mut reader, &mut buffer, 100).unwrap();
            sizes.push(memchr::memchr_iter(b'\n', &buffer).count());
            if eof {
                break;
            }
        }
        assert_eq!(sizes, [CHUNK_LINES, CHUNK_LINES, 5]);
    }
}
