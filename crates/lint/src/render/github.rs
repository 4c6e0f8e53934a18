//! GitHub Actions workflow commands (`::error file=...::message`).

use std::io::{self, Write};

use kaleyra_wa::Severity;

use super::{
    Format, Prepared, RenderOptions, Reporter, omitted_line, relative_to_cwd, summary_line,
};
use crate::engine::{Finding, Omitted, Summary};
use crate::escape;

pub(super) struct Github<'w> {
    out: Box<dyn Write + 'w>,
    options: RenderOptions,
}

impl<'w> Github<'w> {
    pub(super) fn new(out: Box<dyn Write + 'w>, options: RenderOptions) -> Self {
        Github { out, options }
    }
}

impl Reporter for Github<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.out.write_all(render(finding, self.options).as_bytes())
    }

    fn prepared(&mut self, finding: &Finding, prepared: &Prepared) -> io::Result<()> {
        match prepared.text(Format::Github, self.options) {
            Some(text) => self.out.write_all(text.as_bytes()),
            None => self.finding(finding),
        }
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

/// One finding as a workflow command line; empty when `options` hide it (a warning, when
/// quiet).
pub(super) fn render(finding: &Finding, options: RenderOptions) -> String {
    if options.quiet && finding.severity() == Severity::Warning {
        return String::new();
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
    format!(
        "::{command} {properties}::{}\n",
        escape::github_data(&message)
    )
}
