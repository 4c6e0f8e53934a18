//! The JSON format: one object, `{"version": 1, "findings": [...], "summary": {...}}`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;

use super::{Format, Prepared, RenderOptions, Reporter};
use crate::engine::{Finding, Summary};
use crate::escape;

/// The JSON form of a finding: exactly the members of the output contract, in name order.
#[derive(Serialize)]
struct FindingJson<'a> {
    code: &'static str,
    column: Option<usize>,
    end_column: Option<usize>,
    end_line: Option<usize>,
    file: &'a str,
    line: Option<usize>,
    message: &'a str,
    pointer: &'a str,
    record: Option<usize>,
    severity: &'static str,
}

/// A finding as one JSON object (compact, hidden characters escaped).
pub(super) fn render(finding: &Finding) -> String {
    let region = finding.region.as_ref();
    let json = FindingJson {
        code: finding.rule.code(),
        column: region.map(|r| r.column),
        end_column: region.map(|r| r.end_column),
        end_line: region.map(|r| r.end_line),
        file: &finding.file,
        line: region.map(|r| r.line),
        message: &finding.message,
        pointer: &finding.pointer,
        record: finding.record,
        severity: finding.severity().as_str(),
    };
    escape::json_string(&json)
}

pub(super) struct JsonReporter<'w> {
    out: Box<dyn Write + 'w>,
    count: usize,
}

impl<'w> JsonReporter<'w> {
    pub(super) fn new(out: Box<dyn Write + 'w>) -> Self {
        JsonReporter { out, count: 0 }
    }

    /// Writes one finding's JSON, after what comes before it.
    fn write(&mut self, json: &str) -> io::Result<()> {
        let separator = if self.count == 0 {
            "{\"version\":1,\"findings\":[\n"
        } else {
            ",\n"
        };
        self.count += 1;
        self.out.write_all(separator.as_bytes())?;
        self.out.write_all(json.as_bytes())
    }
}

impl Reporter for JsonReporter<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.write(&render(finding))
    }

    fn prepared(&mut self, finding: &Finding, prepared: &Prepared) -> io::Result<()> {
        match prepared.text(Format::Json, RenderOptions::default()) {
            Some(json) => self.write(json),
            None => self.finding(finding),
        }
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
