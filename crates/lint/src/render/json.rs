//! The JSON format: one object, `{"version": 1, "findings": [...], "summary": {...}}`.

use std::io::{self, Write};

use serde_json::json;

use super::{Format, Prepared, RenderOptions, Reporter};
use crate::engine::{Finding, Summary};
use crate::escape;

/// A finding as one JSON object (compact, hidden characters escaped): exactly the members of
/// the output contract, in name order. Written member by member, as `serde_json` would write
/// the derived form (`FindingJson` in the tests, which pin the two equal): the texts from
/// payloads and file names go through [`escape::push_json_str`], the rest is ASCII we chose.
pub(super) fn render(finding: &Finding) -> String {
    let region = finding.region.as_ref();
    let texts = finding.file.len() + finding.message.len() + finding.pointer.len();
    let mut out = String::with_capacity(200 + texts);
    out.push_str("{\"code\":\"");
    out.push_str(finding.rule.code());
    out.push_str("\",\"column\":");
    push_number(&mut out, region.map(|r| r.column));
    out.push_str(",\"end_column\":");
    push_number(&mut out, region.map(|r| r.end_column));
    out.push_str(",\"end_line\":");
    push_number(&mut out, region.map(|r| r.end_line));
    out.push_str(",\"file\":");
    escape::push_json_str(&mut out, &finding.file);
    out.push_str(",\"line\":");
    push_number(&mut out, region.map(|r| r.line));
    out.push_str(",\"message\":");
    escape::push_json_str(&mut out, &finding.message);
    out.push_str(",\"pointer\":");
    escape::push_json_str(&mut out, &finding.pointer);
    out.push_str(",\"record\":");
    push_number(&mut out, finding.record);
    out.push_str(",\"severity\":\"");
    out.push_str(finding.severity().as_str());
    out.push_str("\"}");
    out
}

/// A number, or `null`.
fn push_number(out: &mut String, number: Option<usize>) {
    match number {
        Some(number) => out.push_str(itoa::Buffer::new().format(number)),
        None => out.push_str("null"),
    }
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

#[cfg(test)]
mod tests {
    use kaleyra_wa::{Rule, Severity};
    use serde::Serialize;

    use super::*;
    use crate::engine::Region;

    /// The JSON form of a finding as `serde_json` derives it: what [`render`] must write.
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

    fn derived(finding: &Finding) -> String {
        let region = finding.region.as_ref();
        escape::json_string(&FindingJson {
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
        })
    }

    #[test]
    fn a_finding_is_written_as_serde_json_writes_its_derived_form() {
        let texts = [
            "",
            "requests.jsonl",
            "dir/a \"quoted\" \\ name.json",
            "/messaging_object/interactive/footer/text",
            "/extra_info/a~1b~0c",
            "72 characters, more than the limit of 60 (counted in Unicode code points)",
            "`é€𝄞` is not an E.164 phone number",
            "tab\there, line\nfeed, cr\r, nul\u{0}, esc\u{1b}]0;title\u{7}, del\u{7f}",
            "bidi \u{202e}txt\u{2066}, zero width \u{200b}\u{feff}, separators \u{2028}\u{2029}, c1 \u{85}",
            "::error file=src/main.rs,line=1::forged",
            "~}{[]:,",
        ];
        let regions = [
            None,
            Some(Region {
                line: 1,
                column: 305,
                end_line: 1,
                end_column: 379,
            }),
            Some(Region {
                line: usize::MAX,
                column: 0,
                end_line: 10,
                end_column: 1_000_000,
            }),
        ];
        let mut checked = 0;
        for (i, text) in texts.iter().enumerate() {
            for (j, region) in regions.iter().enumerate() {
                let finding = Finding {
                    file: texts[(i + 1) % texts.len()].to_owned(),
                    record: [None, Some(1), Some(123_456)][(i + j) % 3],
                    region: *region,
                    pointer: texts[(i + 2) % texts.len()].to_owned(),
                    rule: Rule::ALL[checked % Rule::ALL.len()],
                    message: (*text).to_owned(),
                    help: None,
                    snippet: None,
                    severity: [Severity::Error, Severity::Warning][(i + j) % 2],
                    value_hash: 0,
                };
                assert_eq!(render(&finding), derived(&finding), "{finding:?}");
                checked += 1;
            }
        }
        // Every rule's code was written at least once.
        assert!(checked >= Rule::ALL.len());
    }

    #[test]
    fn a_text_is_written_as_serde_json_writes_it() {
        // Every ASCII character (so the check that picks the verbatim path is checked for each
        // byte it can pass) and a few of each other kind, alone and amid plain text.
        let others = [
            '\u{80}', '\u{85}', '\u{a0}', 'é', '\u{200b}', '\u{2028}', '\u{2029}',
        ];
        let chars = (0..=0x7f_u8).map(char::from).chain(others);
        for c in chars.chain(['\u{202e}', '\u{feff}', '\u{fffd}', '𝄞', '\u{e0001}']) {
            for text in [c.to_string(), format!("ab{c}cd{c}")] {
                let mut pushed = String::new();
                escape::push_json_str(&mut pushed, &text);
                assert_eq!(pushed, escape::json_string(&text), "{text:?}");
            }
        }
    }
}
