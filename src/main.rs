//! `kaleyra-wa-lint`: lints Kaleyra WhatsApp single-product message payload files.
//!
//! Thin glue: arguments in, [`kaleyra_wa_linter`] does the work, exit status out.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bytesize::ByteSize;
use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use kaleyra_wa::Rule;
use kaleyra_wa_linter::Format;
use kaleyra_wa_linter::config::{self, Config};

mod run;

/// mimalloc: linting allocates many small, short-lived strings and buffers, across threads;
/// mimalloc takes fewer instructions for them than glibc's allocator (`benches/README.md`,
/// "Allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// 512KiB, 10MiB, 1GB [default: 256KiB]
    #[arg(long, value_name = "SIZE")]
    max_file_size: Option<ByteSize>,
    /// JSON Lines lines longer than this are reported (KWA012) and skipped; the lines after
    /// them are checked [default: 256KiB]
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

/// A `--format` or `--output` FORMAT: one of the library's [`Format`]s, by its name.
#[derive(Clone, Copy, Debug)]
struct FormatArg(Format);

impl ValueEnum for FormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [FormatArg; Format::ALL.len()] = {
            let mut all = [FormatArg(Format::Human); Format::ALL.len()];
            let mut i = 0;
            while i < all.len() {
                all[i] = FormatArg(Format::ALL[i]);
                i += 1;
            }
            all
        };
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.name()).help(self.0.summary()))
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
    // `explain` needs no configuration: a broken one does not stop it.
    let config = match &cli.command {
        Some(Command::Explain { .. }) => None,
        Some(Command::Rules) | None => match load_config(cli.config.as_deref(), cli.no_config) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
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
        None => return run::lint(cli.lint, config.as_ref()),
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

/// Whether standard output was closed (`>&-`) when the process started: seen by a
/// constructor, which runs before the Rust runtime reopens a closed standard stream on
/// `/dev/null` (every write would then vanish and succeed). Standard output on `/dev/null`,
/// however it was opened (`>/dev/null`, or read-write as Python's `subprocess.DEVNULL` does),
/// is a choice and is not closed.
#[cfg(unix)]
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(unix)]
#[ctor::ctor(unsafe)]
fn see_whether_stdout_is_closed() {
    // SAFETY: `fcntl(F_GETFD)` only reads descriptor 1's flags; on a descriptor that is not
    // open it fails with EBADF, which is what is looked for. (On a target where `ctor` cannot
    // run constructors, this never runs: a closed stdout then goes unnoticed, as `/dev/null`.)
    let closed = unsafe { libc::fcntl(1, libc::F_GETFD) } == -1;
    STDOUT_CLOSED.store(closed, std::sync::atomic::Ordering::Relaxed);
}

#[cfg(unix)]
fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
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
