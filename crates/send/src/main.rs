//! `kaleyra-wa-send`: lint every record, then send them, journalling each result so that an
//! interrupted or crashed campaign resumes without sending anyone a message twice.
//!
//! Thin glue: [`kaleyra_wa_linter`] checks, [`kaleyra_wa_client`] sends, `journal` records.

mod bulk;
mod journal;
mod plan;
mod records;

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgGroup, Parser, ValueEnum};
use kaleyra_wa::Pod;
use kaleyra_wa_client::{ApiKey, Client, Endpoint, RetryPolicy, UnknownOutcomes, escape};
use kaleyra_wa_linter::{Format, Options, RenderOptions, Summary};
use secrecy::{ExposeSecret, SecretString};

/// Send Kaleyra WhatsApp single-product messages from JSON and JSON Lines files.
///
/// Every record is linted first: one error and nothing is sent. Each finished record is
/// appended to the journal; running again with the same journal skips finished records.
/// The API key is read from KALEYRA_API_KEY or --api-key-file, never from a flag value.
///
/// Exit status: 0 all accepted; 1 some rejected, not sent or invalid; 2 usage or
/// unreadable input or journal; 3 some outcomes unknown (and nothing worse); 130 stopped
/// by a signal.
#[derive(Debug, Parser)]
#[command(version, args_override_self = true)]
#[command(group(ArgGroup::new("endpoint").required(true).args(["pod", "base_url"])))]
struct Args {
    /// The account's SID.
    #[arg(long)]
    sid: String,
    /// The business phone number messages are sent from (E.164).
    #[arg(long)]
    from: String,
    /// The Kaleyra pod (data region).
    #[arg(long, value_enum)]
    pod: Option<PodArg>,
    /// Another base URL, such as a proxy (`https://host[:port][/prefix]`).
    #[arg(long)]
    base_url: Option<String>,
    /// The journal (JSON Lines), created if missing.
    #[arg(long)]
    journal: PathBuf,
    /// Messages per second (requests, retries included).
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// The first backoff delay (`250ms`, `5s`, `10m`); later ones double, with jitter.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    retry_delay: Duration,
    /// Requests per record, the first included (1: no retries).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    max_attempts: u32,
    /// The timeout of one request.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// Lint, then print what would be sent, without connecting.
    #[arg(long)]
    dry_run: bool,
    /// Send again the records journalled as `unknown` (they may have been delivered).
    #[arg(long)]
    resend_unknown: bool,
    /// A file holding the API key (instead of KALEYRA_API_KEY).
    #[arg(long)]
    api_key_file: Option<PathBuf>,
    /// JSON files, JSON Lines files (`.jsonl`, `.ndjson`), directories, `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PodArg {
    In,
    Sg,
    Eu,
    Na,
}

/// How a run ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    Accepted = 0,
    Failed = 1,
    Usage = 2,
    Unknown = 3,
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                Exit::Usage.into()
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(args) {
        Ok(exit) => exit.into(),
        Err(message) => {
            eprintln!("error: {message}");
            Exit::Usage.into()
        }
    }
}

/// Runs the steps in order; an `Err` is a usage or input problem (exit 2).
fn run(args: Args) -> Result<Exit, String> {
    let journal_error = |e: &dyn std::fmt::Display| {
        let name = escape(&args.journal.display().to_string());
        format!("journal {name}: {e}")
    };
    let records = records::read(&args.paths, &args.journal)
        .map_err(|e| format!("cannot read {}: {}", escape(&e.name), escape(&e.reason)))?;
    if !lint(&records)? {
        return Ok(Exit::Failed);
    }
    // Locked before it is read: another run on the same journal would send the same records.
    let writer = (!args.dry_run)
        .then(|| journal::Writer::open(&args.journal))
        .transpose()
        .map_err(|e| journal_error(&e))?;
    let (done, torn) = journal::load(&args.journal).map_err(|e| journal_error(&e))?;
    let plan = plan::Plan::new(records, &done, args.resend_unknown)?;
    let api_key = match (args.dry_run, api_key(&args)?) {
        (_, Some(key)) => key,
        // A dry run connects to nothing: the key only shows masked.
        (true, None) => SecretString::from("dry-run"),
        (false, None) => {
            return Err("no API key: set KALEYRA_API_KEY or pass --api-key-file FILE".to_owned());
        }
    };
    let client = client(&args, &api_key)?;
    let Some(mut writer) = writer else {
        let mut out = BufWriter::new(io::stdout().lock());
        plan.print_dry_run(&client, &args.from, &mut out)
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot write: {e}"))?;
        return Ok(Exit::Accepted);
    };
    if let Some(length) = torn {
        writer.cut(length).map_err(|e| journal_error(&e))?;
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let tally = runtime.block_on(bulk::send_all(
        client,
        args.from.clone(),
        plan,
        usize::from(args.concurrency),
        writer,
    ));
    Ok(tally.exit())
}

/// Lints every record as the linter does, printing findings as it prints them (on stderr); `false`
/// when any record has an error.
fn lint(records: &[records::Record]) -> Result<bool, String> {
    let options = Options {
        snippets: true,
        ..Options::default()
    };
    // On stderr: stdout is for the dry run's requests.
    let stderr = io::stderr();
    let color = anstream::AutoStream::choice(&stderr);
    let out: Box<dyn Write> = Box::new(BufWriter::new(anstream::AutoStream::new(
        stderr.lock(),
        color,
    )));
    let mut reporter = kaleyra_wa_linter::reporter(Format::Human, out, RenderOptions::default());
    let mut summary = Summary::default();
    let mut last_file = None;
    for record in records {
        if last_file != Some(&record.file) {
            summary.files += 1;
            last_file = Some(&record.file);
        }
        summary.records += 1;
        let first_line = record.line.unwrap_or(1);
        let document = kaleyra_wa_linter::lint_document(
            &record.file,
            record.line,
            &record.bytes,
            first_line,
            options,
        );
        for finding in &document.findings {
            match finding.severity() {
                kaleyra_wa::Severity::Error => summary.errors += 1,
                kaleyra_wa::Severity::Warning => summary.warnings += 1,
            }
            reporter
                .finding(finding)
                .map_err(|e| format!("cannot write: {e}"))?;
        }
        if let Some(omitted) = &document.omitted {
            summary.errors += omitted.errors;
            summary.warnings += omitted.warnings;
            summary.omitted += omitted.errors + omitted.warnings;
            reporter
                .omitted(omitted)
                .map_err(|e| format!("cannot write: {e}"))?;
        }
    }
    if summary.errors + summary.warnings > 0 {
        reporter
            .finish(&summary)
            .map_err(|e| format!("cannot write: {e}"))?;
    }
    drop(reporter);
    if summary.errors > 0 {
        eprintln!(
            "kaleyra-wa-send: {} error(s) in {} record(s): nothing sent",
            summary.errors, summary.records
        );
    }
    Ok(summary.errors == 0)
}

/// The API key: `--api-key-file` (its first line), else `KALEYRA_API_KEY`.
fn api_key(args: &Args) -> Result<Option<SecretString>, String> {
    if let Some(path) = &args.api_key_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", escape(&path.display().to_string())))?;
        let key = text.lines().next().unwrap_or("").trim().to_owned();
        return Ok(Some(SecretString::from(key)));
    }
    Ok(std::env::var("KALEYRA_API_KEY")
        .ok()
        .map(|key| SecretString::from(key.trim().to_owned())))
}

fn client(args: &Args, api_key: &SecretString) -> Result<Client, String> {
    let pod = args.pod.map(|pod| match pod {
        PodArg::In => Pod::In,
        PodArg::Sg => Pod::Sg,
        PodArg::Eu => Pod::Eu,
        PodArg::Na => Pod::Na,
    });
    let endpoint = args
        .base_url
        .clone()
        .map(Endpoint::BaseUrl)
        .or(pod.map(Endpoint::Pod))
        .ok_or("--pod or --base-url is required")?;
    let attempts = args.max_attempts;
    let max_delay = args.retry_delay.max(Duration::from_secs(60));
    // Let the attempts bound the retries: the longest the backoff can take (each delay
    // doubled by jitter), plus every request timing out.
    let max_total = (0..attempts).fold(Duration::ZERO, |total, i| {
        let delay = args
            .retry_delay
            .saturating_mul(1 << i.min(20))
            .min(max_delay);
        total.saturating_add(delay * 2).saturating_add(args.timeout)
    });
    let retry = RetryPolicy {
        max_attempts: attempts,
        first_delay: args.retry_delay,
        max_delay,
        max_total,
        unknown: UnknownOutcomes::Return,
    };
    let client = Client::builder(endpoint, &args.sid, ApiKey::new(api_key.expose_secret()))
        .timeout(args.timeout)
        .connect_timeout(args.timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("kaleyra-wa-send/", env!("CARGO_PKG_VERSION")))
        .retry(retry)
        .rate(args.rate)
        .max_in_flight(usize::from(args.concurrency))
        .build()
        .map_err(|e| e.to_string())?;
    client
        .messages_url(&args.from)
        .map_err(|e| escape(&e.to_string()))?;
    Ok(client)
}
