//! The human format: rustc's look, with source excerpts.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use kaleyra_wa::Severity;

use super::{Format, Prepared, RenderOptions, Reporter, omitted_line, summary_line};
use crate::engine::{Finding, Omitted, Summary};
use crate::escape;

pub(super) struct Human<'w> {
    out: Box<dyn Write + 'w>,
    options: RenderOptions,
}

impl<'w> Human<'w> {
    pub(super) fn new(out: Box<dyn Write + 'w>, options: RenderOptions) -> Self {
        Human { out, options }
    }
}

impl Reporter for Human<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.out.write_all(human(finding, self.options).as_bytes())
    }

    fn prepared(&mut self, finding: &Finding, prepared: &Prepared) -> io::Result<()> {
        match prepared.text(Format::Human, self.options) {
            Some(text) => self.out.write_all(text.as_bytes()),
            None => self.finding(finding),
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

/// One finding in the human format, styled with ANSI colours, with the blank line after it;
/// empty when `options` hide it (a warning, when quiet).
pub(super) fn human(finding: &Finding, options: RenderOptions) -> String {
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
