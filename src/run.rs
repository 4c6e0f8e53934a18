//! One lint run: inputs (less what the configuration excludes), the reports (`--format` on
//! standard output, `--output` files), the baseline between the engine and the reports, and
//! the exit status.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use kaleyra_wa::Severity;
use kaleyra_wa_linter::baseline::{self, Baseline, Recorder};
use kaleyra_wa_linter::config::Config;
use kaleyra_wa_linter::{Event, Format, Input, Options, RenderOptions, Reporter, Summary, Tee};

use crate::{FormatArg, LintArgs};

pub(crate) fn lint(args: LintArgs, config: Option<&Config>) -> ExitCode {
    // This thread reads the inputs and writes the reports; made a thread of the pool, it also
    // lints while it waits (`kaleyra_wa_linter::run`). The pool cannot have been built yet
    // (nothing ran on it); if it had been, the pool's own threads would lint alone, as well.
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global();
    let here = [PathBuf::from(".")];
    let paths = if args.paths.is_empty() {
        &here[..]
    } else {
        &args.paths
    };
    let inputs = inputs(paths, &args, config);
    let format = args
        .format
        .map(|format| format.0)
        .or(config.and_then(|config| config.format))
        .unwrap_or(Format::Human);
    let deny_warnings = args.deny_warnings || config.is_some_and(|config| config.deny_warnings);
    let options = options(&args, config, format);
    let mut baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(baseline) => baseline,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let outputs = match outputs(format, &args.output) {
        Ok(outputs) => outputs,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let render_options = RenderOptions { quiet: args.quiet };
    let mut reporter = Tee::new(outputs, render_options);
    let prepares = reporter.prepares();
    let mut recorder = (baseline.is_some() || args.write_baseline.is_some()).then(Recorder::new);
    let mut recorded = Vec::new();
    let mut baselined = Summary::default();
    let run = kaleyra_wa_linter::run_prepared(
        inputs,
        options,
        // Findings are rendered on the threads that lint them; the reporters only write.
        &|finding| kaleyra_wa_linter::prepare(prepares, render_options, finding),
        &mut |event| {
            if let (Event::Finding(finding, _), Some(recorder)) = (&event, recorder.as_mut())
                && let Some(entry) = recorder.entry(finding)
            {
                if let Some(baseline) = baseline.as_mut()
                    && baseline.contains(&entry)
                {
                    match finding.severity() {
                        Severity::Error => baselined.errors += 1,
                        Severity::Warning => baselined.warnings += 1,
                    }
                    return Ok(());
                }
                if args.write_baseline.is_some() {
                    recorded.push(entry);
                }
            }
            reporter.event(event)
        },
    );
    let (mut summary, error) = match run {
        Ok(summary) => (summary, None),
        Err(stopped) => (stopped.summary, Some(stopped.error)),
    };
    // What the baseline holds is neither reported nor counted.
    summary.errors -= baselined.errors;
    summary.warnings -= baselined.warnings;
    let error = error.or_else(|| reporter.finish(&summary).err());
    match error {
        None => {}
        // The reader went away (`| head`): stop at once, quietly; the status tells what was
        // found until then.
        Some(error) if error.kind() == io::ErrorKind::BrokenPipe => {
            return exit_status(&summary, deny_warnings);
        }
        Some(error) => {
            eprintln!("error: cannot write the report: {error}");
            return ExitCode::from(2);
        }
    }
    if let Some(baseline) = &baseline
        && !args.quiet
    {
        note_baseline(baseline, &baselined);
    }
    if let Some(path) = &args.write_baseline {
        let written = File::create(path).and_then(|file| {
            let count = recorded.len();
            baseline::write(&mut BufWriter::new(file), recorded).map(|()| count)
        });
        match written {
            Ok(count) => eprintln!(
                "note: {count} findings recorded in {}",
                path.display().to_string().escape_debug()
            ),
            Err(error) => {
                eprintln!(
                    "error: cannot write the baseline {}: {error}",
                    path.display().to_string().escape_debug()
                );
                return ExitCode::from(2);
            }
        }
    }
    exit_status(&summary, deny_warnings)
}

/// The inputs `paths` reach, as the walk finds them, less the files the configuration
/// excludes, the baselines and the `--output` reports.
fn inputs<'a>(
    paths: &'a [PathBuf],
    args: &'a LintArgs,
    config: Option<&'a Config>,
) -> impl Iterator<Item = Input> + 'a {
    let inputs = kaleyra_wa_linter::discover(paths, args.stdin_filename.as_deref());
    // The baselines and the reports are not payloads: they are left out wherever they are
    // (a report is created before the walk reaches it).
    let not_payloads: Vec<PathBuf> = [&args.baseline, &args.write_baseline]
        .into_iter()
        .flatten()
        .chain(args.output.iter().map(|(_, path)| path))
        .filter_map(|path| std::path::absolute(path).ok())
        .collect();
    inputs.filter(move |input| match input {
        Input::File { path, .. } => {
            !config.is_some_and(|config| config.excludes(path))
                && (not_payloads.is_empty()
                    || !std::path::absolute(path).is_ok_and(|path| not_payloads.contains(&path)))
        }
        Input::Stdin { .. } | Input::Unreadable { .. } => true,
    })
}

/// The engine's options: flags over the configuration over the defaults.
fn options(args: &LintArgs, config: Option<&Config>, format: Format) -> Options {
    let defaults = Options::default();
    Options {
        // Human output shows excerpts; SARIF gives each result its snippet and context.
        snippets: [format]
            .into_iter()
            .chain(args.output.iter().map(|(format, _)| format.0))
            .any(|format| matches!(format, Format::Human | Format::Sarif)),
        max_file_size: args
            .max_file_size
            .map(|size| size.as_u64())
            .or(config.and_then(|config| config.max_file_size))
            .unwrap_or(defaults.max_file_size),
        max_line_length: args
            .max_line_length
            .map(|size| size.as_u64())
            .or(config.and_then(|config| config.max_line_length))
            .map_or(defaults.max_line_length, |size| {
                usize::try_from(size).unwrap_or(usize::MAX)
            }),
        levels: config.map(|config| config.levels).unwrap_or_default(),
    }
}

/// A report's format and where it goes.
type Output = (Format, Box<dyn Write>);

/// Standard output with `format`, and each `--output` file, created.
fn outputs(format: Format, files: &[(FormatArg, PathBuf)]) -> Result<Vec<Output>, String> {
    let mut outputs = vec![(format, stdout_writer(format))];
    for (format, path) in files {
        match File::create(path) {
            Ok(file) => {
                let out: Box<dyn Write> = Box::new(BufWriter::new(file));
                let out: Box<dyn Write> = match format.0 {
                    // A file gets what a pipe gets: no colour.
                    Format::Human => Box::new(anstream::AutoStream::never(out)),
                    _ => out,
                };
                outputs.push((format.0, out));
            }
            Err(error) => return Err(format!("cannot create {}: {error}", path.display())),
        }
    }
    Ok(outputs)
}

/// Standard output for `format`: styled when it is human and colour is wanted.
fn stdout_writer(format: Format) -> Box<dyn Write> {
    let stdout = io::stdout();
    let color = anstream::AutoStream::choice(&stdout);
    if format != Format::Human {
        // Machine formats are never styled, and their untrusted text is escaped: nothing to
        // strip.
        Box::new(BufWriter::new(stdout.lock()))
    } else if color == anstream::ColorChoice::Never {
        // Stripping writes each piece between escape codes on its own: buffer below it, or
        // every piece is a system call (stdout flushes at each newline).
        let buffered: Box<dyn Write> = Box::new(BufWriter::new(stdout.lock()));
        Box::new(anstream::AutoStream::never(buffered))
    } else {
        Box::new(BufWriter::new(anstream::AutoStream::new(
            stdout.lock(),
            color,
        )))
    }
}

/// Says on stderr how many findings the baseline held back, and which of its entries no
/// longer occur.
fn note_baseline(baseline: &Baseline, held: &Summary) {
    let held = held.errors + held.warnings;
    if held > 0 {
        eprintln!("note: {held} findings are in the baseline and not reported");
    }
    let stale = baseline.stale();
    if stale.is_empty() {
        return;
    }
    eprintln!(
        "note: {} baseline entries no longer occur (fixed, or the value changed); \
         --write-baseline records the findings of today:",
        stale.len()
    );
    const SHOWN: usize = 10;
    for entry in stale.iter().take(SHOWN) {
        eprintln!(
            "  {} {} {}",
            entry.file.escape_debug(),
            entry.code,
            entry.pointer.escape_debug()
        );
    }
    if stale.len() > SHOWN {
        eprintln!("  and {} more", stale.len() - SHOWN);
    }
}

fn exit_status(summary: &Summary, deny_warnings: bool) -> ExitCode {
    if summary.unreadable > 0 {
        ExitCode::from(2)
    } else if summary.errors > summary.unreadable || (deny_warnings && summary.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
