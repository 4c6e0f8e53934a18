//! Reading the records to send: a JSON file is one record, a JSON Lines file one per
//! non-blank line (numbered from 1), `-` is standard input.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use kaleyra_wa_linter::{Input, InputFormat};
use sha2::{Digest, Sha256};

/// One request as it sits in its input.
#[derive(Clone, Debug)]
pub struct Record {
    /// The input's name, as the linter names it.
    pub file: String,
    /// The 1-based line of a JSON Lines record; `None` for a JSON file.
    pub line: Option<usize>,
    /// The record's bytes (a JSON Lines record without its line ending).
    pub bytes: Vec<u8>,
}

impl Record {
    /// The SHA-256 of the record's bytes, in lower-case hex.
    pub fn sha256(&self) -> String {
        hex(&Sha256::digest(&self.bytes))
    }

    /// `file` or `file:line`, for messages (escaped by the caller).
    pub fn place(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An input that cannot be read (a missing file, a directory that cannot be walked).
#[derive(Debug)]
pub struct Unreadable {
    /// The input's name.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// A file larger than this is refused rather than read (1 GiB): records are held in memory.
pub const MAX_INPUT: u64 = 1 << 30;

/// Expands `paths` as the linter does and reads every record, leaving out the journal
/// (a directory walk finds it if it lies there: it is a `.jsonl` file).
pub fn read(paths: &[PathBuf], journal: &Path) -> Result<Vec<Record>, Unreadable> {
    let journal = std::fs::canonicalize(journal).ok();
    let mut records = Vec::new();
    for input in kaleyra_wa_linter::discover(paths, None) {
        let (name, format, bytes) = match input {
            Input::File { path, .. }
                if journal.is_some() && std::fs::canonicalize(&path).ok() == journal =>
            {
                continue;
            }
            Input::File {
                path, name, format, ..
            } => {
                let bytes = read_limited(File::open(&path)).map_err(|e| Unreadable {
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
                (name, format, bytes)
            }
            Input::Stdin { name, format } => {
                let bytes = read_limited(Ok(io::stdin().lock())).map_err(|e| Unreadable {
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
                (name, format, bytes)
            }
            Input::Unreadable { name, reason } => return Err(Unreadable { name, reason }),
        };
        split(&name, format, bytes, &mut records);
    }
    Ok(records)
}

fn read_limited(reader: io::Result<impl Read>) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader?.take(MAX_INPUT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(io::Error::other("larger than 1 GiB"));
    }
    Ok(bytes)
}

fn split(name: &str, format: InputFormat, bytes: Vec<u8>, records: &mut Vec<Record>) {
    match format {
        InputFormat::Json => records.push(Record {
            file: name.to_owned(),
            line: None,
            bytes,
        }),
        InputFormat::JsonLines => {
            for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                records.push(Record {
                    file: name.to_owned(),
                    line: Some(index + 1),
                    bytes: line.to_vec(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_are_numbered_from_one_and_blank_lines_skipped() {
        let mut records = Vec::new();
        split(
            "a.jsonl",
            InputFormat::JsonLines,
            b"{\"a\":1}\r\n\n  \n{\"b\":2}".to_vec(),
            &mut records,
        );
        let got: Vec<_> = records
            .iter()
            .map(|r| (r.place(), r.bytes.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("a.jsonl:1".to_owned(), b"{\"a\":1}".to_vec()),
                ("a.jsonl:4".to_owned(), b"{\"b\":2}".to_vec())
            ]
        );
        assert_eq!(
            Record {
                file: String::new(),
                line: None,
                bytes: b"abc".to_vec()
            }
            .sha256(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
