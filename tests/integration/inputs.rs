//! What the linter reads: stdin, directories (walked, ignore files inside their repository),
//! JSON Lines records, columns in code points, and the fixture corpus with each invalid file's
//! expected place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::util::{ERROR, VALID, WARNING, check_sarif, places, root, run, run_in, tree};

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

/// A walked directory is linted in path order, component by component (a directory's files
/// before a sibling whose name extends the directory's), whatever order it lists entries in.
#[test]
fn walked_files_come_in_path_order() {
    let names = [
        "b.json",
        "a-c.json",
        "a/b.json",
        "a/a.json",
        "A.json",
        "a/c/d.json",
    ];
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, ERROR.as_bytes())).collect();
    let dir = tree(&files);
    let run = run_in(dir.path(), &["--format", "json", "."], None);
    let order: Vec<String> = places(&run.report()).into_iter().map(|p| p.0).collect();
    assert_eq!(
        order,
        [
            "A.json",
            "a/a.json",
            "a/b.json",
            "a/c/d.json",
            "a-c.json",
            "b.json"
        ]
    );
}

/// The engine lints batches while the walk goes on: across many batches, every file is done
/// once, in path order.
#[test]
fn a_walk_of_many_batches_lints_every_file_once_in_order() {
    let names: Vec<String> = (0..700)
        .map(|i| format!("d{}/f{i:04}.json", i % 3))
        .collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), VALID.as_bytes()))
        .collect();
    let dir = tree(&files);
    let mut done = Vec::new();
    let summary = kaleyra_wa_linter::run(
        kaleyra_wa_linter::discover(&[dir.path().to_path_buf()], None),
        Default::default(),
        &mut |event| {
            if let kaleyra_wa_linter::Event::Done { file, records } = event {
                assert_eq!(records, 1);
                done.push(
                    file.strip_prefix(&*dir.path().to_string_lossy())
                        .unwrap()
                        .to_owned(),
                );
            }
            Ok(())
        },
    )
    .unwrap();
    let mut expected: Vec<String> = names.iter().map(|n| format!("/{n}")).collect();
    expected.sort();
    assert_eq!(done, expected);
    assert_eq!((summary.files, summary.errors), (700, 0));
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
