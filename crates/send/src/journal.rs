//! The journal: one JSON line per finished record, appended and flushed to disk before the
//! record counts as done, so a crash loses at most the records in flight, never a line.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use kaleyra_wa_client::{Delivery, Status};
use serde::{Deserialize, Serialize};

/// A finished record's outcome, as journalled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Accepted by Kaleyra.
    Accepted,
    /// Refused (a documented error, or an unexpected 4xx answer other than 429).
    Rejected,
    /// May have been sent.
    Unknown,
}

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The input's name.
    pub file: String,
    /// The JSON Lines line; `null` for a JSON file.
    pub record: Option<usize>,
    /// SHA-256 of the record's bytes (hex).
    pub sha256: String,
    /// `extra_info.ref`, if any.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// Kaleyra's message id, when accepted.
    pub message_id: Option<String>,
    /// Kaleyra's code (`WA202`, `WA400`...), when the answer had one.
    pub code: Option<String>,
    /// The HTTP status, when an answer came.
    pub http_status: Option<u16>,
    /// Requests made for the record.
    pub attempts: u32,
    /// When the record finished (RFC 3339, UTC).
    pub at: String,
}

impl Entry {
    /// The entry for a finished delivery; `None` when nothing was delivered (not sent: the
    /// record is not finished, and sending it again is safe).
    pub fn new(
        file: &str,
        record: Option<usize>,
        sha256: String,
        reference: Option<String>,
        delivery: &Delivery,
    ) -> Option<Entry> {
        let outcome = match delivery.outcome.status() {
            Status::Accepted => Outcome::Accepted,
            Status::Rejected => Outcome::Rejected,
            Status::Unknown => Outcome::Unknown,
            Status::NotSent => return None,
        };
        Some(Entry {
            file: file.to_owned(),
            record,
            sha256,
            reference,
            outcome,
            message_id: delivery.outcome.message_id().map(str::to_owned),
            code: delivery.outcome.code().map(str::to_owned),
            http_status: delivery.outcome.http_status(),
            attempts: delivery.attempts,
            at: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
        })
    }
}

/// A journal that cannot be used.
#[derive(Debug)]
pub enum JournalError {
    /// It cannot be read or written.
    Io(io::Error),
    /// A complete line (1-based) is not a journal entry.
    Corrupt(usize, String),
}

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalError::Io(e) => e.fmt(f),
            JournalError::Corrupt(line, e) => write!(f, "line {line} is not a journal entry: {e}"),
        }
    }
}

/// The entries of a journal, the last per record.
pub type Done = HashMap<(String, Option<usize>), Entry>;

/// Reads a journal (a missing file is empty). A last line without its newline is a write
/// cut short by a crash: it is ignored (its record was not finished), and the length of the
/// journal without it is returned, for [`Writer::cut`].
pub fn load(path: &Path) -> Result<(Done, Option<u64>), JournalError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Done::new(), None)),
        Err(e) => return Err(JournalError::Io(e)),
    };
    let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let torn = (complete < text.len()).then_some(complete as u64);
    let mut done = Done::new();
    for (index, line) in text[..complete].split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let entry: Entry = serde_json::from_slice(line)
            .map_err(|e| JournalError::Corrupt(index + 1, e.to_string()))?;
        done.insert((entry.file.clone(), entry.record), entry);
    }
    Ok((done, torn))
}

/// A journal open for appending.
pub struct Writer {
    file: File,
}

impl Writer {
    /// Opens (creating) the journal for appending and locks it (an advisory lock, held until
    /// the process ends): a second run on the same journal fails here instead of sending
    /// the same records.
    pub fn open(path: &Path) -> io::Result<Writer> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Writer { file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(io::Error::other("in use by another kaleyra-wa-send run"))
            }
            Err(std::fs::TryLockError::Error(error)) => Err(error),
        }
    }

    /// Cuts the journal to `length` bytes: [`load`] found a torn last line there.
    pub fn cut(&mut self, length: u64) -> io::Result<()> {
        self.file.set_len(length)?;
        self.file.sync_data()
    }

    /// Appends one entry in one write and flushes it to disk.
    pub fn append(&mut self, entry: &Entry) -> io::Result<()> {
        // Serializing strings and numbers cannot fail.
        let mut line = serde_json::to_vec(entry).expect("an entry serializes");
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_ignored_and_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let line = r#"{"file":"a.jsonl","record":1,"sha256":"00","ref":null,"outcome":"accepted","message_id":"M","code":"WA202","http_status":202,"attempts":1,"at":"2026-01-01T00:00:00.000Z"}"#;
        std::fs::write(&path, format!("{line}\n{}", &line[..40])).unwrap();
        let (done, torn) = load(&path).unwrap();
        assert_eq!(torn, Some(line.len() as u64 + 1));
        assert_eq!(done.len(), 1);
        let entry = done[&("a.jsonl".to_owned(), Some(1))].clone();
        let mut writer = Writer::open(&path).unwrap();
        writer.cut(torn.unwrap()).unwrap();
        assert!(Writer::open(&path).is_err(), "locked");
        writer
            .append(&Entry {
                record: Some(2),
                ..entry
            })
            .unwrap();
        let (done, torn) = load(&path).unwrap();
        assert_eq!(torn, None);
        assert_eq!(done.len(), 2);
        std::fs::write(&path, "not json\n").unwrap();
        assert!(matches!(load(&path), Err(JournalError::Corrupt(1, _))));
    }
}
