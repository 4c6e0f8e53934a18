//! JSON Lines: read in chunks of bounded size, several chunks linted at once on every core,
//! findings emitted in order.
//!
//! The reading thread reads a chunk and hands it to the pool as a job; between two reads it
//! writes the findings of the oldest chunk if it is linted, and once [`IN_FLIGHT`] chunks
//! are read and not yet written, it waits for the oldest. The cores never wait for a chunk
//! boundary: while the last records of one chunk are linted, the next chunk is already
//! there. The first chunks are small ([`chunks`]), so the cores start early. Memory stays
//! bounded by `IN_FLIGHT` chunks and their findings, whatever the input.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

use rayon::prelude::*;

use self::chunks::{Buffer, Chunks, Filled};
use super::finding::too_long;
use super::{Document, Event, Finding, Linted, Options, Summary, lint_document, whole};

pub(super) enum LinesError {
    /// Reading failed.
    Read(io::Error),
    /// The caller's `emit` failed.
    Emit(io::Error),
}

/// Size of the chunks a JSON Lines input is read and linted in.
const CHUNK: usize = 4 << 20;
/// At most this many lines are in one chunk: the lines' places and results held per chunk
/// stay bounded however small the records (their findings are bounded by [`FINDINGS`]).
/// Few enough that a chunk of ~500-byte records (128 KiB) is still in a core's cache when it
/// is linted: 1,024 lines were about a tenth slower (README, Performance).
const CHUNK_LINES: usize = 256;
/// At most this many chunks are read and not yet written: 4, with the budget below, ran
/// about 2.7% faster than 3 on two cores (README, Performance).
const IN_FLIGHT: usize = 4;

/// At most this many findings of a chunk are held before they are written: a chunk is
/// linted a part at a time, each part at most as many records as can hold the findings left
/// (at most [`MAX_SHOWN`](super::MAX_SHOWN) each); past the budget, the rest of the chunk is
/// linted once what was found is written. Memory holds at most [`IN_FLIGHT`] budgets of
/// findings, however many each record has: 18,432 in all, as with 3 budgets of 6,144.
const FINDINGS: usize = if cfg!(test) { 400 } else { 4608 };

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
    // FIFO: a thread of the pool that runs the chunks it handed out (this one, while it
    // waits) runs the oldest first, the one written next; the newest stay queued for the
    // other threads while this one writes and reads.
    rayon::in_place_scope_fifo(|scope| {
        let mut buffers: Vec<Buffer> = Vec::new();
        // Each chunk in flight, oldest first (`None`: not linted yet).
        let mut pending: VecDeque<Option<Returned<T>>> = VecDeque::new();
        // Lints the chunk at `sequence` from its line `from` on.
        let spawn = |sequence: usize, buffer: Buffer, first_line: usize, from: usize| {
            let done = done.clone();
            scope.spawn_fifo(move |_| {
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                    lint_chunk(
                        name,
                        buffer.bytes(),
                        buffer.newlines(),
                        first_line,
                        from,
                        options,
                        prepare,
                    )
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
        // The only thread of the pool (one core, `RAYON_NUM_THREADS=1`) lints what it read
        // before it reads more: no other thread would lint it while a read blocks on a slow
        // producer, and its findings would wait for that read.
        let in_flight =
            if rayon::current_thread_index().is_some() && rayon::current_num_threads() == 1 {
                1
            } else {
                IN_FLIGHT
            };
        loop {
            if !ended && pending.len() < in_flight {
                // Buffers start small and grow to what the chunks need: a chunk of 256
                // short records is far smaller than `CHUNK`.
                let mut buffer = buffers.pop().unwrap_or_default();
                let lines = match chunks.fill(&mut buffer, options.max_line_length) {
                    Ok(Filled { eof }) => {
                        ended = eof;
                        buffer.newlines().len()
                    }
                    Err(error) => {
                        ended = true;
                        read_error = Some(error);
                        0
                    }
                };
                if buffer.is_empty() {
                    buffers.push(buffer);
                } else {
                    spawn(oldest + pending.len(), buffer, first_line, 0);
                    pending.push_back(None);
                    first_line += lines;
                }
            }
            // Chunks linted meanwhile, without waiting: between two reads (of a slow
            // producer, say) the oldest chunk's findings are written as soon as they are
            // there.
            while let Ok(chunk) = linted.try_recv() {
                let slot = chunk.sequence - oldest;
                pending[slot] = Some(chunk);
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
            if pending.len() == in_flight || ended {
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
    buffer: Buffer,
    first_line: usize,
    outcome: Outcome<T>,
}

/// Waits for the next linted chunk. On a thread of the pool (the binary's main thread is
/// one, see [`run`](super::run)), it lints while it waits: it runs the pool's jobs, and when
/// there are none, waits for the chunk a little ([`IDLE`]) before it looks again (another
/// thread may have split its chunk). Blocking there for good would keep it from running the
/// very jobs it waits for (with one thread, for ever).
fn next_linted<M>(linted: &mpsc::Receiver<M>) -> Option<M> {
    if rayon::current_thread_index().is_none() {
        return linted.recv().ok();
    }
    loop {
        match linted.try_recv() {
            Ok(message) => return Some(message),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) => {}
        }
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            match linted.recv_timeout(IDLE) {
                Ok(message) => return Some(message),
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

/// How long a pool thread with no job to run waits for a chunk before it looks for jobs again.
const IDLE: std::time::Duration = std::time::Duration::from_micros(100);

/// Lints the lines of one chunk, the first being line `first_line` of the input, in parallel;
/// `newlines` are where the chunk's line feeds are.
fn lint_chunk<T: Send>(
    name: &str,
    buffer: &[u8],
    newlines: &[usize],
    first_line: usize,
    from: usize,
    options: Options,
    prepare: &(dyn Fn(&Finding) -> T + Sync),
) -> (Vec<Linted<T>>, Option<usize>) {
    // Each line, without its line feed and a `\r` before it; a last one without a line
    // feed (the input's last line) too.
    let last = newlines.last().map_or(0, |at| at + 1);
    let ends = newlines.iter().copied();
    let ends = ends.chain((last < buffer.len()).then_some(buffer.len()));
    let mut start = 0;
    let lines: Vec<Range<usize>> = ends
        .map(|end| {
            let mut line_end = end;
            if line_end > start && buffer[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            let line = start..line_end;
            start = end + 1;
            line
        })
        .collect();
    let mut results: Vec<Linted<T>> = Vec::with_capacity(lines.len() - from);
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

mod chunks;
#[cfg(test)]
mod tests;
