//! `kaleyra-wa-lint`: lints Kaleyra WhatsApp single-product message payload files.
//!
//! Thin glue: arguments in, [`kaleyra_wa_linter`] does the work, exit status out.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bytesize::ByteSize;
use clap::{Args, Parser, Subcommand, ValueEnum};
use kaleyra_wa::{Rule, Severity};
use kaleyra_wa_linter::baseline::{self, Baseline, Recorder};
use kaleyra_wa_linter::config::{self, Config};
use kaleyra_wa_linter::{Event, Format, Input, Options, RenderOptions, Reporter, Summary, Tee};

/// Lint Kaleyra WhatsApp "Send Single-Product Message" payloads: JSON files (one request
/// each) and JSON Lines files (one request per line). Every problem at once, with
/// file:line:column and a stable rule code.
///
/// Exit status: 0 no errors (warnings allowed unless --deny-warnings), 1 errors found,
/// 2 usage error or a path that could not be read.
#[derive(Debug, Parser)]
#[command(
    name = "kaleyra-wa-lint",
    version,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    lint: LintArgs,
    /// The configuration file to use, instead of the kaleyra-wa-lint.toml found from the
    /// current directory upward (stopping at the repository's root).
    #[arg(long, value_name = "PATH", global = true, conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long, global = true)]
    no_config: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every rule: code, effective severity (after the configuration file), name,
    /// summary.
    Rules,
    /// Explain a rule, with a bad and a good example.
    Explain {
        /// A rule code (KWA007) or name (too-long).
        code: String,
    },
}

#[derive(Debug, Args)]
struct LintArgs {
    /// Files, directories (walked recursively, .gitignore-aware, for *.json, *.jsonl,
    /// *.ndjson), or - for standard input. Default: the current directory. A file reached
    /// twice (named twice, or named and inside a named directory) is linted once. A path
    /// named like a subcommand is written ./rules or -- rules.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format on standard output [default: the configuration's `format`, else human]
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Also write FORMAT to the file PATH, from the same run (repeatable): e.g.
    /// --output junit=report.xml --output gitlab=gl-code-quality.json.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_output)]
    output: Vec<(FormatArg, PathBuf)>,
    /// Exit with status 1 when there are warnings, too.
    #[arg(long)]
    deny_warnings: bool,
    /// Report only findings that are not in this baseline file (the exit status follows
    /// them alone), and note its entries that no longer occur.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record this run's findings in FILE, for --baseline.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Print errors only: no warnings, no summary (human and github formats).
    #[arg(short, long)]
    quiet: bool,
    /// The name to report standard input under; its extension (.jsonl, .ndjson) also picks
    /// the format.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// JSON files larger than this are reported (KWA012) and not checked. Accepts units:
    /// 512KiB, 10MiB, 1GB [default: 10MiB]
    #[arg(long, value_name = "SIZE")]
    max_file_size: Option<ByteSize>,
    /// JSON Lines lines longer than this are reported (KWA012) and skipped; the lines after
    /// them are checked [default: 10MiB]
    #[arg(long, value_name = "SIZE")]
    max_line_length: Option<ByteSize>,
}

/// `FORMAT=PATH` of `--output`.
fn parse_output(text: &str) -> Result<(FormatArg, PathBuf), String> {
    let (format, path) = text
        .split_once('=')
        .ok_or("expected FORMAT=PATH, e.g. junit=report.xml")?;
    let format = FormatArg::from_str(format, false)?;
    if path.is_empty() {
        return Err("the PATH after `=` is empty".to_owned());
    }
    Ok((format, PathBuf::from(path)))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    /// rustc-style diagnostics with source excerpts
    Human,
    /// one JSON object: {"version": 1, "findings": [...], "summary": {...}}
    Json,
    /// SARIF 2.1.0 (GitHub code scanning)
    Sarif,
    /// GitHub Actions workflow commands
    Github,
    /// GitLab Code Quality report
    Gitlab,
    /// JUnit XML (Jenkins, GitLab, Azure DevOps, CircleCI)
    Junit,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Github => Format::Github,
            FormatArg::Gitlab => Format::Gitlab,
            FormatArg::Junit => Format::Junit,
        }
    }
}

fn main() -> ExitCode {
    if stdout_closed() {
        eprintln!(
            "error: standard output is closed; redirect it (`>report.txt`, `>/dev/null`) instead"
        );
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help`, `--version` (status 0) and usage errors (status 2), printed here rather
        // than by `Error::exit`, which ignores a failure to write them.
        Err(error) => {
            let printed = error.print().and_then(|()| io::stdout().flush());
            return match printed {
                Err(write) if write.kind() != io::ErrorKind::BrokenPipe => {
                    eprintln!("error: cannot write to standard output: {write}");
                    ExitCode::from(2)
                }
                _ => ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2)),
            };
        }
    };
    let config = match load_config(cli.config.as_deref(), cli.no_config) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Some(Command::Rules) => {
            note_shadowed_path("rules");
            print_rules(config.as_ref())
        }
        Some(Command::Explain { code }) => {
            note_shadowed_path("explain");
            match Rule::from_code(&code) {
                Some(rule) => write_stdout(&rule.explain()),
                None => {
                    eprintln!(
                        "error: no rule `{}`; `kaleyra-wa-lint rules` lists them all",
                        code.escape_debug()
                    );
                    return ExitCode::from(2);
                }
            }
        }
        None => return lint(cli.lint, config.as_ref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            ExitCode::from(2)
        }
    }
}

/// Says on stderr how to lint `name` when a subcommand of that name ran but a file or
/// directory of that name is here too: the subcommand wins, which could pass for a clean lint.
fn note_shadowed_path(name: &str) {
    if Path::new(name).exists() {
        eprintln!(
            "note: `{name}` ran the subcommand; to lint the path `{name}` here, run \
             `kaleyra-wa-lint ./{name}` or `kaleyra-wa-lint -- {name}`"
        );
    }
}

/// Whether standard output was closed (`>&-`) when the process started. The Rust runtime
/// reopens a closed standard stream on `/dev/null`, read-write, before `main`, so every write
/// would vanish and succeed; a shell's `>/dev/null` opens it write-only, so the two differ.
#[cfg(unix)]
fn stdout_closed() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};

    let stdout = io::stdout();
    let Ok(flags) = rustix::fs::fcntl_getfl(stdout.as_fd()) else {
        // Not even a descriptor (the runtime could not reopen it).
        return true;
    };
    if flags & rustix::fs::OFlags::ACCMODE != rustix::fs::OFlags::RDWR {
        return false;
    }
    let Ok(stdout) = stdout.as_fd().try_clone_to_owned() else {
        return false;
    };
    let (Ok(stdout), Ok(null)) = (
        std::fs::File::from(stdout).metadata(),
        std::fs::metadata("/dev/null"),
    ) else {
        return false;
    };
    stdout.file_type().is_char_device() && stdout.rdev() == null.rdev()
}

#[cfg(not(unix))]
fn stdout_closed() -> bool {
    false
}

/// The configuration of the run: the file `--config` names, else the one found from the
/// current directory upward; none with `--no-config`.
fn load_config(path: Option<&Path>, no_config: bool) -> Result<Option<Config>, String> {
    if no_config {
        return Ok(None);
    }
    let path = match path {
        Some(path) => path.to_owned(),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|error| format!("cannot read the current directory: {error}"))?;
            match config::find(&cwd) {
                // Named relative to the current directory when it is there.
                Some(found) => found
                    .strip_prefix(&cwd)
                    .map_or_else(|_| found.clone(), Path::to_owned),
                None => return Ok(None),
            }
        }
    };
    Config::load(&path)
        .map(Some)
        .map_err(|error| error.to_string())
}

fn print_rules(config: Option<&Config>) -> io::Result<()> {
    let levels = config.map(|config| config.levels).unwrap_or_default();
    let mut text = String::new();
    for rule in Rule::ALL {
        text.push_str(&format!(
            "{}  {:<7}  {:<20}  {}",
            rule.code(),
            levels.get(*rule),
            rule.name(),
            rule.summary()
        ));
        if let (Some(config), Some(_)) = (config, levels.changed(*rule)) {
            text.push_str(&format!(
                " [{}; by default {}]",
                config.path.display(),
                rule.severity()
            ));
        }
        text.push('\n');
    }
    write_stdout(&text)
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn lint(args: LintArgs, config: Option<&Config>) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let mut inputs = kaleyra_wa_linter::discover(&paths, args.stdin_filename.as_deref());
    // The baseline is not a payload: it is left out wherever it is.
    let baselines: Vec<PathBuf> = [&args.baseline, &args.write_baseline]
        .into_iter()
        .flatten()
        .filter_map(|path| std::path::absolute(path).ok())
        .collect();
    inputs.retain(|input| match input {
        Input::File { path, .. } => {
            !config.is_some_and(|config| config.excludes(path))
                && (baselines.is_empty()
                    || !std::path::absolute(path).is_ok_and(|path| baselines.contains(&path)))
        }
        Input::Stdin { .. } | Input::Unreadable { .. } => true,
    });
    let format = args
        .format
        .map(Format::from)
        .or(config.and_then(|config| config.format))
        .unwrap_or(Format::Human);
    let deny_warnings = args.deny_warnings || config.is_some_and(|config| config.deny_warnings);
    let defaults = Options::default();
    let options = Options {
        // Human output shows excerpts; SARIF gives each result its snippet and context.
        snippets: [format]
            .into_iter()
            .chain(args.output.iter().map(|(format, _)| Format::from(*format)))
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
    };
    let mut baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(baseline) => baseline,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let mut outputs = vec![(format, stdout_writer(format))];
    for (format, path) in &args.output {
        match File::create(path) {
            Ok(file) => {
                let out: Box<dyn Write> = Box::new(BufWriter::new(file));
                let out: Box<dyn Write> = match format {
                    // A file gets what a pipe gets: no colour.
                    FormatArg::Human => Box::new(anstream::AutoStream::never(out)),
                    _ => out,
                };
                outputs.push((Format::from(*format), out));
            }
            Err(error) => {
                eprintln!("error: cannot create {}: {error}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let render_options = RenderOptions { quiet: args.quiet };
    let mut reporter = Tee::new(outputs, render_options);
    let prepares = reporter.prepares();
    let mut recorder = (baseline.is_some() || args.write_baseline.is_some()).then(Recorder::new);
    let mut recorded = Vec::new();
    let mut baselined = Summary::default();
    let run = kaleyra_wa_linter::run_prepared(
        &inputs,
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
            Ok(count) => eprintln!("note: {count} findings recorded in {}", path.display()),
            Err(error) => {
                eprintln!(
                    "error: cannot write the baseline {}: {error}",
                    path.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    exit_status(&summary, deny_warnings)
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
