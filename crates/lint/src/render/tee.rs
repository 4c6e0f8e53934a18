//! Several outputs from one run: each event goes to every reporter.

use std::io::{self, Write};

use super::{Format, Prepared, RenderOptions, Reporter, reporter};
use crate::engine::{Finding, Omitted, Summary};

/// Reporters fed from one run, each with its own format and writer (`--output`).
///
/// [`prepare`](super::prepare) findings for [`Tee::prepares`]: only its reporters of that
/// format use what it makes.
pub struct Tee<'w> {
    reporters: Vec<(Format, Box<dyn Reporter + 'w>)>,
}

impl<'w> Tee<'w> {
    /// Reporters writing each `format` to its writer, with the same `options`.
    pub fn new(
        outputs: impl IntoIterator<Item = (Format, Box<dyn Write + 'w>)>,
        options: RenderOptions,
    ) -> Self {
        let reporters = outputs
            .into_iter()
            .map(|(format, out)| (format, reporter(format, out, options)))
            .collect();
        Tee { reporters }
    }

    /// The format to [`prepare`](super::prepare) findings for: human when one output is
    /// human (the costliest to render), else JSON or GitHub when one output is (formats
    /// written a finding at a time), else any (nothing is prepared).
    pub fn prepares(&self) -> Format {
        [Format::Human, Format::Json, Format::Github]
            .into_iter()
            .find(|format| self.has(*format))
            .unwrap_or(Format::Human)
    }

    /// Whether one of the outputs has `format`.
    pub fn has(&self, format: Format) -> bool {
        self.reporters.iter().any(|(f, _)| *f == format)
    }

    /// Calls `write` on every reporter, even after one failed; the first error.
    fn each(
        &mut self,
        mut write: impl FnMut(Format, &mut dyn Reporter) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut first = Ok(());
        for (format, reporter) in &mut self.reporters {
            let result = write(*format, reporter.as_mut());
            if first.is_ok() {
                first = result;
            }
        }
        first
    }
}

impl Reporter for Tee<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.each(|_, reporter| reporter.finding(finding))
    }

    fn prepared(&mut self, finding: &Finding, prepared: &Prepared) -> io::Result<()> {
        // Each reporter uses what was prepared for its own format only.
        self.each(|_, reporter| reporter.prepared(finding, prepared))
    }

    fn omitted(&mut self, omitted: &Omitted) -> io::Result<()> {
        self.each(|_, reporter| reporter.omitted(omitted))
    }

    fn done(&mut self, file: &str, records: usize) -> io::Result<()> {
        self.each(|_, reporter| reporter.done(file, records))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.each(|_, reporter| reporter.finish(summary))
    }
}
