//! The command line's contract: exit statuses, usage errors, `rules`, `explain`, `--version`,
//! `--help`, `--quiet`.

use kaleyra_wa::Rule;
use serde_json::json;

use crate::util::{ERROR, VALID, WARNING, places, root, run, run_in, tree};

// ---------------------------------------------------------------------------------------
// Exit status

#[test]
fn exit_0_when_clean() {
    let run = run(&["examples/order-shipped.json"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, "1 file, 1 record: 0 errors, 0 warnings\n");
    assert_eq!(run.stderr, "");
}

#[test]
fn exit_1_when_there_are_errors() {
    let run = run(&["examples/"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout
            .ends_with("4 files, 7 records: 11 errors, 1 warning\n")
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = tree(&[("w.json", WARNING.as_bytes())]);
    let allowed = run_in(dir.path(), &["w.json"], None);
    assert_eq!(allowed.code, Some(0), "{allowed:?}");
    assert!(allowed.stdout.contains("warning[KWA101]"));
    let denied = run_in(dir.path(), &["--deny-warnings", "w.json"], None);
    assert_eq!(denied.code, Some(1), "{denied:?}");
    let quiet_denied = run_in(dir.path(), &["--deny-warnings", "-q", "w.json"], None);
    assert_eq!(
        quiet_denied.code,
        Some(1),
        "--quiet hides warnings, not their verdict"
    );
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    for args in [
        &["--format", "xml"][..],
        &["--no-such-flag"],
        &["explain"],
        &["explain", "KWA999"],
        &["--format"],
    ] {
        let run = run(args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(run.stderr.contains("error"), "{args:?}: {run:?}");
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

#[test]
fn a_missing_path_exits_2_and_the_other_paths_are_still_linted() {
    let dir = tree(&[
        ("good.json", VALID.as_bytes()),
        ("bad.json", ERROR.as_bytes()),
    ]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "good.json", "missing.json", "bad.json"],
        None,
    );
    assert_eq!(run.code, Some(2), "{run:?}");
    let report = run.report();
    assert_eq!(
        places(&report),
        [
            ("missing.json".into(), None, 0, 0, "KWA011".into()),
            ("bad.json".into(), None, 1, 59, "KWA009".into()),
        ]
    );
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read")
    );
    assert_eq!(
        report["summary"],
        json!({"files": 3, "records": 2, "errors": 2, "warnings": 0, "omitted": 0})
    );
    // Human output names the file too, and still ends with the summary.
    let human = run_in(dir.path(), &["missing.json", "bad.json"], None);
    assert_eq!(human.code, Some(2));
    assert!(human.stdout.contains("error[KWA011]: cannot read"));
    assert!(human.stdout.contains("--> missing.json"));
    assert!(human.stdout.contains("--> bad.json:1:59"));
}

// ---------------------------------------------------------------------------------------
// rules, explain, --version, --help, --quiet

#[test]
fn rules_lists_every_rule() {
    let run = run(&["rules"]);
    assert_eq!(run.code, Some(0));
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), Rule::ALL.len());
    for (line, rule) in lines.iter().zip(Rule::ALL) {
        assert_eq!(
            *line,
            format!(
                "{}  {:<7}  {:<20}  {}",
                rule.code(),
                rule.severity().as_str(),
                rule.name(),
                rule.summary()
            )
        );
    }
}

#[test]
fn explain_prints_the_documentation_with_a_bad_and_a_good_example() {
    for rule in Rule::ALL {
        let run = run(&["explain", rule.code()]);
        assert_eq!(run.code, Some(0));
        assert_eq!(run.stdout, rule.explain());
        assert!(run.stdout.starts_with(&format!("# {}", rule.code())));
        let bad = run.stdout.find("## Bad").expect("a bad example");
        let good = run.stdout.find("## Good").expect("a good example");
        assert!(bad < good);
        assert!(run.stdout.matches("```").count() >= 4, "two code blocks");
    }
    assert_eq!(
        run(&["explain", "too-long"]).stdout,
        Rule::TooLong.explain()
    );
    let unknown = run(&["explain", "KWA999"]);
    assert_eq!(unknown.code, Some(2));
    assert!(unknown.stderr.contains("no rule `KWA999`"));
}

#[test]
fn version_and_help() {
    let version = run(&["--version"]);
    assert_eq!(version.code, Some(0));
    assert_eq!(
        version.stdout,
        format!("kaleyra-wa-lint {}\n", env!("CARGO_PKG_VERSION"))
    );
    let help = run(&["--help"]);
    assert_eq!(help.code, Some(0));
    for needle in [
        "Usage: kaleyra-wa-lint [OPTIONS] [PATH]...",
        "--format",
        "--deny-warnings",
        "--quiet",
        "--stdin-filename",
        "Exit status",
        "rules",
        "explain",
    ] {
        assert!(help.stdout.contains(needle), "--help mentions {needle}");
    }
}

#[test]
fn quiet_prints_errors_only() {
    let run = run(&["--quiet", "examples/"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout.matches("error[").count(), 11);
    assert!(!run.stdout.contains("warning["));
    assert!(!run.stdout.contains("files,"), "no summary");
    let clean = run_in(root(), &["-q", "-"], Some(WARNING.as_bytes()));
    assert_eq!(clean.code, Some(0));
    assert_eq!(clean.stdout, "");
}
