//! Baselines: today's findings recorded (`--write-baseline`), so that later runs report only
//! new ones (`--baseline`) and a repository with legacy files can adopt the linter at once.
//!
//! A finding is in the baseline when its fingerprint is (see [`crate::fingerprint`]: file,
//! rule code, JSON pointer and the offending text; not lines), so moving content around in a
//! file keeps it baselined, and changing the offending value makes it new. The file is JSON,
//! one entry per line, sorted, so that its diffs review well:
//!
//! ```json
//! {"version":1,"findings":[
//! {"file":"examples/documented-sample.json","code":"KWA009","pointer":"/messaging_object/to","value":"…","fingerprint":"…"}
//! ]}
//! ```
//!
//! Findings of the rules that say an input was not checked (KWA011, KWA012, KWA013) are
//! never baselined, and neither are findings past a document's cap (counted, not shown).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::Finding;
use crate::escape;
use crate::fingerprint::Fingerprints;
use crate::levels::Levels;
use crate::render::relative_to_cwd;

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The file, as reports name it.
    pub file: String,
    /// The rule's code.
    pub code: String,
    /// The JSON pointer.
    pub pointer: String,
    /// The hash of the offending text, 16 hex digits.
    pub value: String,
    /// The finding's fingerprint.
    pub fingerprint: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// Fingerprints a run's findings, for recording and for matching a baseline.
#[derive(Debug, Default)]
pub struct Recorder {
    fingerprints: Fingerprints,
}

impl Recorder {
    /// A recorder for one run.
    pub fn new() -> Self {
        Recorder::default()
    }

    /// The entry of `finding`, the next finding of the run; `None` for a finding that is
    /// never baselined.
    pub fn entry(&mut self, finding: &Finding) -> Option<Entry> {
        if !Levels::configurable(finding.rule) {
            return None;
        }
        let file = relative_to_cwd(&finding.file).into_owned();
        let fingerprint = self.fingerprints.next(&file, finding);
        Some(Entry {
            file,
            code: finding.rule.code().to_owned(),
            pointer: finding.pointer.clone(),
            value: format!("{:016x}", finding.value_hash),
            fingerprint,
        })
    }
}

/// Writes `entries` as a baseline file, sorted.
pub fn write(out: &mut dyn Write, mut entries: Vec<Entry>) -> io::Result<()> {
    entries.sort();
    out.write_all(b"{\"version\":1,\"findings\":[")?;
    for (at, entry) in entries.iter().enumerate() {
        out.write_all(if at == 0 { b"\n" } else { b",\n" })?;
        escape::write_json(out, entry)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// A baseline read from a file: which fingerprints it holds, and which of them this run met.
#[derive(Debug)]
pub struct Baseline {
    entries: HashMap<String, (Entry, bool)>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read(path)
            .map_err(|error| format!("cannot read the baseline {}: {error}", path.display()))?;
        Baseline::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// Reads a baseline from its text.
    pub fn parse(text: &[u8]) -> Result<Baseline, String> {
        let file: File = serde_json::from_slice(text)
            .map_err(|error| format!("not a kaleyra-wa-lint baseline: {error}"))?;
        if file.version != 1 {
            return Err(format!(
                "baseline version {} is not known to this linter (1 is)",
                file.version
            ));
        }
        let entries = file
            .findings
            .into_iter()
            .map(|entry| (entry.fingerprint.clone(), (entry, false)))
            .collect();
        Ok(Baseline { entries })
    }

    /// Whether `entry` is in the baseline (and marks it met).
    pub fn contains(&mut self, entry: &Entry) -> bool {
        match self.entries.get_mut(&entry.fingerprint) {
            Some((_, met)) => {
                *met = true;
                true
            }
            None => false,
        }
    }

    /// The entries this run did not meet (fixed, or their value changed), sorted.
    pub fn stale(&self) -> Vec<&Entry> {
        let mut stale: Vec<_> = self
            .entries
            .values()
            .filter(|(_, met)| !met)
            .map(|(entry, _)| entry)
            .collect();
        stale.sort();
        stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(file: &str, fingerprint: &str) -> Entry {
        Entry {
            file: file.to_owned(),
            code: "KWA009".to_owned(),
            pointer: "/messaging_object/to".to_owned(),
            value: "0123456789abcdef".to_owned(),
            fingerprint: fingerprint.to_owned(),
        }
    }

    #[test]
    fn a_written_baseline_reads_back() {
        let mut out = Vec::new();
        write(
            &mut out,
            vec![entry("b\u{1b}.json", "2"), entry("a.json", "1")],
        )
        .unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("{\"version\":1,\"findings\":[\n{\"file\":\"a.json\""));
        assert!(text.contains("b\\u001b.json"));
        let mut baseline = Baseline::parse(&out).unwrap();
        assert!(baseline.contains(&entry("a.json", "1")));
        assert!(!baseline.contains(&entry("a.json", "3")));
        assert_eq!(baseline.stale(), [&entry("b\u{1b}.json", "2")]);
    }

    #[test]
    fn other_files_are_refused() {
        assert!(Baseline::parse(b"{\"version\":2,\"findings\":[]}").is_err());
        assert!(Baseline::parse(b"{\"version\":1,\"findings\":[],\"x\":1}").is_err());
        assert!(Baseline::parse(b"[]").is_err());
    }
}
