//! End-to-end tests of the built `kaleyra-wa-lint` binary: the output contract (exit status,
//! the four formats, stdin, directories, JSON Lines, columns in code points, `rules`,
//! `explain`), hostile input, and the fixture corpus with each invalid file's expected place.
//!
//! Runs go through the shared harness (`crate::util`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kaleyra_wa::Rule;
use serde_json::{Value, json};

use crate::util::{
    BIN, ERROR, VALID, WARNING, check_contract, check_sarif, codes, command, human, parse_command,
    places, reader, root, run, run_in, set, tree, wait,
};

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
// --format json

#[test]
fn json_is_one_object_with_exactly_the_contract_members() {
    let run = run(&["--format", "json", "examples/"]);
    assert_eq!(run.code, Some(1));
    let report = run.report();
    assert_eq!(
        report["summary"],
        json!({"files": 4, "records": 7, "errors": 11, "warnings": 1, "omitted": 0})
    );
    let campaign = &report["findings"][0];
    assert_eq!(
        campaign,
        &json!({
            "file": "examples/campaign.jsonl", "record": 2, "line": 2, "column": 116,
            "end_line": 2, "end_column": 130, "pointer": "/messaging_object/interactive/type",
            "code": "KWA006", "severity": "error",
            "message": "expected `product`, found `product_list`",
        })
    );
    let expected: Vec<(&str, Option<u64>, u64, u64, &str)> = vec![
        ("examples/campaign.jsonl", Some(2), 2, 116, "KWA006"),
        ("examples/campaign.jsonl", Some(2), 2, 189, "KWA008"),
        ("examples/campaign.jsonl", Some(4), 4, 193, "KWA001"),
        ("examples/documented-sample.json", None, 5, 16, "KWA009"),
        ("examples/typo-and-header.json", None, 4, 12, "KWA009"),
        ("examples/typo-and-header.json", None, 4, 28, "KWA009"),
        ("examples/typo-and-header.json", None, 8, 7, "KWA010"),
        ("examples/typo-and-header.json", None, 9, 27, "KWA007"),
        ("examples/typo-and-header.json", None, 10, 17, "KWA004"),
        ("examples/typo-and-header.json", None, 10, 19, "KWA005"),
        ("examples/typo-and-header.json", None, 13, 39, "KWA002"),
        ("examples/typo-and-header.json", None, 13, 72, "KWA101"),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(f, r, l, c, code)| (f.to_owned(), r, l, c, code.to_owned()))
        .collect();
    assert_eq!(places(&report), expected);
    let warning = report["findings"].as_array().unwrap().last().unwrap();
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["pointer"], "/extra_info/wa_source");
}

#[test]
fn json_with_nothing_found() {
    let run = run(&["--format", "json", "examples/order-shipped.json"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(
        run.report(),
        json!({"version": 1, "findings": [],
               "summary": {"files": 1, "records": 1, "errors": 0, "warnings": 0, "omitted": 0}})
    );
}

// ---------------------------------------------------------------------------------------
// --format sarif

#[test]
fn sarif_is_valid_and_matches_the_json_findings() {
    let sarif = run(&["--format", "sarif", "examples/", "tests/no-such-file.json"]);
    assert_eq!(sarif.code, Some(2));
    let log = check_sarif(&sarif.stdout);
    let report = run(&["--format", "json", "examples/", "tests/no-such-file.json"]).report();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (result, finding) in results.iter().zip(findings) {
        assert_eq!(result["ruleId"], finding["code"]);
        let physical = &result["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], finding["file"]);
        let region = &physical["region"];
        assert_eq!(region["startLine"], finding["line"]);
        assert_eq!(region["startColumn"], finding["column"]);
        assert_eq!(region["endLine"], finding["end_line"]);
        assert_eq!(region["endColumn"], finding["end_column"]);
        if finding["pointer"] != "" {
            assert_eq!(
                result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                finding["pointer"]
            );
        }
    }
}

#[test]
fn sarif_with_nothing_found_is_valid() {
    let run = run(&["--format", "sarif", "examples/order-shipped.json"]);
    assert_eq!(run.code, Some(0));
    let log = check_sarif(&run.stdout);
    assert_eq!(log["runs"][0]["results"], json!([]));
}

#[test]
fn sarif_uris_are_encoded_and_relative() {
    let dir = tree(&[
        ("with space/ä:b#c.json", ERROR.as_bytes()),
        ("pct%.json", ERROR.as_bytes()),
    ]);
    let absolute = dir.path().join("pct%.json");
    let run = run_in(
        dir.path(),
        &[
            "--format",
            "sarif",
            "with space",
            absolute.to_str().unwrap(),
            "-",
        ],
        Some(ERROR.as_bytes()),
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    let log = check_sarif(&run.stdout);
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        [
            "with%20space/%C3%A4%3Ab%23c.json",
            "pct%25.json",
            "%3Cstdin%3E"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// --format github

#[test]
fn github_commands_match_the_json_findings() {
    let github = run(&["--format", "github", "examples/"]);
    assert_eq!(github.code, Some(1));
    let report = run(&["--format", "json", "examples/"]).report();
    let lines: Vec<&str> = github.stdout.lines().collect();
    let (summary, commands) = lines.split_last().unwrap();
    assert_eq!(
        *summary,
        "kaleyra-wa-lint: 4 files, 7 records: 11 errors, 1 warning"
    );
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(commands.len(), findings.len());
    for (line, finding) in commands.iter().zip(findings) {
        let (command, properties, message) = parse_command(line);
        assert_eq!(command, finding["severity"].as_str().unwrap());
        assert_eq!(
            properties.keys().cloned().collect::<BTreeSet<_>>(),
            set(&["file", "line", "col", "endLine", "endColumn", "title"])
        );
        assert_eq!(properties["file"], finding["file"].as_str().unwrap());
        assert_eq!(properties["line"], finding["line"].to_string());
        assert_eq!(properties["col"], finding["column"].to_string());
        assert_eq!(properties["endLine"], finding["end_line"].to_string());
        // GitHub's endColumn is inclusive; ours (like SARIF's) is one past the end.
        let end = finding["end_column"].as_u64().unwrap() - 1;
        let end = end.max(finding["column"].as_u64().unwrap());
        assert_eq!(properties["endColumn"], end.to_string());
        assert!(properties["title"].starts_with(finding["code"].as_str().unwrap()));
        assert!(message.starts_with(finding["message"].as_str().unwrap()));
    }
}

#[test]
fn github_commands_escape_properties_and_messages() {
    // A file name with `,`, `:` and `%`; a message with `%`; help on a second line.
    let payload = ERROR.replace("0919876543210", "91%98");
    let dir = tree(&[("a,b:c%.json", payload.as_bytes())]);
    let run = run_in(dir.path(), &["--format", "github", "-q", "."], None);
    assert_eq!(run.code, Some(1), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "--quiet: no summary line: {lines:?}");
    let line = lines[0];
    assert!(
        line.starts_with("::error file=a%2Cb%3Ac%25.json,line=1,col=59,"),
        "{line}"
    );
    assert!(line.contains("title=KWA009 phone-number::"), "{line}");
    let message = line.rsplit_once("phone-number::").unwrap().1;
    assert!(
        message.starts_with("`91%2598` is not an E.164"),
        "{message}"
    );
    assert!(message.contains("%0Ahelp: "), "{message}");
    assert!(!message.contains('\r'));
    let (_, properties, text) = parse_command(line);
    assert_eq!(properties["file"], "a,b:c%.json");
    assert!(text.starts_with("`91%98` is not an E.164"));
}

// ---------------------------------------------------------------------------------------
// Human output

#[test]
fn human_output_for_the_shipped_examples() {
    insta::assert_snapshot!("examples", human(root(), &["examples/"], None));
}

#[test]
fn human_output_for_targeted_cases() {
    let mut long_line = String::from(VALID);
    long_line.insert_str(
        long_line.find("\"action\"").unwrap(),
        r#""body":{"text":"é中😀 ok"},"#,
    );
    let long_line = long_line.replace("catalog_id", "catalogue_id");
    let duplicate = "{\n  \"messaging_object\": {\n    \"to\": \"919876543210\",\n    \"to\": \"919876543211\"\n  }\n}\n";
    let dir = tree(&[
        ("bom.json", &[b"\xEF\xBB\xBF", ERROR.as_bytes()].concat()),
        ("empty.json", b""),
        ("multibyte.json", long_line.as_bytes()),
        ("duplicate.json", duplicate.as_bytes()),
        (
            "records.jsonl",
            format!("{VALID}\r\n\r\n{WARNING}\r\n{{\"messaging_object\": [}}\r\n").as_bytes(),
        ),
    ]);
    insta::assert_snapshot!("targeted", human(dir.path(), &[".", "nope.json"], None));
    insta::assert_snapshot!(
        "quiet",
        human(dir.path(), &["--quiet", "records.jsonl", "bom.json"], None)
    );
}

#[test]
fn colour_only_when_forced_or_on_a_terminal() {
    let mut plain = command(root(), &["examples/typo-and-header.json"]);
    plain.env_remove("NO_COLOR");
    let plain = plain.output().unwrap();
    assert!(!plain.stdout.contains(&0x1b), "a pipe gets no colour");
    let mut forced = command(root(), &["examples/typo-and-header.json"]);
    forced.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
    let forced = forced.output().unwrap();
    assert!(forced.stdout.contains(&0x1b), "CLICOLOR_FORCE=1 colours");
}

// ---------------------------------------------------------------------------------------
// stdin, directories, JSON Lines, columns

#[test]
fn stdin_is_read_as_json_named_stdin() {
    let run = run_in(root(), &["--format", "json", "-"], Some(ERROR.as_bytes()));
    assert_eq!(run.code, Some(1));
    assert_eq!(
        places(&run.report()),
        [("<stdin>".into(), None, 1, 59, "KWA009".into())]
    );
    let clean = run_in(root(), &["-"], Some(VALID.as_bytes()));
    assert_eq!(clean.code, Some(0));
    assert_eq!(clean.stdout, "1 file, 1 record: 0 errors, 0 warnings\n");
}

#[test]
fn stdin_filename_names_stdin_and_picks_json_lines() {
    let input = format!("{VALID}\n\n{ERROR}\n{WARNING}\n");
    let website = WARNING.find("\"website\"").unwrap() as u64 + 1;
    let run = run_in(
        root(),
        &["--format", "json", "--stdin-filename", "sub/x.jsonl", "-"],
        Some(input.as_bytes()),
    );
    assert_eq!(run.code, Some(1));
    let report = run.report();
    assert_eq!(
        places(&report),
        [
            ("sub/x.jsonl".into(), Some(3), 3, 59, "KWA009".into()),
            ("sub/x.jsonl".into(), Some(4), 4, website, "KWA101".into()),
        ]
    );
    assert_eq!(
        report["summary"]["records"], 3,
        "the blank line is no record"
    );
    // The same input named .json is one (invalid) document.
    let run = run_in(
        root(),
        &["--format", "json", "--stdin-filename", "x.json", "-"],
        Some(input.as_bytes()),
    );
    assert_eq!(
        places(&run.report()),
        [("x.json".into(), None, 3, 1, "KWA001".into())]
    );
}

#[test]
fn json_lines_records_lines_and_columns() {
    // CRLF line ends, blank lines, an error in the middle and a syntax error at the end.
    let text = format!("{VALID}\r\n\r\n   \n{ERROR}\r\n{VALID}\n{{\"messaging_object\":\n");
    let dir = tree(&[("batch.ndjson", text.as_bytes())]);
    let run = run_in(dir.path(), &["--format", "json", "batch.ndjson"], None);
    assert_eq!(run.code, Some(1));
    let report = run.report();
    assert_eq!(
        places(&report),
        [
            ("batch.ndjson".into(), Some(4), 4, 59, "KWA009".into()),
            ("batch.ndjson".into(), Some(6), 6, 20, "KWA001".into()),
        ]
    );
    assert_eq!(report["findings"][0]["end_column"], 72);
    assert_eq!(report["summary"]["records"], 4);
    // An empty JSON Lines file holds no request, and that is fine.
    let dir = tree(&[("none.jsonl", b"")]);
    let run = run_in(dir.path(), &["--format", "json", "."], None);
    assert_eq!(run.code, Some(0));
    assert_eq!(
        run.report()["summary"],
        json!({"files": 1, "records": 0, "errors": 0, "warnings": 0, "omitted": 0})
    );
}

#[test]
fn directories_are_walked_recursively_honouring_gitignore_and_extensions() {
    let bad = ERROR.as_bytes();
    // A git repository (its `.gitignore` applies inside it, as git's does).
    let dir = tree(&[
        (".git/HEAD", b"ref: refs/heads/main\n"),
        (".gitignore", b"ignored/\n*.skip.json\n"),
        ("a.json", bad),
        ("b/c/deep.jsonl", bad),
        ("b/UPPER.NDJSON", bad),
        ("b/notes.txt", bad),
        ("b/payload.json.bak", bad),
        ("ignored/x.json", bad),
        ("z.skip.json", bad),
        ("dir.json/inner.json", bad),
        (".hidden/h.json", bad),
    ]);
    let run = run_in(dir.path(), &["--format", "json"], None);
    assert_eq!(run.code, Some(1), "{run:?}");
    let report = run.report();
    let files: Vec<String> = places(&report).into_iter().map(|p| p.0).collect();
    assert_eq!(
        files,
        [
            "a.json",
            "b/UPPER.NDJSON",
            "b/c/deep.jsonl",
            "dir.json/inner.json"
        ]
    );
    assert_eq!(report["summary"]["files"], 4);
    // A file named explicitly is linted whatever its name, as JSON unless .jsonl/.ndjson.
    let run = run_in(dir.path(), &["--format", "json", "b/notes.txt"], None);
    assert_eq!(
        places(&run.report()),
        [("b/notes.txt".into(), None, 1, 59, "KWA009".into())]
    );
    // A directory given as `sub/` or `./sub` names its files relative to how it was given.
    let run = run_in(dir.path(), &["--format", "json", "./b/c"], None);
    assert_eq!(run.report()["findings"][0]["file"], "b/c/deep.jsonl");
}

#[test]
fn ignore_files_apply_inside_their_repository_only() {
    let bad = ERROR.as_bytes();
    // A home directory kept as a dotfiles repository ignores everything; a project inside it
    // is a repository of its own, whose files git tracks.
    let home = tree(&[
        (".git/HEAD", b"ref: refs/heads/main\n"),
        (".gitignore", b"*\n"),
        ("project/.git/HEAD", b"ref: refs/heads/main\n"),
        ("project/.gitignore", b"skip.json\n"),
        ("project/a.json", bad),
        ("project/skip.json", bad),
        ("project/sub/b.json", bad),
        ("loose/c.json", bad),
    ]);
    let files = |dir: &Path, args: &[&str]| -> Vec<String> {
        let mut command = vec!["--format", "json"];
        command.extend_from_slice(args);
        let report = run_in(dir, &command, None).report();
        places(&report).into_iter().map(|p| p.0).collect()
    };
    let project = home.path().join("project");
    assert_eq!(files(&project, &[]), ["a.json", "sub/b.json"]);
    assert_eq!(files(&project, &["sub"]), ["sub/b.json"]);
    assert_eq!(
        files(home.path(), &["project"]),
        ["project/a.json", "project/sub/b.json"]
    );
    // Outside any repository, no `.gitignore` applies (as with ripgrep).
    let outside = tree(&[(".gitignore", b"*.json\n"), ("c.json", bad)]);
    assert_eq!(files(outside.path(), &[]), ["c.json"]);
}

#[test]
fn columns_count_code_points() {
    // Two-, three- and four-byte characters before the error on the same line.
    let text = VALID.replace(
        r#""type":"product","#,
        r#""type":"product","body":{"text":"é中😀"},"#,
    );
    let text = text.replace("catalog_id", "catalogue_id");
    let key = text.find("\"catalogue_id\"").unwrap();
    let column = text[..key].chars().count() as u64 + 1;
    assert_eq!(
        key as u64 + 1 - column,
        1 + 2 + 3,
        "bytes and code points differ"
    );
    let dir = tree(&[("m.json", text.as_bytes())]);
    let report = run_in(dir.path(), &["--format", "json", "m.json"], None).report();
    let unknown = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "KWA005")
        .unwrap();
    assert_eq!(unknown["column"], column);
    assert_eq!(unknown["end_column"], column + 14);
    // The same columns in SARIF and GitHub output.
    let sarif = run_in(dir.path(), &["--format", "sarif", "m.json"], None);
    let log = check_sarif(&sarif.stdout);
    let regions: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "KWA005")
        .map(|r| &r["locations"][0]["physicalLocation"]["region"])
        .collect();
    assert_eq!(regions[0]["startColumn"], column);
    let github = run_in(dir.path(), &["--format", "github", "m.json"], None);
    assert!(
        github
            .stdout
            .contains(&format!("col={column},endLine=1,endColumn={}", column + 13)),
        "{}",
        github.stdout
    );
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

// ---------------------------------------------------------------------------------------
// Hostile input

#[test]
fn invalid_utf8_inside_and_outside_strings() {
    let mut inside = ERROR.replace("SKU-1", "SKU-@").into_bytes();
    let at = inside.iter().position(|b| *b == b'@').unwrap();
    inside[at] = 0xFF;
    let outside = b"{\"messaging_object\": \xC3\x28}";
    let dir = tree(&[("inside.json", &inside), ("outside.json", outside)]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "inside.json", "outside.json"],
        None,
    );
    assert_eq!(run.code, Some(1));
    let report = run.report();
    assert_eq!(
        places(&report),
        [
            (
                "inside.json".into(),
                None,
                1,
                at as u64 + 1,
                "KWA001".into()
            ),
            ("outside.json".into(), None, 1, 22, "KWA001".into()),
        ]
    );
    // Human output shows the bytes lossily, without panicking.
    let human = run_in(dir.path(), &["inside.json", "outside.json"], None);
    assert_eq!(human.code, Some(1));
    assert!(human.stderr.is_empty(), "{}", human.stderr);
    assert!(human.stdout.contains("inside.json:1:"));
}

#[test]
fn a_bom_is_reported_at_1_1_and_the_rest_is_still_linted() {
    let text = std::fs::read(root().join("examples/typo-and-header.json")).unwrap();
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), &text].concat();
    let dir = tree(&[("plain.json", &text), ("bom.json", &with_bom)]);
    let plain = run_in(dir.path(), &["--format", "json", "plain.json"], None).report();
    let bom = run_in(dir.path(), &["--format", "json", "bom.json"], None);
    assert_eq!(bom.code, Some(1));
    let bom = bom.report();
    let first = &bom["findings"][0];
    assert_eq!(
        (
            &first["code"],
            &first["line"],
            &first["column"],
            &first["end_column"]
        ),
        (&json!("KWA001"), &json!(1), &json!(1), &json!(2))
    );
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("byte order mark")
    );
    // Everything else is what the file without the BOM gets (its findings are on later
    // lines, so the columns agree).
    let rest: Vec<_> = places(&bom)[1..]
        .iter()
        .map(|p| (p.2, p.3, p.4.clone()))
        .collect();
    let expected: Vec<_> = places(&plain)
        .iter()
        .map(|p| (p.2, p.3, p.4.clone()))
        .collect();
    assert_eq!(rest, expected);
    assert_eq!(expected.len(), 8);
    // A BOM on an otherwise valid file: one finding, and the file still counts as linted.
    let dir = tree(&[("v.json", &[b"\xEF\xBB\xBF", VALID.as_bytes()].concat())]);
    let run = run_in(dir.path(), &["--format", "json", "v.json"], None);
    assert_eq!(codes(&run.report()), ["KWA001"]);
    // On the first record of a JSON Lines file, too.
    let lines = format!("\u{FEFF}{ERROR}\n{VALID}\n");
    let run = run_in(
        root(),
        &["--format", "json", "--stdin-filename", "b.jsonl", "-"],
        Some(lines.as_bytes()),
    );
    assert_eq!(
        places(&run.report()),
        [
            ("b.jsonl".into(), Some(1), 1, 1, "KWA001".into()),
            // The BOM is a code point of the line: the columns after it move by one.
            ("b.jsonl".into(), Some(1), 1, 60, "KWA009".into()),
        ]
    );
}

#[test]
fn deep_nesting_is_a_finding_not_a_stack_overflow() {
    let arrays = "[".repeat(100_000);
    let objects = "{\"a\":".repeat(100_000);
    let record = format!("{{\"messaging_object\":{}\n", "[".repeat(50_000));
    let dir = tree(&[
        ("arrays.json", arrays.as_bytes()),
        ("objects.json", objects.as_bytes()),
        (
            "deep.jsonl",
            format!("{VALID}\n{record}{VALID}\n").as_bytes(),
        ),
    ]);
    let start = Instant::now();
    let run = run_in(dir.path(), &["--format", "json", "."], None);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(run.code, Some(1), "{run:?}");
    let report = run.report();
    let found: Vec<_> = places(&report)
        .into_iter()
        .map(|p| (p.0, p.1, p.4))
        .collect();
    assert_eq!(
        found,
        [
            ("arrays.json".into(), None, "KWA012".into()),
            ("deep.jsonl".into(), Some(2), "KWA012".into()),
            ("objects.json".into(), None, "KWA012".into()),
        ]
    );
    assert_eq!(
        report["findings"][0]["message"],
        "nesting is deeper than 127 levels; parsing stopped here"
    );
    // The records around the deep one are still checked.
    assert_eq!(report["summary"]["records"], 5);
    // Human output, too.
    let human = run_in(dir.path(), &["arrays.json"], None);
    assert_eq!(human.code, Some(1));
    assert!(
        human
            .stdout
            .contains("error[KWA012]: nesting is deeper than 127 levels")
    );
}

#[test]
fn empty_and_whitespace_only_files() {
    let dir = tree(&[("empty.json", b""), ("blank.json", b"  \n\t\r\n")]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "empty.json", "blank.json"],
        None,
    );
    assert_eq!(run.code, Some(1));
    let report = run.report();
    assert_eq!(codes(&report), ["KWA001", "KWA001"]);
    for finding in report["findings"].as_array().unwrap() {
        assert_eq!(finding["message"], "the file is empty");
        assert_eq!(finding["pointer"], "");
    }
    assert_eq!(report["findings"][0]["line"], 1);
    assert_eq!(report["findings"][0]["column"], 1);
    // Empty standard input, too.
    let run = run_in(root(), &["--format", "json", "-"], Some(b""));
    assert_eq!(codes(&run.report()), ["KWA001"]);
}

#[test]
fn a_huge_string_value_is_fast() {
    // A 50 MB ref: one warning (it will be truncated), found quickly, in every format.
    let text = format!(
        "{},\"extra_info\":{{\"ref\":\"{}\"}}}}",
        &VALID[..VALID.len() - 1],
        "x".repeat(50 << 20)
    );
    let dir = tree(&[("huge.json", text.as_bytes())]);
    for format in ["json", "human"] {
        let start = Instant::now();
        let args = ["--max-file-size", "64MiB", "--format", format, "huge.json"];
        let run = run_in(dir.path(), &args, None);
        let elapsed = start.elapsed();
        assert_eq!(run.code, Some(0), "{format}: {run:?}");
        assert!(run.stdout.contains("KWA102"), "{format}");
        assert!(
            run.stdout.len() < 4096,
            "{format}: the excerpt of a 50 MB line is not printed"
        );
        assert!(elapsed < Duration::from_secs(20), "{format}: {elapsed:?}");
    }
}

#[test]
fn unreadable_paths_are_findings_and_the_rest_is_linted() {
    let dir = tree(&[("ok.json", ERROR.as_bytes())]);
    let path = dir.path();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("nowhere.json", path.join("dangling.json")).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(path.join("socket.json")).unwrap();
        // A file name that is not UTF-8.
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"bad\xFFname.json");
        std::fs::write(path.join(name), ERROR).unwrap();
        // A FIFO nobody writes to: reading it would block forever.
        assert!(
            Command::new("mkfifo")
                .arg(path.join("fifo.json"))
                .status()
                .unwrap()
                .success()
        );
        // Walking skips what is not a regular file (no hang, no finding), and follows links:
        // one to nothing is unreadable.
        let run = run_in(path, &["--format", "json", "."], None);
        assert_eq!(run.code, Some(2), "{run:?}");
        let found: Vec<_> = places(&run.report())
            .into_iter()
            .map(|p| (p.0, p.4))
            .collect();
        assert_eq!(
            found,
            [
                ("bad\u{FFFD}name.json".into(), "KWA009".into()),
                ("dangling.json".into(), "KWA011".into()),
                ("ok.json".into(), "KWA009".into()),
            ]
        );
        // Named explicitly, the dangling link and the socket are unreadable.
        let run = run_in(
            path,
            &[
                "--format",
                "json",
                "dangling.json",
                "socket.json",
                "ok.json",
            ],
            None,
        );
        assert_eq!(run.code, Some(2), "{run:?}");
        assert_eq!(codes(&run.report()), ["KWA011", "KWA011", "KWA009"]);
    }
}

/// A directory the walker may not enter, and a file it may not read: with `chmod 000` for a
/// user, and for root (who may read anything) by running the binary as `nobody`.
#[cfg(unix)]
#[test]
fn a_directory_with_unreadable_entries() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[
        ("ok.json", ERROR.as_bytes()),
        ("locked/inside.json", ERROR.as_bytes()),
        ("secret.json", ERROR.as_bytes()),
    ]);
    let path = dir.path();
    for entry in ["", "ok.json"] {
        std::fs::set_permissions(path.join(entry), PermissionsExt::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(path.join("locked"), PermissionsExt::from_mode(0o000)).unwrap();
    std::fs::set_permissions(path.join("secret.json"), PermissionsExt::from_mode(0o000)).unwrap();
    let is_root = std::fs::read_dir(path.join("locked")).is_ok();
    let mut command = if is_root {
        // Root reads anything: drop to nobody, when the binary is reachable for nobody.
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        command
    } else {
        Command::new(BIN)
    };
    let output = command
        .args(["--format", "json", "."])
        .current_dir(path)
        .output();
    let restore = || {
        for entry in ["locked", "secret.json"] {
            std::fs::set_permissions(path.join(entry), PermissionsExt::from_mode(0o755)).ok();
        }
    };
    let output = match output {
        Ok(output) if !is_root || output.status.code() != Some(127) => output,
        _ => {
            restore();
            eprintln!("skipped: running as root without setpriv");
            return;
        }
    };
    restore();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if is_root && stdout.is_empty() {
        eprintln!(
            "skipped: nobody cannot run the binary: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return;
    }
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    check_contract(&report);
    let found: Vec<_> = places(&report).into_iter().map(|p| (p.0, p.4)).collect();
    assert_eq!(
        found,
        [
            ("locked".to_owned(), "KWA011".to_owned()),
            ("ok.json".to_owned(), "KWA009".to_owned()),
            ("secret.json".to_owned(), "KWA011".to_owned()),
        ]
    );
    for finding in report["findings"].as_array().unwrap() {
        if finding["code"] == "KWA011" {
            assert!(
                finding["message"]
                    .as_str()
                    .unwrap()
                    .contains("Permission denied")
            );
        }
    }
}

/// The library: a file found by `discover` that is gone when `run` reads it is an
/// unreadable finding; the files around it are still linted.
#[test]
fn a_file_that_vanishes_between_discovery_and_linting() {
    let dir = tree(&[
        ("a.json", ERROR.as_bytes()),
        ("b.json", ERROR.as_bytes()),
        ("c.jsonl", ERROR.as_bytes()),
        ("d.json", ERROR.as_bytes()),
    ]);
    let inputs = kaleyra_wa_linter::discover(&[dir.path().to_path_buf()], None);
    assert_eq!(inputs.len(), 4);
    std::fs::remove_file(dir.path().join("b.json")).unwrap();
    std::fs::remove_file(dir.path().join("c.jsonl")).unwrap();
    let mut found = Vec::new();
    let summary = kaleyra_wa_linter::run(&inputs, Default::default(), &mut |event| {
        if let kaleyra_wa_linter::Event::Finding(f, ()) = event {
            let name = Path::new(&f.file).file_name().unwrap().to_owned();
            found.push((name.to_string_lossy().into_owned(), f.rule.code()));
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(
        found,
        [
            ("a.json".to_owned(), "KWA009"),
            ("b.json".to_owned(), "KWA011"),
            ("c.jsonl".to_owned(), "KWA011"),
            ("d.json".to_owned(), "KWA009"),
        ]
    );
    assert_eq!(
        (summary.files, summary.unreadable, summary.errors),
        (4, 2, 4)
    );
}

/// `kaleyra-wa-lint big-dir | head -1`: the reader goes away; the linter stops promptly,
/// quietly (no panic message), and does not lint on into the void. The exit status tells
/// what was found until then (for `set -o pipefail`): errors had been.
#[test]
fn a_closed_stdout_pipe_stops_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let payload = std::fs::read(root().join("examples/typo-and-header.json")).unwrap();
    for i in 0..500 {
        std::fs::write(dir.path().join(format!("f{i:04}.json")), &payload).unwrap();
    }
    let many_lines = format!("{ERROR}\n").repeat(5_000);
    std::fs::write(dir.path().join("many.jsonl"), many_lines).unwrap();
    let cases: [(&[&str], i32); 5] = [
        (&["."], 1),
        (&["--format", "json", "."], 1),
        (&["--format", "sarif", "many.jsonl"], 1),
        (&["--format", "github", "many.jsonl"], 1),
        (&["rules"], 0),
    ];
    for (args, code) in cases {
        let mut child = command(dir.path(), args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(!first.is_empty(), "{args:?}");
        drop(stdout); // `head -1` exits
        let stderr = reader(child.stderr.take().unwrap());
        let status = wait(&mut child, Duration::from_secs(20));
        let stderr = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------
// The fixture corpus

/// One entry of `tests/fixtures/expected.json`, as the linter reads it.
#[derive(Debug, serde::Deserialize)]
struct Expected {
    pointer: String,
    code: String,
    line: Option<u64>,
    column: Option<u64>,
}

/// Every corpus file through the binary: valid files have no error finding (and the
/// `*-warning.json` ones a warning); each invalid file has an error at the manifest's
/// pointer, with its code, line and column.
#[test]
fn the_fixture_corpus() {
    let manifest: BTreeMap<String, Expected> = serde_json::from_slice(
        &std::fs::read(root().join("tests/fixtures/expected.json")).unwrap(),
    )
    .unwrap();
    let run = run(&[
        "--format",
        "json",
        "tests/fixtures/valid",
        "tests/fixtures/invalid",
    ]);
    assert_eq!(run.code, Some(1));
    let report = run.report();
    let mut by_file: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for finding in report["findings"].as_array().unwrap() {
        let file = finding["file"].as_str().unwrap();
        let file = file.strip_prefix("tests/fixtures/").unwrap().to_owned();
        by_file.entry(file).or_default().push(finding);
    }
    let mut failures = Vec::new();
    let valid: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(valid.len() >= 10);
    for path in &valid {
        let name = format!("valid/{}", path.file_name().unwrap().to_string_lossy());
        let findings = by_file.get(&name).cloned().unwrap_or_default();
        let severities: Vec<&str> = findings
            .iter()
            .map(|f| f["severity"].as_str().unwrap())
            .collect();
        let expected_warning = name.ends_with("-warning.json");
        if severities.contains(&"error") || expected_warning == severities.is_empty() {
            failures.push(format!("{name}: {findings:?}"));
        }
    }
    let invalid = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .unwrap()
        .count();
    assert_eq!(
        manifest.len(),
        invalid,
        "the manifest lists every invalid file"
    );
    for (name, expected) in &manifest {
        let findings = by_file.get(name).cloned().unwrap_or_default();
        let hit = findings
            .iter()
            .find(|f| f["pointer"] == expected.pointer.as_str() && f["code"] == expected.code);
        let place = hit.map(|f| (f["line"].as_u64(), f["column"].as_u64()));
        match (expected.line, expected.column) {
            (Some(line), Some(column)) => {
                if place != Some((Some(line), Some(column))) {
                    failures.push(format!(
                        "{name}: expected {} {} at {line}:{column}, found {findings:?}",
                        expected.code, expected.pointer
                    ));
                }
            }
            _ => failures.push(format!("{name}: the manifest has no line and column")),
        }
        if !findings.iter().any(|f| f["severity"] == "error") {
            failures.push(format!("{name}: no error finding"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(
        report["summary"]["files"].as_u64().unwrap() as usize,
        valid.len() + invalid
    );
}
