//! JUnit XML, as Jenkins, GitLab test reports, Azure DevOps and CircleCI read it: a
//! `<testsuite>` per input, a `<testcase>` per request with findings (a JSON file, or a JSON
//! Lines record, named `line N`), one passing `<testcase>` for the input's other requests,
//! a `<failure>` per error finding; warnings (which do not fail) in the test case's
//! `<system-out>`. Every text goes through [`escape::xml`](crate::escape::xml).
//!
//! A suite's counts come before its test cases, so one input's test cases are held until
//! it is done (in memory up to [`SPOOL`] bytes, then in a temporary file: a JSON Lines file
//! of a million findings writes hundreds of megabytes); the totals of `<testsuites>` would need the whole run held, so it has none
//! (readers add the suites up).

use std::fmt::Write as _;
use std::io::{self, Seek, SeekFrom, Write};

use tempfile::SpooledTempFile;

use kaleyra_wa::Severity;

use super::{Reporter, omitted_line, plural, relative_to_cwd};
use crate::engine::{Finding, Omitted, Summary};
use crate::escape::xml;

pub(super) struct Junit<'w> {
    out: Box<dyn Write + 'w>,
    started: bool,
    suite: Suite,
}

/// An input's test cases are held in memory up to this many bytes, then in a temporary file.
const SPOOL: usize = if cfg!(test) { 4 << 10 } else { 8 << 20 };

/// The input being written: its test cases so far.
struct Suite {
    /// The input's name, once it has a finding.
    file: Option<String>,
    cases: SpooledTempFile,
    tests: usize,
    failures: usize,
    /// Test cases for JSON Lines records.
    records: usize,
    /// Test cases about the whole input.
    wholes: usize,
    case: Option<Case>,
}

/// The test case being written: one request's (or a whole input's) findings.
struct Case {
    file: String,
    record: Option<usize>,
    failures: String,
    failed: bool,
    out: String,
}

impl<'w> Junit<'w> {
    pub(super) fn new(out: Box<dyn Write + 'w>) -> Self {
        Junit {
            out,
            started: false,
            suite: Suite::new(),
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kaleyra-wa-lint\">\n",
            )?;
        }
        Ok(())
    }

    /// Writes the suite of another input than `file` that was not `done` (a caller of
    /// `finding` alone), with no other requests.
    fn switch(&mut self, file: &str) -> io::Result<()> {
        match self.suite.file.clone() {
            Some(open) if open != file => self.done(&open, 0),
            _ => Ok(()),
        }
    }

    /// The open test case for `file`'s `record`, closing another one.
    fn case(&mut self, file: &str, record: Option<usize>) -> io::Result<&mut Case> {
        let same = self
            .suite
            .case
            .as_ref()
            .is_some_and(|case| case.record == record && case.file == file);
        if !same {
            self.suite.close_case()?;
        }
        self.suite.file.get_or_insert_with(|| file.to_owned());
        Ok(self.suite.case.get_or_insert_with(|| Case {
            file: file.to_owned(),
            record,
            failures: String::new(),
            failed: false,
            out: String::new(),
        }))
    }
}

/// An error of the spool's temporary file, named as such (it stops the report, as a failure
/// to write the report does).
fn spool_error(error: io::Error) -> io::Error {
    io::Error::new(
        error.kind(),
        format!(
            "JUnit output: cannot hold test cases in a temporary file ({error}); set TMPDIR to a writable directory"
        ),
    )
}

impl Suite {
    fn new() -> Self {
        Suite {
            file: None,
            cases: tempfile::spooled_tempfile(SPOOL),
            tests: 0,
            failures: 0,
            records: 0,
            wholes: 0,
            case: None,
        }
    }

    fn close_case(&mut self) -> io::Result<()> {
        let Some(case) = self.case.take() else {
            return Ok(());
        };
        let name = match case.record {
            Some(line) => format!("line {line}"),
            None => case.file.clone(),
        };
        match case.record {
            Some(_) => self.records += 1,
            None => self.wholes += 1,
        }
        self.tests += 1;
        self.failures += usize::from(case.failed);
        let file = xml(&case.file);
        // Made whole, then written once (to memory, or to the spool's file).
        let mut text = format!(
            "    <testcase name=\"{}\" classname=\"{file}\">\n{}",
            xml(&name),
            case.failures
        );
        if !case.out.is_empty() {
            let _ = writeln!(text, "      <system-out>{}</system-out>", case.out);
        }
        text.push_str("    </testcase>\n");
        self.cases.write_all(text.as_bytes()).map_err(spool_error)
    }
}

/// `examples/a.json:5:16: KWA009 phone-number: message`, for a failure or a warning line.
fn describe(file: &str, finding: &Finding) -> String {
    let mut text = file.to_owned();
    if let Some(region) = &finding.region {
        let _ = write!(text, ":{}:{}", region.line, region.column);
    }
    let _ = write!(
        text,
        ": {} {}: {}",
        finding.rule.code(),
        finding.rule.name(),
        finding.message
    );
    text
}

impl Reporter for Junit<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.start()?;
        let file = relative_to_cwd(&finding.file).into_owned();
        // Lines, each escaped (it holds no line break then), joined by line feeds.
        let mut details = xml(&describe(&file, finding)).into_owned();
        if !finding.pointer.is_empty() {
            let _ = write!(details, "&#10;at {}", xml(&finding.pointer));
        }
        if let Some(help) = &finding.help {
            let _ = write!(details, "&#10;help: {}", xml(help));
        }
        self.switch(&file)?;
        let case = self.case(&file, finding.record)?;
        match finding.severity() {
            Severity::Error => {
                case.failed = true;
                let _ = writeln!(
                    case.failures,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    finding.rule.code(),
                    xml(&format!("{}: {}", finding.rule.code(), finding.message)),
                    details
                );
            }
            Severity::Warning => {
                let _ = write!(case.out, "warning: {details}&#10;");
            }
        }
        Ok(())
    }

    fn omitted(&mut self, omitted: &Omitted) -> io::Result<()> {
        self.start()?;
        let file = relative_to_cwd(&omitted.file).into_owned();
        let line = format!("note: {}", omitted_line(&file, omitted));
        self.switch(&file)?;
        let case = self.case(&file, omitted.record)?;
        if omitted.errors > 0 {
            case.failed = true;
            let _ = writeln!(
                case.failures,
                "      <failure type=\"omitted\" message=\"{}\">{}</failure>",
                xml(&format!(
                    "{} more {} not shown",
                    omitted.errors,
                    plural(omitted.errors, "error", "errors")
                )),
                xml(&line)
            );
        }
        let _ = write!(case.out, "{}&#10;", xml(&line));
        Ok(())
    }

    fn done(&mut self, file: &str, records: usize) -> io::Result<()> {
        self.start()?;
        let file = relative_to_cwd(file).into_owned();
        let mut suite = std::mem::replace(&mut self.suite, Suite::new());
        suite.close_case()?;
        // The requests without findings: a JSON file that passes, or a JSON Lines file's
        // other records.
        let covered = if suite.records > 0 {
            suite.records
        } else {
            suite.wholes.min(records)
        };
        let passed = records.saturating_sub(covered);
        if passed > 0 {
            let name = if suite.records == 0 && records == 1 {
                file.clone()
            } else {
                format!(
                    "{passed} {} without findings",
                    plural(passed, "other record", "other records")
                )
            };
            let case = format!(
                "    <testcase name=\"{}\" classname=\"{}\"/>\n",
                xml(&name),
                xml(&file)
            );
            suite
                .cases
                .write_all(case.as_bytes())
                .map_err(spool_error)?;
            suite.tests += 1;
        }
        writeln!(
            self.out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            xml(&file),
            suite.tests,
            suite.failures
        )?;
        suite.cases.seek(SeekFrom::Start(0)).map_err(spool_error)?;
        io::copy(&mut suite.cases, &mut self.out)?;
        self.out.write_all(b"  </testsuite>\n")
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.start()?;
        // Findings given without their input's `done` (a caller of `finding` alone): their
        // suite, with no other requests.
        if let Some(file) = self.suite.file.clone() {
            self.done(&file, 0)?;
        }
        self.out.write_all(b"</testsuites>\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use kaleyra_wa::Rule;

    use super::*;
    use crate::engine::Region;

    fn finding(record: Option<usize>, rule: Rule, message: &str) -> Finding {
        Finding {
            file: "a&b.jsonl".to_owned(),
            record,
            region: record.map(|line| Region {
                line,
                column: 3,
                end_line: line,
                end_column: 5,
            }),
            pointer: "/messaging_object/to".to_owned(),
            rule,
            message: message.to_owned(),
            help: None,
            snippet: None,
            severity: rule.severity(),
            value_hash: 0,
        }
    }

    fn render(findings: &[Finding], done: Option<usize>) -> String {
        let mut out = Vec::new();
        {
            let mut junit = Junit::new(Box::new(&mut out));
            for finding in findings {
                junit.finding(finding).unwrap();
            }
            if let Some(records) = done {
                junit.done("a&b.jsonl", records).unwrap();
            }
            junit.finish(&Summary::default()).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_suite_per_input_a_case_per_record() {
        let findings = [
            finding(Some(2), Rule::Phone, "bad <to>\n::error"),
            finding(Some(2), Rule::UnknownWaSource, "odd"),
            finding(Some(5), Rule::Phone, "bad"),
        ];
        let xml = render(&findings, Some(4));
        assert!(xml.contains(
            "<testsuite name=\"a&amp;b.jsonl\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\">"
        ));
        assert!(xml.contains("<testcase name=\"line 2\" classname=\"a&amp;b.jsonl\">"));
        assert!(xml.contains("message=\"KWA009: bad &lt;to&gt;\\u{a}::error\""));
        assert!(xml.contains("<system-out>warning: a&amp;b.jsonl:2:3: KWA101"));
        assert!(xml.contains("<testcase name=\"2 other records without findings\""));
        assert!(xml.ends_with("</testsuite>\n</testsuites>\n"));
        // Without `done`, each input still has its suite.
        let mut other = finding(None, Rule::Phone, "bad");
        other.file = "b.json".to_owned();
        let without = render(&[findings[0].clone(), other, findings[2].clone()], None);
        assert_eq!(without.matches("<failure ").count(), 3, "{without}");
        assert_eq!(
            without.matches("<testsuite name=\"a&amp;b.jsonl\"").count(),
            2
        );
        assert!(without.contains("<testsuite name=\"b.json\" tests=\"1\" failures=\"1\""));
        assert_eq!(
            render(&[], None),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kaleyra-wa-lint\">\n</testsuites>\n"
        );
    }

    /// An input whose test cases pass the spool's size (small in tests) is written whole, in
    /// order, with its counts first, as one held in memory is.
    #[test]
    fn test_cases_past_the_spool_are_written_whole_and_in_order() {
        let findings: Vec<Finding> = (1..=400)
            .map(|line| finding(Some(line), Rule::Phone, "bad"))
            .collect();
        let xml = render(&findings, Some(1000));
        assert!(xml.len() > 10 * SPOOL, "{}", xml.len());
        assert!(xml.contains("<testsuite name=\"a&amp;b.jsonl\" tests=\"401\" failures=\"400\""));
        let names: Vec<&str> = xml
            .match_indices("<testcase name=\"")
            .map(|(at, found)| {
                let rest = &xml[at + found.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        let mut expected: Vec<String> = (1..=400).map(|line| format!("line {line}")).collect();
        expected.push("600 other records without findings".to_owned());
        assert_eq!(names, expected);
        assert!(xml.ends_with("    </testcase>\n    <testcase name=\"600 other records without findings\" classname=\"a&amp;b.jsonl\"/>\n  </testsuite>\n</testsuites>\n"));
    }
}
