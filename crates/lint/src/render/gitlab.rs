//! GitLab Code Quality: a JSON array of issues (`description`, `check_name`, `fingerprint`,
//! `severity`, `location.path`, `location.lines.begin`), as GitLab documents the report.

use std::io::{self, Write};

use kaleyra_wa::Severity;
use serde_json::json;

use super::{Reporter, relative_to_cwd};
use crate::engine::{Finding, Summary};
use crate::escape;
use crate::fingerprint::Fingerprints;

pub(super) struct Gitlab<'w> {
    out: Box<dyn Write + 'w>,
    count: usize,
    fingerprints: Fingerprints,
}

impl<'w> Gitlab<'w> {
    pub(super) fn new(out: Box<dyn Write + 'w>) -> Self {
        Gitlab {
            out,
            count: 0,
            fingerprints: Fingerprints::new(),
        }
    }
}

/// GitLab's severity for ours: errors are `major`, warnings `minor` (GitLab knows `info`,
/// `minor`, `major`, `critical` and `blocker`).
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
    }
}

impl Reporter for Gitlab<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        let path = relative_to_cwd(&finding.file);
        let fingerprint = self.fingerprints.next(&path, finding);
        let mut description = format!("{}: {}", finding.rule.name(), finding.message);
        if !finding.pointer.is_empty() {
            description.push_str(&format!(" (at {})", finding.pointer));
        }
        if let Some(help) = &finding.help {
            description.push_str(&format!("; help: {help}"));
        }
        // A finding about a whole input (an unreadable file) has no line: GitLab wants one.
        let (begin, end) = finding
            .region
            .map_or((1, 1), |region| (region.line, region.end_line));
        let issue = json!({
            "type": "issue",
            "check_name": finding.rule.code(),
            "description": description,
            "categories": ["Bug Risk"],
            "fingerprint": fingerprint,
            "severity": severity(finding.severity()),
            "location": {"path": path, "lines": {"begin": begin, "end": end}},
        });
        self.out
            .write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
        self.count += 1;
        escape::write_json(&mut self.out, &issue)
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out
            .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}
