//! Reading inputs: a JSON document whole (up to its limit); standard input and JSON Lines
//! files as streams ([`super::jsonl`]).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read};

use super::finding::{too_large, unreadable};
use super::jsonl::{LinesError, lint_json_lines};
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
}
