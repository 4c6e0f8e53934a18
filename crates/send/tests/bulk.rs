//! The `kaleyra-wa-send` binary against a mock Kaleyra on 127.0.0.1: lint before send, the
//! journal, resume, signals, the dry run, exit statuses, and the API key nowhere in sight.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use wiremock::matchers::{body_string_contains, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "Ak3y-that-must-never-show-0123456789";
const BIN: &str = env!("CARGO_BIN_EXE_kaleyra-wa-send");

fn record(reference: &str) -> String {
    format!(
        r#"{{"messaging_object":{{"messaging_product":"whatsapp","to":"919876543210","type":"interactive","interactive":{{"type":"product","action":{{"catalog_id":"103449","product_retailer_id":"17026"}}}}}},"extra_info":{{"ref":"{reference}"}}}}"#
    )
}

fn campaign(dir: &Path, name: &str, refs: &[&str]) -> PathBuf {
    let text: String = refs.iter().map(|r| record(r) + "\n").collect();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(202).set_body_string(
        r#"{"code":"WA202","message":"Request Accepted","data":{"message_id":"MID"},"error":{}}"#,
    )
}

fn command(dir: &Path, base: &str, extra: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(BIN);
    command
        .current_dir(dir)
        .env("KALEYRA_API_KEY", KEY)
        .args(["--sid", "HXAP16XXXXXX97IN", "--from", "919812345678"])
        .args(["--base-url", base, "--journal", "journal.jsonl"])
        .args(["--retry-delay", "50ms", "--timeout", "2s", "--rate", "200"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Checks that the key shows in no output nor journal line, and returns the exit status,
/// stdout and stderr.
fn checked(dir: &Path, output: Output) -> (i32, String, String) {
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap_or_default();
    for text in [&stdout, &stderr, &journal] {
        assert!(!text.contains(KEY), "the API key leaked:\n{text}");
    }
    (
        output.status.code().expect("an exit status"),
        stdout,
        stderr,
    )
}

async fn run(dir: &Path, base: &str, extra: &[&str]) -> (i32, String, String) {
    let output = command(dir, base, extra).output().await.unwrap();
    checked(dir, output)
}

fn journal(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// How many requests the server saw for each `extra_info.ref`.
async fn seen(server: &MockServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in server.received_requests().await.unwrap_or_default() {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let reference = body["extra_info"]["ref"].as_str().unwrap().to_owned();
        *counts.entry(reference).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn journals_each_record_and_a_second_run_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    campaign(dir.path(), "campaign.jsonl", &["r1", "r2", "r3"]);
    std::fs::write(dir.path().join("one.json"), record("r4")).unwrap();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains(r#""ref":"r2""#))
        .respond_with(ResponseTemplate::new(400).set_body_string(
            r#"{"code":"WA400","message":"Refer to correct payload format","data":{},"error":{"payload":"Incorrect payload format"}}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&server)
        .await;

    let (status, _, stderr) = run(dir.path(), &server.uri(), &["campaign.jsonl", "one.json"]).await;
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("campaign.jsonl:2: rejected: WA400 (HTTP 400)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 accepted, 1 rejected, 0 unknown, 0 not sent"),
        "{stderr}"
    );
    let mut lines = journal(dir.path());
    lines.sort_by_key(|l| l["ref"].as_str().unwrap().to_owned());
    let summary: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                l["file"].as_str().unwrap(),
                l["record"].as_u64(),
                l["outcome"].as_str().unwrap(),
                l["code"].as_str().unwrap(),
                l["http_status"].as_u64().unwrap(),
                l["attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("campaign.jsonl", Some(1), "accepted", "WA202", 202, 1),
            ("campaign.jsonl", Some(2), "rejected", "WA400", 400, 1),
            ("campaign.jsonl", Some(3), "accepted", "WA202", 202, 1),
            ("one.json", None, "accepted", "WA202", 202, 1),
        ]
    );
    assert_eq!(lines[0]["message_id"], "MID");
    assert_eq!(lines[1]["message_id"], Value::Null);
    assert_eq!(lines[0]["sha256"].as_str().unwrap().len(), 64);
    let at = lines[0]["at"].as_str().unwrap();
    assert!(
        at.len() == 24 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "{at}"
    );

    // Everything is journalled: nothing is sent again; the status still says "some rejected".
    // (The directory holds the journal too: it is not read as input.)
    let (status, _, stderr) = run(dir.path(), &server.uri(), &["."]).await;
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("4 skipped as journalled (3 accepted, 1 rejected, 0 unknown)"),
        "{stderr}"
    );
    assert_eq!(seen(&server).await.values().sum::<usize>(), 4);
    assert_eq!(journal(dir.path()).len(), 4);
}

#[tokio::test]
async fn one_lint_error_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let path = campaign(dir.path(), "campaign.jsonl", &["r1", "r2"]);
    let bad = record("r3").replace("919876543210", "0919876543210");
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap() + &bad + "\n").unwrap();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&server)
        .await;
    let (status, _, stderr) = run(dir.path(), &server.uri(), &["campaign.jsonl"]).await;
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("campaign.jsonl:3:"), "{stderr}");
    assert!(stderr.contains("nothing sent"), "{stderr}");
    assert!(seen(&server).await.is_empty());
    assert!(!dir.path().join("journal.jsonl").exists());
}

#[tokio::test]
async fn a_record_changed_since_it_was_journalled_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = campaign(dir.path(), "campaign.jsonl", &["r1", "r2"]);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&server)
        .await;
    assert_eq!(
        run(dir.path(), &server.uri(), &["campaign.jsonl"]).await.0,
        0
    );
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("r2", "r2-changed");
    std::fs::write(&path, text + &record("r3") + "\n").unwrap();
    let (status, _, stderr) = run(dir.path(), &server.uri(), &["campaign.jsonl"]).await;
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("campaign.jsonl:2: changed since it was journalled as accepted"),
        "{stderr}"
    );
    // Not even the new record was sent.
    assert_eq!(seen(&server).await.values().sum::<usize>(), 2);
}

#[tokio::test]
async fn unknown_outcomes_are_journalled_and_resent_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    campaign(dir.path(), "campaign.jsonl", &["r1"]);
    let stalling = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted().set_delay(Duration::from_secs(5)))
        .mount(&stalling)
        .await;
    let (status, _, stderr) = run(
        dir.path(),
        &stalling.uri(),
        &["--timeout", "300ms", "campaign.jsonl"],
    )
    .await;
    assert_eq!(status, 3, "{stderr}");
    let lines = journal(dir.path());
    assert_eq!(
        (lines.len(), lines[0]["outcome"].as_str()),
        (1, Some("unknown"))
    );
    assert_eq!(lines[0]["attempts"], 1);
    assert_eq!(seen(&stalling).await["r1"], 1);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&server)
        .await;
    let (status, _, _) = run(dir.path(), &server.uri(), &["campaign.jsonl"]).await;
    assert_eq!(status, 3);
    assert!(seen(&server).await.is_empty());
    let (status, _, stderr) = run(
        dir.path(),
        &server.uri(),
        &["--resend-unknown", "campaign.jsonl"],
    )
    .await;
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(seen(&server).await["r1"], 1);
    assert_eq!(journal(dir.path())[1]["outcome"], "accepted");
}

#[tokio::test]
async fn connection_refused_is_retried_and_not_journalled() {
    let dir = tempfile::tempdir().unwrap();
    campaign(dir.path(), "campaign.jsonl", &["r1"]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (status, _, stderr) = run(
        dir.path(),
        &base,
        &["--max-attempts", "2", "campaign.jsonl"],
    )
    .await;
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("campaign.jsonl:1: not sent:") && stderr.contains("(2 attempt(s))"),
        "{stderr}"
    );
    assert!(journal(dir.path()).is_empty());
}

#[tokio::test]
async fn dry_run_prints_the_requests_with_the_key_masked_and_connects_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    campaign(dir.path(), "campaign.jsonl", &["r1", "r\u{202e}2"]);
    let (status, stdout, stderr) = run(
        dir.path(),
        "http://127.0.0.1:9",
        &["--dry-run", "campaign.jsonl"],
    )
    .await;
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.starts_with(
        "### campaign.jsonl:1\nPOST http://127.0.0.1:9/v2/HXAP16XXXXXX97IN/whatsapp/919812345678/messages\nContent-Type: application/json\napi-key: ***\ncache-control: no-cache\n"
    ), "{stdout}");
    assert!(stdout.contains(r#""extra_info":{"ref":"r1"}"#), "{stdout}");
    // The bidi override is escaped, as JSON.
    assert!(stdout.contains(r#""ref":"r\u202e2""#), "{stdout}");
    assert!(stdout.ends_with("### dry run: 2 request(s) would be sent, 0 skipped (journalled)\n"));
    assert!(!dir.path().join("journal.jsonl").exists());
}

#[tokio::test]
async fn usage_errors_and_missing_keys_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    campaign(dir.path(), "campaign.jsonl", &["r1"]);
    let output = command(dir.path(), "http://127.0.0.1:9", &["campaign.jsonl"])
        .env_remove("KALEYRA_API_KEY")
        .output()
        .await
        .unwrap();
    let (status, _, stderr) = checked(dir.path(), output);
    assert_eq!(status, 2);
    assert!(stderr.contains("no API key"), "{stderr}");
    let (status, _, _) = run(dir.path(), "http://127.0.0.1:9", &["missing.jsonl"]).await;
    assert_eq!(status, 2);
    let (status, _, _) = run(
        dir.path(),
        "http://127.0.0.1:9",
        &["--rate", "0", "campaign.jsonl"],
    )
    .await;
    assert_eq!(status, 2);
}

/// Sends SIGINT to the child.
#[cfg(unix)]
fn interrupt(child: &tokio::process::Child) {
    signal(child, "-INT");
}

/// Sends a signal (`kill`'s `-INT`, `-KILL`...) to the child.
#[cfg(unix)]
fn signal(child: &tokio::process::Child, signal: &str) {
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(status.success());
}

#[cfg(unix)]
async fn wait_for_requests(server: &MockServer, n: usize) {
    let waiting = async {
        while seen(server).await.values().sum::<usize>() < n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the server saw the requests within 20 s");
}

#[cfg(unix)]
#[tokio::test]
async fn an_interrupted_run_resumes_without_sending_anything_twice() {
    let dir = tempfile::tempdir().unwrap();
    let refs: Vec<String> = (1..=12).map(|i| format!("r{i}")).collect();
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    campaign(dir.path(), "campaign.jsonl", &refs);
    let server = MockServer::start().await;
    // Slow answers keep sends in flight when the signal comes (12 records, 2 at a time:
    // 3 s in all, and the signal comes after the first 2 arrived).
    Mock::given(method("POST"))
        .respond_with(accepted().set_delay(Duration::from_millis(500)))
        .mount(&server)
        .await;
    let child = command(
        dir.path(),
        &server.uri(),
        &["--concurrency", "2", "campaign.jsonl"],
    )
    .spawn()
    .unwrap();
    wait_for_requests(&server, 2).await;
    // A second run on the same journal sends nothing.
    let (status, _, stderr) = run(dir.path(), &server.uri(), &["campaign.jsonl"]).await;
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("in use by another kaleyra-wa-send run"),
        "{stderr}"
    );
    interrupt(&child);
    let (status, _, stderr) = checked(dir.path(), child.wait_with_output().await.unwrap());
    assert_eq!(status, 130, "{stderr}");
    assert!(stderr.contains("stopped by a signal"), "{stderr}");
    // The sends in flight finished and were journalled; the rest did not start.
    let first = journal(dir.path()).len();
    assert!((2..12).contains(&first), "{first} journalled");
    let mut counts = seen(&server).await;
    assert_eq!(counts.values().sum::<usize>(), first);

    // Resume, against a server that answers at once.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&server)
        .await;
    let (status, _, stderr) = run(dir.path(), &server.uri(), &["campaign.jsonl"]).await;
    assert_eq!(status, 0, "{stderr}");
    let lines = journal(dir.path());
    assert_eq!(lines.len(), 12);
    assert!(lines.iter().all(|l| l["outcome"] == "accepted"));
    for (reference, n) in seen(&server).await {
        *counts.entry(reference).or_insert(0) += n;
    }
    assert_eq!(counts.len(), 12);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_record_stopped_while_waiting_to_retry_wa500_is_sent_again_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    campaign(dir.path(), "campaign.jsonl", &["r1"]);
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string(
            r#"{"code":"WA500","message":"Please try again later","data":{},"error":{"error":"Internal server error"}}"#,
        ))
        .mount(&failing)
        .await;
    let child = command(
        dir.path(),
        &failing.uri(),
        &["--retry-delay", "30s", "campaign.jsonl"],
    )
    .spawn()
    .unwrap();
    wait_for_requests(&failing, 1).await;
    interrupt(&child);
    let (status, _, stderr) = checked(dir.path(), child.wait_with_output().await.unwrap());
    assert_eq!(status, 130, "{stderr}");
    assert!(
        stderr.contains("campaign.jsonl:1: not finished"),
        "{stderr}"
    );
    assert!(journal(dir.path()).is_empty());

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&server)
        .await;
    let (status, _, stderr) = run(dir.path(), &server.uri(), &["campaign.jsonl"]).await;
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(seen(&server).await["r1"], 1);
}

#[cfg(unix)]
#[tokio::test]
async fn a_kill_9_loses_at_most_the_sends_in_flight_and_no_journal_line() {
    let dir = tempfile::tempdir().unwrap();
    let refs: Vec<String> = (1..=12).map(|i| format!("r{i}")).collect();
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    campaign(dir.path(), "campaign.jsonl", &refs);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted().set_delay(Duration::from_millis(300)))
        .mount(&server)
        .await;
    let mut child = command(
        dir.path(),
        &server.uri(),
        &["--concurrency", "2", "campaign.jsonl"],
    )
    .spawn()
    .unwrap();
    wait_for_requests(&server, 4).await;
    signal(&child, "-KILL");
    assert_eq!(
        child.wait().await.unwrap().code(),
        None,
        "killed by a signal"
    );
    // Every line written is whole (`journal` parses each one).
    let first = journal(dir.path()).len();
    let mut counts = seen(&server).await;
    assert!(first < 12, "{first} journalled");

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&server)
        .await;
    let (status, _, stderr) = run(dir.path(), &server.uri(), &["campaign.jsonl"]).await;
    assert_eq!(status, 0, "{stderr}");
    let lines = journal(dir.path());
    let records: std::collections::HashSet<_> = lines
        .iter()
        .map(|l| l["record"].as_u64().unwrap())
        .collect();
    assert_eq!((lines.len(), records.len()), (12, 12));
    for (reference, n) in seen(&server).await {
        *counts.entry(reference).or_insert(0) += n;
    }
    assert_eq!(counts.len(), 12);
    // Only the sends in flight at the kill (at most `--concurrency`) can have gone twice.
    let twice = counts.values().filter(|&&n| n == 2).count();
    assert!(counts.values().all(|&n| n <= 2) && twice <= 2, "{counts:?}");
}
