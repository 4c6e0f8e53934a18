//! The CI formats: GitLab Code Quality and JUnit XML, checked structurally
//! against the JSON report of the same run, and several outputs from one run.

use std::path::Path;

use serde_json::Value;

use crate::util::{ERROR, VALID, WARNING, check_gitlab, check_junit, root, run, run_in, tree};

fn json_report(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    run_in(dir, &all, None).report()
}

#[test]
fn gitlab_issues_match_the_json_findings() {
    let gitlab = run(&["--format", "gitlab", "examples/"]);
    assert_eq!(gitlab.code, Some(1), "{gitlab:?}");
    let issues = check_gitlab(&gitlab.stdout);
    let report = json_report(root(), &["examples/"]);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    for (issue, finding) in issues.iter().zip(findings) {
        assert_eq!(issue["check_name"], finding["code"]);
        assert_eq!(issue["location"]["path"], finding["file"]);
        assert_eq!(issue["location"]["lines"]["begin"], finding["line"]);
        let severity = match finding["severity"].as_str().unwrap() {
            "error" => "major",
            _ => "minor",
        };
        assert_eq!(issue["severity"], severity);
        let message = finding["message"].as_str().unwrap();
        assert!(issue["description"].as_str().unwrap().contains(message));
    }
    // Nothing found: an empty array.
    let dir = tree(&[("ok.json", VALID.as_bytes())]);
    let clean = run_in(dir.path(), &["--format", "gitlab", "."], None);
    assert_eq!((clean.code, clean.stdout.as_str()), (Some(0), "[]\n"));
}

fn fingerprints(dir: &Path) -> Vec<(String, String, u64)> {
    let run = run_in(dir, &["--format", "gitlab", "."], None);
    check_gitlab(&run.stdout)
        .iter()
        .map(|issue| {
            (
                issue["check_name"].as_str().unwrap().to_owned(),
                issue["fingerprint"].as_str().unwrap().to_owned(),
                issue["location"]["lines"]["begin"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn gitlab_fingerprints_are_stable_across_runs_and_unrelated_edits() {
    let pretty = |text: &str| {
        let value: Value = serde_json::from_str(text).unwrap();
        serde_json::to_string_pretty(&value).unwrap()
    };
    // The same error in two records: two issues, two fingerprints.
    let lines = format!("{ERROR}\n{ERROR}\n");
    let dir = tree(&[
        ("a.json", pretty(ERROR).as_bytes()),
        ("b.jsonl", lines.as_bytes()),
    ]);
    let first = fingerprints(dir.path());
    assert_eq!(first.len(), 3, "{first:?}");
    assert_eq!(first, fingerprints(dir.path()), "the same across runs");

    // Lines added above, another member edited, a record inserted before: the same
    // fingerprints, at other lines.
    let mut edited: Value = serde_json::from_str(ERROR).unwrap();
    edited["extra_info"] = serde_json::json!({"ref": "campaign-7"});
    let a = format!("\n\n{}", pretty(&edited.to_string()));
    let b = format!("{VALID}\n{ERROR}\n\n{ERROR}\n");
    std::fs::write(dir.path().join("a.json"), a).unwrap();
    std::fs::write(dir.path().join("b.jsonl"), b).unwrap();
    let moved = fingerprints(dir.path());
    let prints = |found: &[(String, String, u64)]| -> Vec<String> {
        found.iter().map(|(_, print, _)| print.clone()).collect()
    };
    assert_eq!(prints(&moved), prints(&first));
    assert_ne!(
        moved.iter().map(|f| f.2).collect::<Vec<_>>(),
        first.iter().map(|f| f.2).collect::<Vec<_>>(),
        "the lines did change"
    );

    // The offending value changed: a new fingerprint for that one only.
    let changed = pretty(&ERROR.replace("0919876543210", "0919876543219"));
    std::fs::write(dir.path().join("a.json"), changed).unwrap();
    let after = fingerprints(dir.path());
    assert_ne!(after[0].1, first[0].1);
    assert_eq!(prints(&after[1..]), prints(&first[1..]));
}

#[test]
fn junit_counts_equal_the_summary() {
    let dir = tree(&[
        ("a-error.json", ERROR.as_bytes()),
        ("b-valid.json", VALID.as_bytes()),
        ("c-warning.json", WARNING.as_bytes()),
        (
            "d.jsonl",
            format!("{VALID}\n{ERROR}\n\n{WARNING}\n{VALID}\nnot json\n").as_bytes(),
        ),
    ]);
    let junit = run_in(dir.path(), &["--format", "junit", "."], None);
    assert_eq!(junit.code, Some(1), "{junit:?}");
    let parsed = check_junit(&junit.stdout);
    let report = json_report(dir.path(), &["."]);
    let summary = &report["summary"];
    let count = |member: &str| summary[member].as_u64().unwrap() as usize;
    assert_eq!(
        parsed.suites,
        ["a-error.json", "b-valid.json", "c-warning.json", "d.jsonl"]
    );
    assert_eq!(parsed.suites.len(), count("files"));
    // A test case per request: d.jsonl's findings are in 3 records, its 2 others pass.
    assert_eq!(count("records"), 3 + 5);
    assert_eq!(parsed.tests, 3 + 4);
    assert_eq!(parsed.failures.len(), count("errors"));
    assert_eq!(parsed.failed_cases, 3);
    // Warnings do not fail: they are the test case's output.
    let warnings: usize = parsed
        .out
        .iter()
        .map(|o| o.matches("warning: ").count())
        .sum();
    assert_eq!(warnings, count("warnings"));
    assert!(parsed.failures[0].starts_with("a-error.json:1:59: KWA009 phone-number: "));
}

#[test]
fn junit_is_well_formed_whatever_the_payload_holds() {
    // Markup, a CDATA end, NUL (as `\u0000` in the file), ESC, and U+FFFE, which XML 1.0
    // cannot carry; as a value that breaks a rule and as an unknown key.
    let hostile = "]]><x a=\"&amp;\">'\0\u{1b}\u{fffe}&<![CDATA[";
    let mut payload: Value = serde_json::from_str(VALID).unwrap();
    payload["messaging_object"]["to"] = Value::from(hostile);
    payload["messaging_object"][hostile] = Value::from(1);
    let key_and_value = serde_json::to_string(&payload).unwrap();
    assert!(key_and_value.contains("\\u0000"));
    let dir = tree(&[
        ("payload.json", key_and_value.as_bytes()),
        ("a&b<c>]]>.json", ERROR.as_bytes()),
        ("raw.jsonl", b"{\"a\": \x01\x7f}\n"),
    ]);
    let junit = run_in(dir.path(), &["--format", "junit", "."], None);
    assert_eq!(junit.code, Some(1), "{junit:?}");
    let parsed = check_junit(&junit.stdout);
    let report = json_report(dir.path(), &["."]);
    assert_eq!(
        parsed.failures.len() as u64,
        report["summary"]["errors"].as_u64().unwrap()
    );
    assert!(parsed.suites.contains(&"a&b<c>]]>.json".to_owned()));
    let all = parsed.failures.join("\n");
    // Markup comes back as the payload's text; what XML 1.0 cannot carry, escaped.
    assert!(all.contains("]]><x a=\"&amp;\">'"), "{all}");
    assert!(all.contains("\\u{0}\\u{1b}\\u{fffe}"), "{all}");
    assert!(
        !junit
            .stdout
            .contains(['\0', '\u{1}', '\u{1b}', '\u{7f}', '\u{fffe}'])
    );
}

#[test]
fn several_outputs_in_one_run_are_byte_identical_to_separate_runs() {
    let dir = tree(&[
        ("a.json", ERROR.as_bytes()),
        ("b.json", WARNING.as_bytes()),
        ("c.jsonl", format!("{VALID}\n{ERROR}\n").as_bytes()),
        ("out/.keep", b""),
    ]);
    let formats = ["human", "json", "sarif", "github", "gitlab", "junit"];
    let mut args = vec!["--format", "human", "a.json", "b.json", "c.jsonl"];
    let outputs: Vec<String> = formats.iter().map(|f| format!("{f}=out/{f}.txt")).collect();
    for output in &outputs {
        args.extend(["--output", output.as_str()]);
    }
    let together = run_in(dir.path(), &args, None);
    assert_eq!(together.code, Some(1), "{together:?}");
    for format in formats {
        let alone = run_in(
            dir.path(),
            &["--format", format, "a.json", "b.json", "c.jsonl"],
            None,
        );
        assert_eq!(alone.code, together.code);
        let written =
            std::fs::read_to_string(dir.path().join(format!("out/{format}.txt"))).unwrap();
        assert_eq!(written, alone.stdout, "--output {format}");
        if format == "human" {
            assert_eq!(together.stdout, alone.stdout, "standard output");
        }
    }
}

#[test]
fn bad_outputs_are_usage_errors() {
    let dir = tree(&[("a.json", VALID.as_bytes())]);
    for (output, expected) in [
        ("xml=out.xml", "invalid value 'xml=out.xml' for '--output"),
        ("junit", "expected FORMAT=PATH"),
        ("junit=", "the PATH after `=` is empty"),
        (
            "junit=no/such/dir/out.xml",
            "cannot create no/such/dir/out.xml",
        ),
    ] {
        let run = run_in(dir.path(), &["--output", output, "."], None);
        assert_eq!(run.code, Some(2), "{output}: {run:?}");
        assert!(run.stderr.contains(expected), "{output}: {}", run.stderr);
    }
}

/// A report written inside the linted directory is not linted: it is created before the walk
/// reaches it, half written.
#[test]
fn reports_inside_the_linted_directory_are_not_linted() {
    let dir = tree(&[("a.json", VALID.as_bytes())]);
    let run = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "--output",
            "gitlab=gl-code-quality-report.json",
            "--output",
            "json=./report.json",
            ".",
        ],
        None,
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let report = run.report();
    assert_eq!(report["summary"]["files"], 1, "{report}");
    assert!(dir.path().join("report.json").exists());
}
