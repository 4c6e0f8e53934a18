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
    /// written a finding at a time), else SARIF, for which nothing is prepared (its reporter,
    /// as GitLab's and JUnit's, renders as it writes).
    pub fn prepares(&self) -> Format {
        [Format::Human, Format::Json, Format::Github]
            .into_iter()
            .find(|format| self.has(*format))
            .unwrap_or(Format::Sarif)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::prepare;

    #[test]
    fn findings_are_prepared_only_for_an_output_that_uses_them() {
        let finding = Finding {
            file: "a.json".into(),
            record: None,
            region: None,
            pointer: "/messaging_object/to".into(),
            rule: kaleyra_wa::Rule::Phone,
            message: "not a phone number".into(),
            help: None,
            snippet: None,
            severity: kaleyra_wa::Severity::Error,
            value_hash: 0,
        };
        let sink = || -> Box<dyn Write> { Box::new(io::sink()) };
        let prepared = |formats: &[Format]| {
            let tee = Tee::new(
                formats.iter().map(|f| (*f, sink())),
                RenderOptions::default(),
            );
            let format = tee.prepares();
            let text = prepare(format, RenderOptions::default(), &finding);
            text.text(format, RenderOptions::default()).map(|_| format)
        };
        use Format::*;
        for formats in [&[Sarif][..], &[Gitlab], &[Junit], &[Sarif, Gitlab, Junit]] {
            assert_eq!(prepared(formats), None, "{formats:?}");
        }
        assert_eq!(prepared(&[Sarif, Json]), Some(Json));
        assert_eq!(prepared(&[Junit, Github]), Some(Github));
        assert_eq!(prepared(&[Gitlab, Json, Human]), Some(Human));
    }
}
