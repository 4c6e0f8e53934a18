//! The output formats through the built binary: the JSON contract, SARIF (valid against its
//! schema, the same findings), GitHub workflow commands, human output (snapshots, colour).

use std::collections::BTreeSet;

use serde_json::json;

use crate::util::{
    ERROR, VALID, WARNING, check_sarif, command, human, parse_command, places, root, run, run_in,
    set, tree,
};

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
