//! What a run will send: the linted records minus those the journal says are finished.

use std::collections::HashSet;
use std::io::{self, Write};

use kaleyra_wa::SendRequest;
use kaleyra_wa_client::{Client, escape};

use crate::journal::{Done, Outcome};
use crate::records::Record;

/// A record to send.
pub struct Job {
    /// Where it comes from.
    pub record: Record,
    /// Its SHA-256, for the journal.
    pub sha256: String,
    /// The parsed request.
    pub request: SendRequest,
}

impl Job {
    /// `extra_info.ref`, if any.
    pub fn reference(&self) -> Option<String> {
        self.request.extra_info.as_ref()?.r#ref.clone()
    }
}

/// Records skipped because the journal has them, by journalled outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Journalled as accepted.
    pub accepted: usize,
    /// Journalled as rejected.
    pub rejected: usize,
    /// Journalled as unknown (and `--resend-unknown` not given).
    pub unknown: usize,
}

/// The records to send, in input order, and those skipped.
pub struct Plan {
    /// To send.
    pub jobs: Vec<Job>,
    /// Skipped.
    pub skipped: Skipped,
}

impl Plan {
    /// Matches `records` (all linted clean) against the journal. A record whose bytes
    /// changed since it was journalled, or a record given twice, is an error.
    pub fn new(records: Vec<Record>, done: &Done, resend_unknown: bool) -> Result<Plan, String> {
        let mut jobs = Vec::new();
        let mut skipped = Skipped::default();
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for record in records {
            let place = escape(&record.place());
            if !seen.insert((record.file.clone(), record.line)) {
                problems.push(format!("{place}: given twice"));
                continue;
            }
            let sha256 = record.sha256();
            if let Some(entry) = done.get(&(record.file.clone(), record.line)) {
                if entry.sha256 != sha256 {
                    problems.push(format!(
                        "{place}: changed since it was journalled as {} (journal sha256 {}, now {sha256})",
                        outcome_name(entry.outcome),
                        escape(&entry.sha256)
                    ));
                    continue;
                }
                match entry.outcome {
                    Outcome::Accepted => {
                        skipped.accepted += 1;
                        continue;
                    }
                    Outcome::Rejected => {
                        skipped.rejected += 1;
                        continue;
                    }
                    Outcome::Unknown if !resend_unknown => {
                        skipped.unknown += 1;
                        continue;
                    }
                    Outcome::Unknown => {}
                }
            }
            match kaleyra_wa::from_slice(&record.bytes) {
                Ok(request) => jobs.push(Job {
                    record,
                    sha256,
                    request,
                }),
                Err(error) => problems.push(format!("{place}: {}", escape(&error.to_string()))),
            }
        }
        if problems.is_empty() {
            Ok(Plan { jobs, skipped })
        } else {
            Err(format!("nothing sent:\n  {}", problems.join("\n  ")))
        }
    }

    /// Prints each request as it would be sent: method, URL, headers (the key masked),
    /// body. Untrusted text is escaped: the body as JSON `\u` escapes, so it stays JSON.
    pub fn print_dry_run(
        &self,
        client: &Client,
        from: &str,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let url = client.messages_url(from).map_err(io::Error::other)?;
        for job in &self.jobs {
            // Serializing strings and JSON maps cannot fail.
            let body = serde_json::to_string(&job.request).expect("a request serializes");
            writeln!(out, "### {}", escape(&job.record.place()))?;
            writeln!(out, "POST {}", escape(&url))?;
            writeln!(out, "Content-Type: application/json")?;
            writeln!(out, "api-key: ***")?;
            writeln!(out, "cache-control: no-cache")?;
            writeln!(
                out,
                "User-Agent: kaleyra-wa-send/{}",
                env!("CARGO_PKG_VERSION")
            )?;
            writeln!(out)?;
            writeln!(out, "{}", json_safe(&body))?;
            writeln!(out)?;
        }
        writeln!(
            out,
            "### dry run: {} request(s) would be sent, {} skipped (journalled)",
            self.jobs.len(),
            self.skipped.accepted + self.skipped.rejected + self.skipped.unknown
        )
    }
}

/// The journal's name of an outcome.
pub fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Accepted => "accepted",
        Outcome::Rejected => "rejected",
        Outcome::Unknown => "unknown",
    }
}

/// JSON text with the characters a terminal acts on (C1 controls, DEL, line and paragraph
/// separators, bidirectional controls) written as `\u` escapes; `serde_json` already
/// escapes C0 controls. Outside strings JSON text is ASCII, so the result is the same JSON.
fn json_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        let hostile = c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
        if hostile {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_safe_keeps_json_and_meaning() {
        let text = "{\"a\":\"x\u{202e}y\u{9b}z\u{2028}\"}";
        let safe = json_safe(text);
        assert_eq!(safe, r#"{"a":"x\u202ey\u009bz\u2028"}"#);
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }
}
