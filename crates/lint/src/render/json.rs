//! The JSON format: one object, `{"version": 1, "findings": [...], "summary": {...}}`.

use std::io::{self, Write};

use serde_json::json;

use super::Reporter;
use crate::engine::{Finding, Summary};
use crate::escape;

/// The JSON form of a finding: exactly the members of the output contract.
fn finding_json(finding: &Finding) -> serde_json::Value {
    let region = finding.region.as_ref();
    json!({
        "file": finding.file,
        "record": finding.record,
        "line": region.map(|r| r.line),
        "column": region.map(|r| r.column),
        "end_line": region.map(|r| r.end_line),
        "end_column": region.map(|r| r.end_column),
        "pointer": finding.pointer,
        "code": finding.rule.code(),
        "severity": finding.severity().as_str(),
        "message": finding.message,
    })
}

pub(super) struct JsonReporter<'w> {
    out: Box<dyn Write + 'w>,
    count: usize,
}

impl<'w> JsonReporter<'w> {
    pub(super) fn new(out: Box<dyn Write + 'w>) -> Self {
        JsonReporter { out, count: 0 }
    }
}

impl Reporter for JsonReporter<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        let separator = if self.count == 0 {
            "{\"version\":1,\"findings\":[\n"
        } else {
            ",\n"
        };
        self.count += 1;
        self.out.write_all(separator.as_bytes())?;
        escape::write_json(&mut self.out, &finding_json(finding))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.count == 0 {
            write!(self.out, "{{\"version\":1,\"findings\":[")?;
        } else {
            writeln!(self.out)?;
        }
        let summary = json!({
            "files": summary.files,
            "records": summary.records,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "omitted": summary.omitted,
        });
        write!(self.out, "],\"summary\":")?;
        escape::write_json(&mut self.out, &summary)?;
        writeln!(self.out, "}}")?;
        self.out.flush()
    }
}
