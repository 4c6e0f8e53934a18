//! Output formats: human (rustc's look), JSON, SARIF 2.1.0, GitHub workflow commands,
//! GitLab Code Quality and JUnit XML; several at once with [`Tee`].
//!
//! Every reporter streams: findings are written as they come, so memory does not grow with
//! their number (JUnit holds one input's test cases, as its counts come first). Every piece
//! of untrusted text (messages and help, which quote payload keys and values, pointers, file
//! names, source excerpts) goes through the escaping function of its format, in the private
//! `escape` module, on its way to the writer.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use crate::engine::{Event, Finding, Omitted, Summary};

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;
mod tee;

pub use tee::Tee;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For people: `file:line:col`, the code, the source line with a caret underline, help.
    Human,
    /// One JSON object: `{"version": 1, "findings": [...], "summary": {...}}`.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// GitLab Code Quality: a JSON array of issues, each with a stable fingerprint.
    Gitlab,
    /// JUnit XML: a test suite per input, a test case per request, a failure per error.
    Junit,
}

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Format; 6] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Gitlab,
        Format::Junit,
    ];

    /// The format's name: `human`, `json`, `sarif`, `github`, `gitlab`, `junit`.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
            Format::Junit => "junit",
        }
    }

    /// What the format is, in a line (as `--format` lists it).
    pub const fn summary(self) -> &'static str {
        match self {
            Format::Human => "rustc-style diagnostics with source excerpts",
            Format::Json => {
                r#"one JSON object: {"version": 1, "findings": [...], "summary": {...}}"#
            }
            Format::Sarif => "SARIF 2.1.0 (GitHub code scanning)",
            Format::Github => "GitHub Actions workflow commands",
            Format::Gitlab => "GitLab Code Quality report",
            Format::Junit => "JUnit XML (Jenkins, GitLab, Azure DevOps, CircleCI)",
        }
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }
}

/// Writes findings in one format.
pub trait Reporter {
    /// Writes one finding.
    fn finding(&mut self, finding: &Finding) -> io::Result<()>;
    /// Writes one finding, given what [`prepare`] made of it (on any thread) for this
    /// reporter's format and options; the same output as [`Reporter::finding`].
    fn prepared(&mut self, finding: &Finding, prepared: &Prepared) -> io::Result<()> {
        // Formats that prepare nothing.
        let _ = prepared;
        self.finding(finding)
    }
    /// Notes the findings of one document that were counted but not shown (after that
    /// document's findings). Formats without a place for it write nothing: their summary
    /// counts them.
    fn omitted(&mut self, omitted: &Omitted) -> io::Result<()> {
        let _ = omitted;
        Ok(())
    }
    /// Writes one event of a run ([`run_prepared`](crate::run_prepared) with [`prepare`]).
    fn event(&mut self, event: Event<'_, Prepared>) -> io::Result<()> {
        match event {
            Event::Finding(finding, prepared) => self.prepared(finding, &prepared),
            Event::Omitted(omitted) => self.omitted(omitted),
            Event::Done { file, records } => self.done(file, records),
        }
    }

    /// Notes that the input `file` is done (after its findings), and how many requests it
    /// held. Only the formats that group findings by input use it.
    fn done(&mut self, file: &str, records: usize) -> io::Result<()> {
        let _ = (file, records);
        Ok(())
    }

    /// Writes what comes after the findings (a summary, closing brackets).
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// Settings shared by the reporters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Human and GitHub output: errors only, no summary.
    pub quiet: bool,
}

/// A reporter writing `format` to `out`. Human output is styled with ANSI colours; wrap
/// `out` in an `anstream::AutoStream` to strip them where colour is not wanted.
pub fn reporter<'w>(
    format: Format,
    out: Box<dyn Write + 'w>,
    options: RenderOptions,
) -> Box<dyn Reporter + 'w> {
    match format {
        Format::Human => Box::new(human::Human::new(out, options)),
        Format::Json => Box::new(json::JsonReporter::new(out)),
        Format::Sarif => Box::new(sarif::Sarif::new(out)),
        Format::Github => Box::new(github::Github::new(out, options)),
        Format::Gitlab => Box::new(gitlab::Gitlab::new(out)),
        Format::Junit => Box::new(junit::Junit::new(out)),
    }
}

/// A finding's output, made ahead of writing by [`prepare`] for one format: its text (the
/// costly part of writing it: for the human format, the source excerpt). The human, JSON and
/// GitHub formats prepare; the others, whose findings are not written one by one, do not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared(Option<(Format, RenderOptions, String)>);

impl Prepared {
    /// The text prepared for `format` with `options`, if it was prepared for them.
    fn text(&self, format: Format, options: RenderOptions) -> Option<&str> {
        match &self.0 {
            Some((f, o, text)) if (*f, *o) == (format, options) => Some(text),
            _ => None,
        }
    }
}

/// Prepares `finding` for a reporter of `format` with `options`: renders its text. It needs
/// no writer, so it can run on the threads that lint ([`run_prepared`](crate::run_prepared)),
/// which leaves the serial writer only bytes to copy; pass the result to
/// [`Reporter::prepared`].
pub fn prepare(format: Format, options: RenderOptions, finding: &Finding) -> Prepared {
    let (text, options) = match format {
        Format::Human => (human::human(finding, options), options),
        // The same text whatever the options.
        Format::Json => (json::render(finding), RenderOptions::default()),
        Format::Github => (github::render(finding, options), options),
        Format::Sarif | Format::Gitlab | Format::Junit => return Prepared(None),
    };
    Prepared(Some((format, options, text)))
}

/// `39900 more findings in big.json not shown (39900 errors, 0 warnings); ...`, naming the
/// file as `file` (escaped for the format).
pub(crate) fn omitted_line(file: &str, omitted: &Omitted) -> String {
    let record = match omitted.record {
        Some(line) => format!(", record at line {line}"),
        None => String::new(),
    };
    let count = omitted.errors + omitted.warnings;
    format!(
        "{count} more {} in {file}{record} not shown ({} {}, {} {}); the summary counts them",
        plural(count, "finding", "findings"),
        omitted.errors,
        plural(omitted.errors, "error", "errors"),
        omitted.warnings,
        plural(omitted.warnings, "warning", "warnings"),
    )
}

/// `4 files, 7 records: 11 errors, 1 warning`.
pub(crate) fn summary_line(summary: &Summary) -> String {
    format!(
        "{} {}, {} {}: {} {}, {} {}",
        summary.files,
        plural(summary.files, "file", "files"),
        summary.records,
        plural(summary.records, "record", "records"),
        summary.errors,
        plural(summary.errors, "error", "errors"),
        summary.warnings,
        plural(summary.warnings, "warning", "warnings"),
    )
}

pub(crate) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// A file name relative to the current directory when it is an absolute path inside it (CI
/// tools want repository-relative paths), else as given.
pub(crate) fn relative_to_cwd(file: &str) -> Cow<'_, str> {
    let path = Path::new(file);
    if path.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(relative) = path.strip_prefix(&cwd)
        && !relative.as_os_str().is_empty()
    {
        return Cow::Owned(relative.to_string_lossy().replace('\\', "/"));
    }
    Cow::Borrowed(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Options, lint_document};

    /// Findings of every kind of place: a value, a key, a whole record, hostile text.
    fn findings() -> Vec<Finding> {
        let options = Options {
            snippets: true,
            ..Options::default()
        };
        [
            &br#"{"messaging_object": {"to": "0", "x\u202e\n::error::": 1}, "extra_info": {"wa_source": "x"}}"#[..],
            b"{\"messaging_object\": 1e400,",
            b"[]",
        ]
        .iter()
        .enumerate()
        .flat_map(|(i, text)| lint_document("a\u{1b}]0;t\u{7}.json", Some(i + 1), text, i + 1, options).findings)
        .collect()
    }

    fn written(
        format: Format,
        options: RenderOptions,
        write: impl Fn(&mut dyn Reporter, &Finding),
    ) -> String {
        let mut out = Vec::new();
        let mut reporter = reporter(format, Box::new(&mut out), options);
        for finding in &findings() {
            write(reporter.as_mut(), finding);
        }
        reporter.finish(&Summary::default()).unwrap();
        drop(reporter);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_prepared_finding_is_written_as_the_finding_itself() {
        assert!(findings().len() >= 5, "{:?}", findings());
        for format in Format::ALL {
            for quiet in [false, true] {
                let options = RenderOptions { quiet };
                let direct = written(format, options, |r, f| r.finding(f).unwrap());
                // Prepared for this format, for another, with these options or others: the
                // same output.
                for prepared_for in Format::ALL {
                    for prepared_quiet in [false, true] {
                        let with = RenderOptions {
                            quiet: prepared_quiet,
                        };
                        let prepared = written(format, options, |r, f| {
                            r.prepared(f, &prepare(prepared_for, with, f)).unwrap()
                        });
                        assert_eq!(
                            prepared, direct,
                            "{format:?} prepared for {prepared_for:?}, quiet {quiet} ({prepared_quiet})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn each_output_of_a_tee_is_written_as_it_would_be_alone() {
        let options = RenderOptions::default();
        let formats = [Format::Json, Format::Github, Format::Human, Format::Sarif];
        let mut outs: Vec<Vec<u8>> = vec![Vec::new(); formats.len()];
        let mut tee = Tee::new(
            formats
                .iter()
                .zip(outs.iter_mut())
                .map(|(format, out)| (*format, Box::new(out) as Box<dyn Write>)),
            options,
        );
        assert_eq!(tee.prepares(), Format::Human);
        for finding in &findings() {
            tee.prepared(finding, &prepare(tee.prepares(), options, finding))
                .unwrap();
        }
        tee.finish(&Summary::default()).unwrap();
        drop(tee);
        for (format, out) in formats.iter().zip(outs) {
            let alone = written(*format, options, |r, f| r.finding(f).unwrap());
            assert_eq!(String::from_utf8(out).unwrap(), alone, "{format:?}");
        }
    }
}
