//! Reading a JSON Lines input in chunks of whole lines.

use std::io::{self, Read};

use super::{CHUNK, CHUNK_LINES};

/// Size of the reads of a JSON Lines input.
pub(super) const READ: usize = 64 << 10;

/// The first chunk holds at most this many lines, and each next one twice as many as the
/// one before, up to [`CHUNK_LINES`]: the cores start on a small chunk soon, not on a full
/// one once it is read.
pub(super) const FIRST_LINES: usize = 64;

/// A chunk's bytes, at the start of storage that stays initialized as it is reused: a read
/// goes into it without zeroing it first (but for the first use of each byte).
#[derive(Default)]
pub(super) struct Buffer {
    storage: Vec<u8>,
    len: usize,
    /// Where the chunk's line feeds are, as [`Chunks::fill`] found them.
    newlines: Vec<usize>,
}

impl Buffer {
    /// The chunk.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.storage[..self.len]
    }

    /// Where the chunk's line feeds are, in order.
    pub(super) fn newlines(&self) -> &[usize] {
        &self.newlines
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Room for `more` bytes after the chunk's.
    fn spare(&mut self, more: usize) -> &mut [u8] {
        let end = self.len + more;
        if self.storage.len() < end {
            self.storage.resize(end, 0);
        }
        &mut self.storage[self.len..end]
    }

    fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.spare(bytes.len()).copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn push(&mut self, byte: u8) {
        self.extend_from_slice(&[byte]);
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
        let kept = self.newlines.partition_point(|&at| at < self.len);
        self.newlines.truncate(kept);
    }
}

/// What [`Chunks::fill`] read (its line feeds are in [`Buffer::newlines`]).
pub(super) struct Filled {
    /// Whether the input ended.
    pub(super) eof: bool,
}

/// A JSON Lines input read in chunks of whole lines, straight into each chunk's buffer
/// (no intermediate buffer, no second copy). A read may go past a chunk's end: what it
/// read beyond is carried to the next chunk.
pub(super) struct Chunks {
    reader: Box<dyn Read>,
    /// Bytes read past the last chunk's end, from `carried_at` on.
    carried: Vec<u8>,
    carried_at: usize,
    /// At most this many lines in the next chunk.
    lines: usize,
}

impl Chunks {
    pub(super) fn new(reader: Box<dyn Read>) -> Self {
        Chunks {
            reader,
            carried: Vec::new(),
            carried_at: 0,
            lines: FIRST_LINES,
        }
    }

    /// Fills `buffer` with whole lines: at most [`CHUNK_LINES`] lines (fewer in the first
    /// chunks, see [`FIRST_LINES`]), or about [`CHUNK`] bytes then up to the next newline, of
    /// which a line past `max_line` keeps only enough to be seen as too long.
    pub(super) fn fill(&mut self, buffer: &mut Buffer, max_line: usize) -> io::Result<Filled> {
        let most = self.lines;
        self.lines = (most * 2).min(CHUNK_LINES);
        buffer.len = 0;
        buffer.newlines.clear();
        // What the last read carried over first.
        let carried = &self.carried[self.carried_at..];
        for end in memchr::memchr_iter(b'\n', carried) {
            buffer.newlines.push(end);
            if buffer.newlines.len() == most {
                buffer.extend_from_slice(&carried[..=end]);
                self.carried_at += end + 1;
                return Ok(Filled { eof: false });
            }
        }
        buffer.extend_from_slice(carried);
        self.carried.clear();
        self.carried_at = 0;
        while buffer.len < CHUNK {
            // Reads sized to end near the chunk's last line, as far as the lines so far
            // tell: little is read past it and carried.
            let mut want = READ.min(CHUNK - buffer.len);
            let lines = buffer.newlines.len();
            if lines > 0 {
                let expected = (most - lines) * (buffer.len / lines);
                want = want.min(expected + READ / 16);
            }
            let start = buffer.len;
            if self.read(buffer, want)? == 0 {
                return Ok(Filled { eof: true });
            }
            for end in memchr::memchr_iter(b'\n', &buffer.storage[start..buffer.len]) {
                buffer.newlines.push(start + end);
                if buffer.newlines.len() == most {
                    self.carry(buffer, start + end + 1);
                    return Ok(Filled { eof: false });
                }
            }
        }
        // Past `CHUNK` bytes, only the rest of the last line is read, keeping at most
        // `max_line + 2` of its bytes: one past the limit even when the line ends with `\r\n`
        // (lines are measured without the `\r`).
        let line_start = buffer.newlines.last().map_or(0, |at| at + 1);
        let keep_until = line_start.saturating_add(max_line).saturating_add(2);
        loop {
            let start = buffer.len;
            if self.read(buffer, READ)? == 0 {
                buffer.truncate(keep_until);
                return Ok(Filled { eof: true });
            }
            match memchr::memchr(b'\n', &buffer.bytes()[start..]) {
                Some(at) => {
                    let newline = start + at;
                    self.carried
                        .extend_from_slice(&buffer.bytes()[newline + 1..]);
                    buffer.truncate(newline.min(keep_until));
                    buffer.push(b'\n');
                    buffer.newlines.push(buffer.len - 1);
                    return Ok(Filled { eof: false });
                }
                None => buffer.truncate(keep_until),
            }
        }
    }

    /// Reads at most `want` bytes (one `read`, but for interruptions) after the chunk in
    /// `buffer`; returns how many, 0 at the end of the input. On an error, the chunk keeps
    /// its whole lines only: the line the error cut is not a record.
    fn read(&mut self, buffer: &mut Buffer, want: usize) -> io::Result<usize> {
        let spare = buffer.spare(want);
        let read = loop {
            match self.reader.read(spare) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                read => break read,
            }
        };
        match read {
            Ok(read) => {
                buffer.len += read;
                Ok(read)
            }
            Err(error) => {
                let whole = memchr::memrchr(b'\n', buffer.bytes()).map_or(0, |at| at + 1);
                buffer.truncate(whole);
                Err(error)
            }
        }
    }

    /// Ends the chunk in `buffer` at `end`, carrying what follows to the next one.
    fn carry(&mut self, buffer: &mut Buffer, end: usize) {
        self.carried.extend_from_slice(&buffer.bytes()[end..]);
        buffer.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line feeds `fill` recorded are the chunk's.
    fn assert_newlines_found(buffer: &Buffer) {
        let newlines: Vec<usize> = memchr::memchr_iter(b'\n', buffer.bytes()).collect();
        assert_eq!(buffer.newlines(), newlines);
    }

    #[test]
    fn a_json_lines_chunk_holds_a_bounded_number_of_lines() {
        let input = "{}\n".repeat(2 * CHUNK_LINES + 5);
        let mut chunks = Chunks::new(Box::new(io::Cursor::new(input.into_bytes())));
        let mut buffer = Buffer::default();
        let mut sizes = Vec::new();
        loop {
            let filled = chunks.fill(&mut buffer, 100).unwrap();
            let newlines = memchr::memchr_iter(b'\n', buffer.bytes()).count();
            assert_newlines_found(&buffer);
            sizes.push(newlines);
            if filled.eof {
                break;
            }
        }
        let ramp: Vec<usize> = (0..)
            .map(|i| FIRST_LINES << i)
            .take_while(|n| *n < CHUNK_LINES)
            .collect();
        let ramped: usize = ramp.iter().sum();
        let expected: Vec<usize> = ramp
            .into_iter()
            .chain([CHUNK_LINES, 2 * CHUNK_LINES + 5 - ramped - CHUNK_LINES])
            .collect();
        assert_eq!(sizes, expected);
    }

    /// A reader that returns at most a few bytes per `read`, as a pipe may, and is
    /// interrupted now and then.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        reads: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            if self.reads.is_multiple_of(7) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf
                .len()
                .min(self.bytes.len() - self.at)
                .min(1 + self.reads * 7919 % 70_000);
            buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// Whatever the lines' lengths (tiny, ordinary, past `CHUNK`, past the line limit) and
    /// however the reads split them, the chunks are the input's lines in order, whole, each
    /// in one chunk, but for lines past the limit, which keep enough to be seen as too long.
    #[test]
    fn chunks_are_the_input_s_lines_however_the_reads_split_them() {
        let max_line = 3 * CHUNK / 2;
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for i in 0..5000 {
            let len = match i % 500 {
                0 => CHUNK + 17,
                250 => max_line + 5,
                _ => i * 31 % 700,
            };
            let mut line = vec![b'a' + (i % 26) as u8; len];
            if i % 3 == 0 {
                line.push(b'\r');
            }
            lines.push(line);
        }
        let mut input: Vec<u8> = lines.join(&b'\n');
        input.push(b'\n');
        for trickle in [false, true] {
            let reader: Box<dyn Read> = if trickle {
                Box::new(Trickle {
                    bytes: input.clone(),
                    at: 0,
                    reads: 0,
                })
            } else {
                Box::new(io::Cursor::new(input.clone()))
            };
            let mut chunks = Chunks::new(reader);
            let mut buffer = Buffer::default();
            let mut read: Vec<Vec<u8>> = Vec::new();
            loop {
                let filled = chunks.fill(&mut buffer, max_line).unwrap();
                assert!(buffer.newlines().len() <= CHUNK_LINES + 1);
                assert_newlines_found(&buffer);
                let bytes = buffer.bytes();
                assert!(bytes.is_empty() || bytes.ends_with(b"\n") || filled.eof);
                assert!(bytes.len() <= CHUNK + max_line + 2 + READ);
                read.extend(bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec));
                if bytes.ends_with(b"\n") {
                    read.pop();
                }
                if filled.eof {
                    break;
                }
            }
            assert_eq!(read.len(), lines.len());
            for (i, (read, line)) in read.iter().zip(&lines).enumerate() {
                if line.len() > max_line + 2 {
                    assert_eq!(read[..], line[..max_line + 2], "line {i}");
                } else {
                    assert_eq!(read, line, "line {i}");
                }
            }
        }
    }
}
