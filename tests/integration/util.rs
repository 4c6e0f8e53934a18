//! The shared test harness (ripgrep's `tests/util.rs`): the built binary run with a deadline,
//! temporary trees of files, the request texts every module uses, and checks of each output
//! format's structure. Test modules import from here, never from each other.
//!
//! Every run has colour off (stdout is a pipe, and `NO_COLOR=1`) and a deadline, so a hang
//! fails the test instead of stalling the suite.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::LazyLock;
use std::thread;
use std::time::{Duration, Instant};

use kaleyra_wa::Rule;
use serde_json::{Value, json};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_kaleyra-wa-lint");

/// Longest a run may take before the test fails as a hang.
pub(crate) const DEADLINE: Duration = Duration::from_secs(60);

/// A valid request on one line (JSON Lines material).
pub(crate) const VALID: &str = r#"{"messaging_object":{"messaging_product":"whatsapp","to":"919876543210","type":"interactive","interactive":{"type":"product","action":{"catalog_id":"1034567849","product_retailer_id":"SKU-1"}}}}"#;

/// A valid request with one warning (an undocumented `wa_source`).
pub(crate) const WARNING: &str = r#"{"messaging_object":{"messaging_product":"whatsapp","to":"919876543210","type":"interactive","interactive":{"type":"product","action":{"catalog_id":"1034567849","product_retailer_id":"SKU-1"}}},"extra_info":{"wa_source":"website"}}"#;

/// A request with one error: the recipient starts with 0 (KWA009 at 1:59).
pub(crate) const ERROR: &str = r#"{"messaging_object":{"messaging_product":"whatsapp","to":"0919876543210","type":"interactive","interactive":{"type":"product","action":{"catalog_id":"1034567849","product_retailer_id":"SKU-1"}}}}"#;

pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What a run of the binary did.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// The `--format json` report, checked against the output contract.
    pub(crate) fn report(&self) -> Value {
        let report: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not exactly one JSON value ({error}):\n{}",
                self.stdout
            )
        });
        check_contract(&report);
        report
    }
}

/// The binary with colour off, in `dir`.
pub(crate) fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR");
    command
}

/// Runs the binary in `dir`; `stdin` is fed to it (else it reads nothing).
pub(crate) fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = command(dir, args);
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        // The binary may stop reading early; a write error is not the test's business.
        thread::spawn(move || drop(pipe.write_all(&bytes)))
    });
    let stdout = reader(child.stdout.take().unwrap());
    let stderr = reader(child.stderr.take().unwrap());
    let status = wait(&mut child, DEADLINE);
    if let Some(writer) = writer {
        writer.join().unwrap();
    }
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.join().unwrap()).into_owned(),
    }
}

pub(crate) fn run(args: &[&str]) -> Run {
    run_in(root(), args, None)
}

pub(crate) fn reader(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        pipe.read_to_end(&mut bytes).unwrap();
        bytes
    })
}

/// Waits for the child, killing it and failing the test after `limit`.
pub(crate) fn wait(child: &mut Child, limit: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("kaleyra-wa-lint did not finish within {limit:?}");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// A temporary directory holding `files` (`/`-separated relative names).
pub(crate) fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

pub(crate) fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub(crate) fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

/// Checks a `--format json` report against the output contract (README): exactly these members,
/// these types, and a summary that counts the findings.
pub(crate) fn check_contract(report: &Value) {
    assert_eq!(keys(report), set(&["version", "findings", "summary"]));
    assert_eq!(report["version"], 1);
    assert_eq!(
        keys(&report["summary"]),
        set(&["files", "records", "errors", "warnings", "omitted"])
    );
    for member in ["files", "records", "errors", "warnings", "omitted"] {
        assert!(report["summary"][member].is_u64(), "summary.{member}");
    }
    let findings = report["findings"].as_array().unwrap();
    let mut errors = 0;
    let mut warnings = 0;
    for finding in findings {
        assert_eq!(
            keys(finding),
            set(&[
                "file",
                "record",
                "line",
                "column",
                "end_line",
                "end_column",
                "pointer",
                "code",
                "severity",
                "message"
            ]),
            "{finding}"
        );
        assert!(finding["file"].is_string(), "{finding}");
        assert!(
            finding["record"].is_null() || finding["record"].as_u64() >= Some(1),
            "{finding}"
        );
        let place = ["line", "column", "end_line", "end_column"].map(|m| finding[m].as_u64());
        match place {
            [Some(line), Some(column), Some(end_line), Some(end_column)] => {
                assert!(line >= 1 && column >= 1, "{finding}");
                assert!(
                    (end_line, end_column) > (line, column),
                    "the end is after the start: {finding}"
                );
            }
            [None, None, None, None] => {
                assert!(
                    finding["code"] == "KWA011" || finding["code"] == "KWA012",
                    "only an unreadable file, or one past the size limit, has no place"
                );
                for member in ["line", "column", "end_line", "end_column"] {
                    assert!(finding[member].is_null(), "{finding}");
                }
            }
            _ => panic!("a place is all numbers or all null: {finding}"),
        }
        if let Some(record) = finding["record"].as_u64() {
            assert_eq!(Some(record), place[0], "a record is the line it is on");
        }
        let pointer = finding["pointer"].as_str().unwrap();
        assert!(pointer.is_empty() || pointer.starts_with('/'), "{finding}");
        let code = finding["code"].as_str().unwrap();
        let rule = Rule::from_code(code).unwrap_or_else(|| panic!("unknown code {code}"));
        assert_eq!(finding["severity"], rule.severity().as_str());
        match finding["severity"].as_str().unwrap() {
            "error" => errors += 1,
            "warning" => warnings += 1,
            other => panic!("severity {other}"),
        }
        assert!(!finding["message"].as_str().unwrap().is_empty());
    }
    // Findings past a document's cap are counted, not listed.
    let omitted = report["summary"]["omitted"].as_u64().unwrap();
    let listed = report["summary"]["errors"].as_u64().unwrap()
        + report["summary"]["warnings"].as_u64().unwrap()
        - omitted;
    assert_eq!(listed, errors + warnings);
    if omitted == 0 {
        assert_eq!(report["summary"]["errors"], errors);
        assert_eq!(report["summary"]["warnings"], warnings);
    }
}

/// One finding, as compared in detail: file, record, line, column, end column, code, pointer.
pub(crate) type Place = (String, Option<u64>, u64, u64, u64, String, String);

/// Every finding of a `--format json` report, in detail.
pub(crate) fn detailed_places(report: &Value) -> Vec<Place> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["record"].as_u64(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["end_column"].as_u64().unwrap_or(0),
                f["code"].as_str().unwrap().to_owned(),
                f["pointer"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `(file, record, line, column, code)` of every finding.
pub(crate) fn places(report: &Value) -> Vec<(String, Option<u64>, u64, u64, String)> {
    detailed_places(report)
        .into_iter()
        .map(|(file, record, line, column, _, code, _)| (file, record, line, column, code))
        .collect()
}

pub(crate) fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Parses SARIF output, validates it against the official schema and checks what GitHub
/// code scanning needs. Returns the log.
pub(crate) fn check_sarif(stdout: &str) -> Value {
    let log: Value = serde_json::from_str(stdout).expect("SARIF output is one JSON value");
    let errors: Vec<String> = SARIF_SCHEMA
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    // SARIF1004: a top-level base is an absolute URI (the current directory), ending in `/`.
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "%SRCROOT% is {base}"
    );
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kaleyra-wa-lint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let all: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(ids, all, "every rule, in order");
    for rule in rules {
        for description in ["shortDescription", "fullDescription", "help"] {
            let text = rule[description]["text"].as_str().unwrap_or_default();
            assert!(!text.trim().is_empty(), "{description} of {rule}");
        }
    }
    for result in run["results"].as_array().unwrap() {
        let rule = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], rule, "ruleIndex points at the rule");
        let code = Rule::from_code(rule).unwrap();
        assert_eq!(result["level"], code.severity().as_str());
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let physical = &result["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains("://") && !uri.starts_with("./"),
            "a repository-relative URI: {uri}"
        );
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
            "a percent-encoded URI reference: {uri}"
        );
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        if code != Rule::Unreadable {
            let region = &physical["region"];
            let mut members = keys(region);
            // The offending text, when the excerpt holds it whole.
            if members.remove("snippet") {
                assert!(region["snippet"]["text"].is_string(), "{region}");
            }
            assert_eq!(
                members,
                set(&["startLine", "startColumn", "endLine", "endColumn"])
            );
            // The lines around it, when they are not cut.
            let context = &physical["contextRegion"];
            if !context.is_null() {
                assert!(context["startLine"].as_u64() <= region["startLine"].as_u64());
                assert!(context["endLine"].as_u64() >= region["endLine"].as_u64());
                assert!(context["snippet"]["text"].is_string(), "{context}");
            }
        }
    }
    log
}

/// A workflow command: `(command, properties, message)`, all unescaped.
pub(crate) fn parse_command(line: &str) -> (String, BTreeMap<String, String>, String) {
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("`::` before the message");
    let (command, properties) = head.split_once(' ').expect("properties");
    let properties = properties
        .split(',')
        .map(|p| {
            let (key, value) = p.split_once('=').expect("key=value");
            (key.to_owned(), unescape(value))
        })
        .collect();
    (command.to_owned(), properties, unescape(message))
}

/// Human output, stripped of the temporary directory's name.
pub(crate) fn human(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
    let run = run_in(dir, args, stdin);
    assert!(run.code.is_some(), "{run:?}");
    assert!(!run.stdout.contains('\x1b'), "no colour on a pipe");
    format!("exit: {:?}\n{}", run.code.unwrap(), run.stdout)
}

/// Parses a GitLab Code Quality report and checks every member GitLab requires: returns
/// the issues.
pub(crate) fn check_gitlab(stdout: &str) -> Vec<Value> {
    let report: Value = serde_json::from_str(stdout).expect("the report is one JSON value");
    let issues = report.as_array().expect("a JSON array of issues").clone();
    let mut fingerprints = BTreeSet::new();
    for issue in &issues {
        let text = |member: &str| issue[member].as_str().unwrap_or_default().to_owned();
        assert!(!text("description").is_empty(), "{issue}");
        assert!(Rule::from_code(&text("check_name")).is_some(), "{issue}");
        let fingerprint = text("fingerprint");
        assert!(
            fingerprint.len() == 64 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
            "{issue}"
        );
        assert!(
            fingerprints.insert(fingerprint),
            "fingerprints are unique: {issue}"
        );
        assert!(
            ["info", "minor", "major", "critical", "blocker"].contains(&text("severity").as_str()),
            "{issue}"
        );
        let path = issue["location"]["path"].as_str().expect("location.path");
        assert!(
            !path.is_empty() && !path.starts_with('/') && !path.starts_with("./"),
            "a repository-relative path: {issue}"
        );
        assert!(
            issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1,
            "location.lines.begin: {issue}"
        );
    }
    issues
}

/// What a JUnit report holds, counted from its elements.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Junit {
    pub(crate) suites: Vec<String>,
    pub(crate) tests: usize,
    pub(crate) failed_cases: usize,
    pub(crate) failures: Vec<String>,
    pub(crate) out: Vec<String>,
}

/// Parses a JUnit report with an XML parser and checks each suite's counts against its
/// test cases.
pub(crate) fn check_junit(stdout: &str) -> Junit {
    let document = roxmltree::Document::parse(stdout)
        .unwrap_or_else(|error| panic!("well-formed XML ({error}):\n{stdout}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut junit = Junit::default();
    for suite in root.children().filter(|n| n.is_element()) {
        assert_eq!(suite.tag_name().name(), "testsuite");
        let attribute = |name: &str| suite.attribute(name).unwrap().parse::<usize>().unwrap();
        let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
        assert!(cases.iter().all(|c| c.tag_name().name() == "testcase"));
        let failed = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(attribute("tests"), cases.len(), "tests of {suite:?}");
        assert_eq!(attribute("failures"), failed, "failures of {suite:?}");
        junit
            .suites
            .push(suite.attribute("name").unwrap().to_owned());
        junit.tests += cases.len();
        junit.failed_cases += failed;
        for case in cases {
            assert!(case.attribute("name").is_some_and(|n| !n.is_empty()));
            assert!(case.attribute("classname").is_some());
            for child in case.children().filter(|n| n.is_element()) {
                let text = child.text().unwrap_or_default().to_owned();
                match child.tag_name().name() {
                    "failure" => {
                        assert!(child.attribute("message").is_some());
                        assert!(child.attribute("type").is_some());
                        junit.failures.push(text);
                    }
                    "system-out" => junit.out.push(text),
                    other => panic!("unexpected <{other}>"),
                }
            }
        }
    }
    junit
}

/// The official SARIF 2.1.0 schema (see tests/fixtures/sarif/README.md).
static SARIF_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let path = root().join("tests/fixtures/sarif/sarif-2.1.0-rtm.5.json");
    let mut schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    // The schema's `language` pattern has a stray `]`, legal in ECMA-262's web-compatibility
    // grammar but rejected by Rust regex engines: escape it (the same language; we never emit
    // `language`).
    fn escape_stray_bracket(value: &mut Value) -> usize {
        match value {
            Value::Object(map) => map
                .iter_mut()
                .map(|(key, value)| {
                    if key == "pattern" && value == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
                        *value = json!("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
                        1
                    } else {
                        escape_stray_bracket(value)
                    }
                })
                .sum(),
            Value::Array(items) => items.iter_mut().map(escape_stray_bracket).sum(),
            _ => 0,
        }
    }
    assert_eq!(escape_stray_bracket(&mut schema), 2);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the SARIF schema compiles")
});
