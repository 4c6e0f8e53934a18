//! Hostile files and paths through the built binary: invalid UTF-8, a BOM, deep nesting,
//! empty files, huge strings, unreadable and vanishing paths, a closed pipe. Each is beside
//! files that must still be linted.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::{
    BIN, ERROR, VALID, check_contract, codes, command, places, reader, root, run_in, tree, wait,
};

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
    // 250 KB: under the size limit, so that the depth is what stops it.
    let objects = "{\"a\":".repeat(50_000);
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
        other => {
            restore();
            // Never a silent pass: as root, the test needs `setpriv` (util-linux) to drop to
            // `nobody`.
            panic!("as root this test runs the linter as nobody with setpriv: {other:?}");
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
    let inputs: Vec<_> = kaleyra_wa_linter::discover(&[dir.path().to_path_buf()], None).collect();
    assert_eq!(inputs.len(), 4);
    std::fs::remove_file(dir.path().join("b.json")).unwrap();
    std::fs::remove_file(dir.path().join("c.jsonl")).unwrap();
    let mut found = Vec::new();
    let summary = kaleyra_wa_linter::run(inputs, Default::default(), &mut |event| {
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
