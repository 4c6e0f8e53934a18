//! Output formats: human (rustc's look), JSON, SARIF 2.1.0 and GitHub workflow commands.
//!
//! Every reporter streams: findings are written as they come, so memory does not grow with
//! their number. Every piece of untrusted text (messages and help, which quote payload keys
//! and values, pointers, file names, source excerpts) goes through the escaping function of
//! its format, in the private `escape` module, on its way to the writer.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use kaleyra_wa::{Rule, Severity};
use serde_json::json;

use crate::engine::{Event, Finding, Omitted, Summary};
use crate::escape;

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
}

/// Writes findings in one format.
pub trait Reporter {
    /// Writes one finding.
    fn finding(&mut self, finding: &Finding) -> io::Result<()>;
    /// Writes one finding, given what [`prepare`] made of it (on any thread) for this
    /// reporter's format and options; the same output as [`Reporter::finding`].
    fn prepared(&mut self, finding: &Finding, prepared: Prepared) -> io::Result<()> {
        // Only the human format prepares anything.
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
            Event::Finding(finding, prepared) => self.prepared(finding, prepared),
            Event::Omitted(omitted) => self.omitted(omitted),
        }
    }
    /// Writes what comes after the findings (a summary, closing brackets).
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// Settings shared by the reporters.
#[derive(Clone, Copy, Debug, Default)]
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
        Format::Human => Box::new(Human { out, options }),
        Format::Json => Box::new(JsonReporter { out, count: 0 }),
        Format::Sarif => Box::new(Sarif { out, count: 0 }),
        Format::Github => Box::new(Github { out, options }),
    }
}

/// A finding's output, made ahead of writing by [`prepare`]: for the human format, its
/// rendered text (the costly part of writing it: the source excerpt); nothing for the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared(Option<String>);

/// Prepares `finding` for a reporter of `format` with `options`: renders it for the human
/// format, nothing for the others. It needs no writer, so it can run on the threads that lint
/// ([`run_prepared`](crate::run_prepared)); pass the result to [`Reporter::prepared`].
pub fn prepare(format: Format, options: RenderOptions, finding: &Finding) -> Prepared {
    match format {
        Format::Human => Prepared(Some(human(finding, options))),
        Format::Json | Format::Sarif | Format::Github => Prepared(None),
    }
}

struct Human<'w> {
    out: Box<dyn Write + 'w>,
    options: RenderOptions,
}

impl Reporter for Human<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.out.write_all(human(finding, self.options).as_bytes())
    }

    fn prepared(&mut self, finding: &Finding, prepared: Prepared) -> io::Result<()> {
        match prepared {
            Prepared(Some(text)) => self.out.write_all(text.as_bytes()),
            Prepared(None) => self.finding(finding),
        }
    }

    fn omitted(&mut self, omitted: &Omitted) -> io::Result<()> {
        if self.options.quiet && omitted.errors == 0 {
            return Ok(());
        }
        let file = escape::human_line(&omitted.file);
        writeln!(self.out, "note: {}\n", omitted_line(&file, omitted))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if !self.options.quiet {
            writeln!(self.out, "{}", summary_line(summary))?;
        }
        self.out.flush()
    }
}

/// `39900 more findings in big.json not shown (39900 errors, 0 warnings); ...`, naming the
/// file as `file` (escaped for the format).
fn omitted_line(file: &str, omitted: &Omitted) -> String {
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

/// One finding in the human format, styled with ANSI colours, with the blank line after it;
/// empty when `options` hide it (a warning, when quiet).
fn human(finding: &Finding, options: RenderOptions) -> String {
    if options.quiet && finding.severity() == Severity::Warning {
        return String::new();
    }
    let level = match finding.severity() {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let message = escape::human_line(&finding.message);
    let file = escape::human_line(&finding.file);
    let title = level
        .primary_title(message.as_ref())
        .id(finding.rule.code());
    let snippet = finding
        .snippet
        .as_ref()
        .filter(|snippet| snippet.text.len() <= MAX_SNIPPET_BYTES);
    // The place is named from the finding's region, not from the excerpt (which may be cut
    // from a long line: annotate-snippets would count its columns from the cut).
    let origin = match &finding.region {
        Some(region) => Origin::path(file.as_ref())
            .line(region.line)
            .char_column(region.column),
        None => Origin::path(file.as_ref()),
    };
    let head = Group::with_title(title).element(origin);
    let mut body = Group::with_level(match finding.severity() {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    });
    let mut has_body = false;
    if let Some(snippet) = snippet {
        let mut span = snippet.span.clone();
        let mut related = snippet.related.clone();
        let text = match &mut related {
            Some(related) => escape::human_snippet(&snippet.text, &mut [&mut span, related]),
            None => escape::human_snippet(&snippet.text, &mut [&mut span]),
        };
        let mut source = Snippet::source(text)
            .line_start(snippet.line_start)
            .annotation(
                AnnotationKind::Primary
                    .span(span)
                    .label(finding.rule.name()),
            );
        if let Some(related) = related {
            source = source.annotation(
                AnnotationKind::Context
                    .span(related)
                    .label("first defined here"),
            );
        }
        body = body.element(source);
        has_body = true;
    }
    let note;
    if !finding.pointer.is_empty() {
        note = format!("at {}", escape::human_line(&finding.pointer));
        body = body.element(Level::NOTE.message(note.as_str()));
        has_body = true;
    }
    let help = finding.help.as_deref().map(escape::human_line);
    if let Some(help) = &help {
        body = body.element(Level::HELP.message(help.as_ref()));
        has_body = true;
    }
    let renderer = Renderer::styled();
    let head = renderer.render(&[head]);
    let mut rendered = String::with_capacity(head.len() + 256);
    // Rendered alone, the origin line has no gutter: indent it as the excerpt's gutter is
    // wide (the widest line number shown), as one group would. (The title is one line: its
    // text is escaped.)
    let gutter = snippet.map_or(0, |snippet| {
        let last = snippet.line_start + snippet.text.matches('\n').count();
        last.to_string().len()
    });
    match head.rsplit_once('\n') {
        Some((title, origin)) => {
            rendered.push_str(title);
            rendered.push('\n');
            rendered.extend(std::iter::repeat_n(' ', gutter));
            rendered.push_str(origin);
        }
        None => rendered.push_str(&head),
    }
    if has_body {
        rendered.push('\n');
        rendered.push_str(&renderer.render(&[body]));
    }
    rendered.push_str("\n\n");
    rendered
}

/// Source excerpts longer than this (a 50 MB string on one line) are not shown: rendering
/// them would take seconds and fill the terminal. The `file:line:col` line still is.
const MAX_SNIPPET_BYTES: usize = 64 << 10;

/// `4 files, 7 records: 11 errors, 1 warning`.
fn summary_line(summary: &Summary) -> String {
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

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

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

struct JsonReporter<'w> {
    out: Box<dyn Write + 'w>,
    count: usize,
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

/// The `tool.driver` of the SARIF log: name, version, and every rule.
fn sarif_driver() -> serde_json::Value {
    let rules: Vec<_> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code(),
                "name": rule.name(),
                "shortDescription": {"text": rule.summary()},
                "fullDescription": {"text": rule.description().trim()},
                "help": {"text": rule.explain(), "markdown": rule.explain()},
                "defaultConfiguration": {"level": sarif_level(rule.severity())},
            })
        })
        .collect();
    json!({
        "name": "kaleyra-wa-lint",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": env!("CARGO_PKG_REPOSITORY"),
        "rules": rules,
    })
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

struct Sarif<'w> {
    out: Box<dyn Write + 'w>,
    count: usize,
}

impl Reporter for Sarif<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        if self.count == 0 {
            write_sarif_head(&mut self.out)?;
        } else {
            writeln!(self.out, ",")?;
        }
        self.count += 1;
        let index = Rule::ALL
            .iter()
            .position(|r| *r == finding.rule)
            .unwrap_or(0);
        let mut physical = json!({"artifactLocation": artifact_location(&finding.file)});
        if let Some(region) = &finding.region {
            physical["region"] = json!({
                "startLine": region.line,
                "startColumn": region.column,
                "endLine": region.end_line,
                "endColumn": region.end_column,
            });
        }
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str(&format!(" ({help})"));
        }
        let mut location = json!({"physicalLocation": physical});
        if !finding.pointer.is_empty() {
            location["logicalLocations"] =
                json!([{"fullyQualifiedName": finding.pointer, "kind": "member"}]);
        }
        let result = json!({
            "ruleId": finding.rule.code(),
            "ruleIndex": index,
            "level": sarif_level(finding.severity()),
            "message": {"text": message},
            "locations": [location],
        });
        escape::write_json(&mut self.out, &result)
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        if self.count == 0 {
            write_sarif_head(&mut self.out)?;
        } else {
            writeln!(self.out)?;
        }
        writeln!(self.out, "]}}]}}")?;
        self.out.flush()
    }
}

/// A file name relative to the current directory when it is an absolute path inside it (CI
/// tools want repository-relative paths), else as given.
fn relative_to_cwd(file: &str) -> Cow<'_, str> {
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

/// A SARIF `artifactLocation`: a relative reference against `%SRCROOT%` (the current
/// directory), or a `file://` URI for a path outside it; percent-encoded (RFC 3986) either way,
/// so names with spaces or non-ASCII characters are valid URI references.
fn artifact_location(file: &str) -> serde_json::Value {
    let file = relative_to_cwd(file);
    if Path::new(file.as_ref()).is_absolute() {
        let encoded = encode_uri_path(&file);
        let slash = if encoded.starts_with('/') { "" } else { "/" };
        json!({"uri": format!("file://{slash}{encoded}")})
    } else {
        json!({"uri": encode_uri_path(&file), "uriBaseId": "%SRCROOT%"})
    }
}

/// Percent-encodes every byte of a `/`-separated path except unreserved characters and `/`.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn write_sarif_head(out: &mut dyn Write) -> io::Result<()> {
    let mut run_head = Vec::new();
    escape::write_json(
        &mut run_head,
        &json!({
            "tool": {"driver": sarif_driver()},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
        }),
    )?;
    // Open the run object, leaving it to be closed after the results.
    let run_head = run_head.strip_suffix(b"}").unwrap_or(&run_head);
    out.write_all(
        b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[",
    )?;
    out.write_all(run_head)?;
    writeln!(out, ",\"results\":[")
}

struct Github<'w> {
    out: Box<dyn Write + 'w>,
    options: RenderOptions,
}

impl Reporter for Github<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        if self.options.quiet && finding.severity() == Severity::Warning {
            return Ok(());
        }
        let command = match finding.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = format!(
            "file={}",
            escape::github_property(&relative_to_cwd(&finding.file))
        );
        if let Some(region) = &finding.region {
            properties.push_str(&format!(
                ",line={},col={},endLine={},endColumn={}",
                region.line,
                region.column,
                region.end_line,
                // GitHub's end column is the last column of the place (inclusive).
                region.end_column.saturating_sub(1).max(region.column),
            ));
        }
        let title = format!("{} {}", finding.rule.code(), finding.rule.name());
        properties.push_str(&format!(",title={}", escape::github_property(&title)));
        let mut message = finding.message.clone();
        if !finding.pointer.is_empty() {
            message.push_str(&format!(" (at {})", finding.pointer));
        }
        if let Some(help) = &finding.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        writeln!(
            self.out,
            "::{command} {properties}::{}",
            escape::github_data(&message)
        )
    }

    fn omitted(&mut self, omitted: &Omitted) -> io::Result<()> {
        if self.options.quiet {
            return Ok(());
        }
        let file = relative_to_cwd(&omitted.file);
        writeln!(
            self.out,
            "::notice file={}::{}",
            escape::github_property(&file),
            escape::github_data(&omitted_line(&file, omitted))
        )
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if !self.options.quiet {
            writeln!(self.out, "kaleyra-wa-lint: {}", summary_line(summary))?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(
            encode_uri_path("dir/a b%é:.json"),
            "dir/a%20b%25%C3%A9%3A.json"
        );
        assert_eq!(
            artifact_location("<stdin>"),
            json!({"uri": "%3Cstdin%3E", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("/nowhere/x y.json"),
            json!({"uri": "file:///nowhere/x%20y.json"})
        );
        let inside = std::env::current_dir().unwrap().join("sub/x.json");
        assert_eq!(
            artifact_location(inside.to_str().unwrap()),
            json!({"uri": "sub/x.json", "uriBaseId": "%SRCROOT%"})
        );
    }
}
