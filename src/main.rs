//! `kaleyra-wa-lint`: lints Kaleyra WhatsApp single-product message payload files.
//!
//! Thin glue: arguments in, [`kaleyra_wa_linter`] does the work, exit status out.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bytesize::ByteSize;
use clap::{Args, Parser, Subcommand, ValueEnum};
use kaleyra_wa::Rule;
use kaleyra_wa_linter::{Format, Options, RenderOptions, Summary};

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
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every rule: code, severity, name, summary.
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Exit with status 1 when there are warnings, too.
    #[arg(long)]
    deny_warnings: bool,
    /// Print errors only: no warnings, no summary (human and github formats).
    #[arg(short, long)]
    quiet: bool,
    /// The name to report standard input under; its extension (.jsonl, .ndjson) also picks
    /// the format.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// JSON files larger than this are reported (KWA012) and not checked. Accepts units:
    /// 512KiB, 10MiB, 1GB.
    #[arg(long, value_name = "SIZE", default_value = "10MiB")]
    max_file_size: ByteSize,
    /// JSON Lines lines longer than this are reported (KWA012) and skipped; the lines after
    /// them are checked.
    #[arg(long, value_name = "SIZE", default_value = "10MiB")]
    max_line_length: ByteSize,
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
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Github => Format::Github,
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
    let result = match cli.command {
        Some(Command::Rules) => {
            note_shadowed_path("rules");
            print_rules()
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
        None => return lint(cli.lint),
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

fn print_rules() -> io::Result<()> {
    let mut text = String::new();
    for rule in Rule::ALL {
        text.push_str(&format!(
            "{}  {:<7}  {:<20}  {}\n",
            rule.code(),
            rule.severity().as_str(),
            rule.name(),
            rule.summary()
        ));
    }
    write_stdout(&text)
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn lint(args: LintArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let inputs = kaleyra_wa_linter::discover(&paths, args.stdin_filename.as_deref());
    let format = Format::from(args.format);
    let stdout = io::stdout();
    let color = anstream::AutoStream::choice(&stdout);
    let out: Box<dyn Write> = if format != Format::Human {
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
    };
    let render_options = RenderOptions { quiet: args.quiet };
    let mut reporter = kaleyra_wa_linter::reporter(format, out, render_options);
    let options = Options {
        snippets: format == Format::Human,
        max_file_size: args.max_file_size.as_u64(),
        max_line_length: usize::try_from(args.max_line_length.as_u64()).unwrap_or(usize::MAX),
    };
    let (summary, error) =
        // Findings are rendered on the threads that lint them; the reporter only writes.
        match kaleyra_wa_linter::run_prepared(
            &inputs,
            options,
            &|finding| kaleyra_wa_linter::prepare(format, render_options, finding),
            &mut |event| reporter.event(event),
        ) {
            Ok(summary) => (summary, reporter.finish(&summary).err()),
            Err(stopped) => (stopped.summary, Some(stopped.error)),
        };
    match error {
        None => exit_status(&summary, args.deny_warnings),
        // The reader went away (`| head`): stop at once, quietly; the status tells what was
        // found until then.
        Some(error) if error.kind() == io::ErrorKind::BrokenPipe => {
            exit_status(&summary, args.deny_warnings)
        }
        Some(error) => {
            eprintln!("error: cannot write the report: {error}");
            ExitCode::from(2)
        }
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
