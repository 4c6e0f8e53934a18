//! JSON Lines: read in chunks of bounded size, several chunks linted at once on every core,
//! findings emitted in order.
//!
//! The reading thread reads a chunk and hands it to the pool as a job, until [`IN_FLIGHT`]
//! chunks are read and not yet written; then it waits for the oldest to be linted and writes
//! its findings. The cores never wait for a chunk boundary: while the last records
//! of one chunk are linted, the next chunk is already there. Memory stays bounded by
//! `IN_FLIGHT` chunks and their findings, whatever the input.

use std::collections::VecDeque;
use std::io::{self, Read};
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
const READ: usize = 64 << 10;
/// Size of the chunks a JSON Lines input is read and linted in.
const CHUNK: usize = 4 << 20;
/// At most this many lines are in one chunk: the lines' places and results held per chunk
/// stay bounded however small the records (their findings are bounded by [`FINDINGS`]).
const CHUNK_LINES: usize = 1024;
/// At most this many chunks are read and not yet written.
const IN_FLIGHT: usize = 3;

/// At most this many findings of a chunk are held before they are written: a chunk is
/// linted a part at a time, each part at most as many records as can hold the findings left
/// (at most [`MAX_SHOWN`](super::MAX_SHOWN) each); past the budget, the rest of the chunk is
/// linted once what was found is written. Memory holds at most [`IN_FLIGHT`] budgets of
/// findings, however many each record has.
const FINDINGS: usize = if cfg!(test) { 400 } else { 6144 };

/// What linting (a part of) a chunk found: each record's findings, and the first line left
/// for later (the budget was spent); or the panic that linting it raised.
type Outcome<T> = std::thread::Result<(Vec<Linted<T>>, Option<usize>)>;

/// Lints a JSON Lines input, emitting each record's findings in order.
pub(super) fn lint_json_lines<T: Send>(
    name: &str,
    reader: Box<dyn Read>,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
    summary: &mut Summary,
    emit: &mut dyn FnMut(Event<'_, T>) -> io::Result<()>,
) -> Result<(), LinesError> {
    let mut chunks = Chunks::new(reader);
    // Chunks handed to the pool come back, linted, on this channel, with their sequence
    // number and their buffer (reused for a later chunk).
    let (done, linted) = mpsc::channel::<Returned<T>>();
    rayon::in_place_scope(|scope| {
        let mut buffers: Vec<Vec<u8>> = Vec::new();
        // Each chunk in flight, oldest first (`None`: not linted yet).
        let mut pending: VecDeque<Option<Returned<T>>> = VecDeque::new();
        // Lints the chunk at `sequence` from its line `from` on.
        let spawn = |sequence: usize, buffer: Vec<u8>, first_line: usize, from: usize| {
            let done = done.clone();
            scope.spawn(move |_| {
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                    lint_chunk(name, &buffer, first_line, from, options, prepare)
                }));
                // The receiver lives until every chunk in flight is back.
                let _ = done.send(Returned {
                    sequence,
                    buffer,
                    first_line,
                    outcome,
                });
            });
        };
        let mut oldest = 0;
        let mut first_line = 1;
        let mut ended = false;
        let mut read_error = None;
        loop {
            while !ended && pending.len() < IN_FLIGHT {
                // Buffers start small and grow to what the chunks need: a chunk of 1,024
                // short records is far smaller than `CHUNK`.
                let mut buffer = buffers.pop().unwrap_or_default();
                let lines = match chunks.fill(&mut buffer, options.max_line_length) {
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
                spawn(oldest + pending.len(), buffer, first_line, 0);
                pending.push_back(None);
                first_line += lines;
            }
            // Write the oldest chunk's findings once it is linted; a chunk left unfinished
            // (its findings past the budget) goes on from where it stopped, and stays the
            // oldest.
            while let Some(front) = pending.front_mut()
                && let Some(chunk) = front.take()
            {
                let (results, rest) = chunk
                    .outcome
                    .unwrap_or_else(|panic| panic::resume_unwind(panic));
                for record in results {
                    // The chunks still in flight are waited for at the end of the scope.
                    record.emit(summary, emit).map_err(LinesError::Emit)?;
                }
                if let Some(from) = rest {
                    spawn(oldest, chunk.buffer, chunk.first_line, from);
                    break;
                }
                pending.pop_front();
                oldest += 1;
                buffers.push(chunk.buffer);
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
                if let Some(chunk) = next_linted(&linted) {
                    let slot = chunk.sequence - oldest;
                    pending[slot] = Some(chunk);
                }
            }
        }
    })
}

/// A chunk back from the pool: its place in the input, its bytes, and what linting found.
struct Returned<T> {
    sequence: usize,
    buffer: Vec<u8>,
    first_line: usize,
    outcome: Outcome<T>,
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
    from: usize,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
) -> (Vec<Linted<T>>, Option<usize>) {
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
    let mut results: Vec<Linted<T>> = Vec::new();
    let mut findings = 0;
    let mut at = from;
    while at < lines.len() {
        // As many records as the findings left can hold, whatever each has.
        let part = (FINDINGS.saturating_sub(findings) / super::MAX_SHOWN).min(lines.len() - at);
        if part == 0 {
            return (results, Some(at));
        }
        let linted: Vec<Linted<T>> = lines[at..at + part]
            .par_iter()
            .enumerate()
            .map(|(i, range)| {
                lint_line(
                    name,
                    &buffer[range.clone()],
                    first_line + at + i,
                    options,
                    prepare,
                )
            })
            .collect();
        findings += linted.iter().map(Linted::findings).sum::<usize>();
        results.extend(linted);
        at += part;
    }
    (results, None)
}

/// Lints the line numbered `number`.
fn lint_line<T: Send>(
    name: &str,
    line: &[u8],
    number: usize,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
) -> Linted<T> {
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
}

/// What [`Chunks::fill`] read.
struct Filled {
    /// Line feeds in the chunk: the number of its lines, but for a last one without.
    newlines: usize,
    /// Whether the input ended.
    eof: bool,
}

/// A JSON Lines input read in chunks of whole lines, straight into each chunk's buffer
/// (no intermediate buffer, no second copy). A read may go past a chunk's end: what it
/// read beyond is carried to the next chunk.
struct Chunks {
    reader: Box<dyn Read>,
    /// Bytes read past the last chunk's end, from `carried_at` on.
    carried: Vec<u8>,
    carried_at: usize,
}

impl Chunks {
    fn new(reader: Box<dyn Read>) -> Self {
        Chunks {
            reader,
            carried: Vec::new(),
            carried_at: 0,
        }
    }

    /// Fills `buffer` with whole lines: [`CHUNK_LINES`] lines, or about [`CHUNK`] bytes then
    /// up to the next newline, of which a line past `max_line` keeps only enough to be seen
    /// as too long.
    fn fill(&mut self, buffer: &mut Vec<u8>, max_line: usize) -> io::Result<Filled> {
        buffer.clear();
        let mut lines = 0;
        // What the last read carried over first.
        let carried = &self.carried[self.carried_at..];
        if let Some(end) = memchr::memchr_iter(b'\n', carried).nth(CHUNK_LINES - 1) {
            buffer.extend_from_slice(&carried[..=end]);
            self.carried_at += end + 1;
            return Ok(Filled {
                newlines: CHUNK_LINES,
                eof: false,
            });
        }
        lines += memchr::memchr_iter(b'\n', carried).count();
        buffer.extend_from_slice(carried);
        self.carried.clear();
        self.carried_at = 0;
        while buffer.len() < CHUNK {
            // Reads sized to end near the chunk's last line, as far as the lines so far
            // tell: little is read past it and carried.
            let mut want = READ.min(CHUNK - buffer.len());
            if lines > 0 {
                let expected = (CHUNK_LINES - lines) * (buffer.len() / lines);
                want = want.min(expected + READ / 16);
            }
            let start = buffer.len();
            if self.read(buffer, want)? == 0 {
                return Ok(Filled {
                    newlines: lines,
                    eof: true,
                });
            }
            for end in memchr::memchr_iter(b'\n', &buffer[start..]) {
                lines += 1;
                if lines == CHUNK_LINES {
                    self.carry(buffer, start + end + 1);
                    return Ok(Filled {
                        newlines: lines,
                        eof: false,
                    });
                }
            }
        }
        // Past `CHUNK` bytes, only the rest of the last line is read, keeping at most
        // `max_line + 2` of its bytes: one past the limit even when the line ends with `\r\n`
        // (lines are measured without the `\r`).
        let line_start = memchr::memrchr(b'\n', buffer).map_or(0, |i| i + 1);
        let keep_until = line_start.saturating_add(max_line).saturating_add(2);
        loop {
            let start = buffer.len();
            if self.read(buffer, READ)? == 0 {
                buffer.truncate(buffer.len().min(keep_until));
                return Ok(Filled {
                    newlines: lines,
                    eof: true,
                });
            }
            match memchr::memchr(b'\n', &buffer[start..]) {
                Some(at) => {
                    let newline = start + at;
                    self.carried.extend_from_slice(&buffer[newline + 1..]);
                    buffer.truncate(newline.min(keep_until));
                    buffer.push(b'\n');
                    return Ok(Filled {
                        newlines: lines + 1,
                        eof: false,
                    });
                }
                None => buffer.truncate(buffer.len().min(keep_until)),
            }
        }
    }

    /// Reads at most `want` bytes (one `read`, but for interruptions) at the end of
    /// `buffer`; returns how many, 0 at the end of the input.
    fn read(&mut self, buffer: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        let start = buffer.len();
        buffer.resize(start + want, 0);
        let read = loop {
            match self.reader.read(&mut buffer[start..]) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                read => break read,
            }
        };
        buffer.truncate(start + *read.as_ref().unwrap_or(&0));
        read
    }

    /// Ends the chunk in `buffer` at `end`, carrying what follows to the next one.
    fn carry(&mut self, buffer: &mut Vec<u8>, end: usize) {
        self.carried.extend_from_slice(&buffer[end..]);
        buffer.truncate(end);
    }
}

#[cfg(test)]
mod tests;
