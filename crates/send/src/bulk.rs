//! Sending a plan: bounded concurrency, signals, progress, the journal, the summary.

use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kaleyra_wa_client::{CancellationToken, Client, Delivery, End, SendError, Status, escape};
use tokio::task::JoinSet;

use crate::Exit;
use crate::journal::{Entry, Writer};
use crate::plan::{Job, Plan, Skipped};

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    accepted: usize,
    rejected: usize,
    unknown: usize,
    not_sent: usize,
    /// Stopped while waiting to retry, or before their first attempt: not finished.
    unfinished: usize,
    skipped: Skipped,
    interrupted: bool,
    journal_failed: bool,
}

impl Tally {
    /// The exit status, counting what earlier runs journalled too.
    pub fn exit(&self) -> Exit {
        if self.journal_failed {
            Exit::Usage
        } else if self.interrupted {
            Exit::Interrupted
        } else if self.rejected + self.not_sent + self.unfinished + self.skipped.rejected > 0 {
            Exit::Failed
        } else if self.unknown + self.skipped.unknown > 0 {
            Exit::Unknown
        } else {
            Exit::Accepted
        }
    }

    fn line(&self) -> String {
        let skipped = self.skipped.accepted + self.skipped.rejected + self.skipped.unknown;
        let mut line = format!(
            "kaleyra-wa-send: {} accepted, {} rejected, {} unknown, {} not sent",
            self.accepted, self.rejected, self.unknown, self.not_sent
        );
        if self.unfinished > 0 {
            line.push_str(&format!(", {} not finished", self.unfinished));
        }
        if skipped > 0 {
            line.push_str(&format!(
                "; {skipped} skipped as journalled ({} accepted, {} rejected, {} unknown)",
                self.skipped.accepted, self.skipped.rejected, self.skipped.unknown
            ));
        }
        if self.interrupted {
            line.push_str("; stopped by a signal: run again with the same journal to resume");
        }
        line
    }
}

/// Sends every job of `plan`, at most `concurrency` at once, journalling each finished one
/// before counting it. On SIGINT or SIGTERM nothing new starts, sends in flight finish (or
/// time out) and are journalled; a second signal exits at once.
pub async fn send_all(
    client: Client,
    from: String,
    plan: Plan,
    concurrency: usize,
    mut journal: Writer,
) -> Tally {
    let stop = CancellationToken::new();
    match Signals::register() {
        Ok(signals) => drop(tokio::spawn(signals.watch(stop.clone()))),
        Err(error) => eprintln!("kaleyra-wa-send: cannot catch signals: {error}"),
    }
    let bar = progress(plan.jobs.len());
    let from: Arc<str> = from.into();
    let mut tally = Tally {
        skipped: plan.skipped,
        ..Tally::default()
    };
    let mut pending = plan.jobs.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < concurrency && !stop.is_cancelled() {
            let Some(job) = pending.next() else { break };
            let (client, from, stop) = (client.clone(), from.clone(), stop.clone());
            running.spawn(async move {
                let result = client.send_until(&job.request, &from, &stop).await;
                (job, result)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((job, result)) => finish(&job, result, &mut journal, &mut tally, &bar, &stop),
            // A send task cannot panic (the client returns every failure as a value); if one
            // did, its record is reported as unknown and left out of the journal.
            Err(error) => {
                tally.unknown += 1;
                say(&bar, format!("error: a send failed: {error}"));
            }
        }
        bar.inc(1);
    }
    tally.unfinished += pending.len();
    tally.interrupted = stop.is_cancelled() && !tally.journal_failed;
    bar.finish_and_clear();
    eprintln!("{}", tally.line());
    tally
}

fn finish(
    job: &Job,
    result: Result<Delivery, SendError>,
    journal: &mut Writer,
    tally: &mut Tally,
    bar: &ProgressBar,
    stop: &CancellationToken,
) {
    let place = escape(&job.record.place());
    let delivery = match result {
        Ok(delivery) => delivery,
        Err(SendError::Stopped) => {
            tally.unfinished += 1;
            return;
        }
        Err(error) => {
            tally.rejected += 1;
            say(bar, format!("{place}: {}", escape(&error.to_string())));
            return;
        }
    };
    if delivery.end == End::Stopped {
        tally.unfinished += 1;
        say(
            bar,
            format!(
                "{place}: not finished (stopped while waiting to retry after: {})",
                delivery.outcome
            ),
        );
        return;
    }
    let status = delivery.outcome.status();
    if status != Status::Accepted {
        say(
            bar,
            format!(
                "{place}: {} ({} attempt(s))",
                delivery.outcome, delivery.attempts
            ),
        );
    }
    let entry = Entry::new(
        &job.record.file,
        job.record.line,
        job.sha256.clone(),
        job.reference(),
        &delivery,
    );
    if let Some(entry) = entry
        && let Err(error) = journal.append(&entry)
    {
        // Without a journal, nothing more may be sent: what is sent could not be resumed.
        say(
            bar,
            format!(
                "error: cannot write the journal ({error}); stopping. {place} ended as: {}",
                delivery.outcome
            ),
        );
        tally.journal_failed = true;
        stop.cancel();
    }
    match status {
        Status::Accepted => tally.accepted += 1,
        Status::Rejected => tally.rejected += 1,
        Status::Unknown => tally.unknown += 1,
        Status::NotSent => tally.not_sent += 1,
    }
}

/// Prints a line on stderr above the progress bar (shown or not).
fn say(bar: &ProgressBar, line: String) {
    bar.suspend(|| eprintln!("{line}"));
}

fn progress(len: usize) -> ProgressBar {
    // Drawn only when stderr is a terminal.
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} sent, {per_sec}, eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// The signals that stop a run, registered before the first send so none is missed.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn register() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }

    /// Cancels `stop` on the first signal; exits at once on the second.
    async fn watch(mut self, stop: CancellationToken) {
        self.next().await;
        eprintln!(
            "kaleyra-wa-send: stopping: nothing new starts; waiting for the sends in flight (signal again to quit at once)"
        );
        stop.cancel();
        self.next().await;
        std::process::exit(Exit::Interrupted as i32);
    }
}
