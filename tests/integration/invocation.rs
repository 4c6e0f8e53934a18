//! How the command line is read: a file reached twice is linted once, a
//! path named like a subcommand can be linted and the shadowing is said, and a report that
//! cannot be written (closed stdout, full device) is never a silent success.

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{BIN, ERROR, WARNING, command, root, run_in, tree};

/// The files of a `--format json` report's findings, in order.
fn files(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect()
}

#[test]
fn a_file_reached_twice_is_linted_and_counted_once_where_first_reached() {
    let dir = tree(&[
        ("d/a.json", ERROR.as_bytes()),
        ("d/b.json", WARNING.as_bytes()),
    ]);
    let args = [
        "--format",
        "json",
        "d/b.json",
        "d",
        "./d/a.json",
        "d/../d/b.json",
        "d/b.json",
    ];
    let run = run_in(dir.path(), &args, None);
    assert_eq!(run.code, Some(1), "{run:?}");
    let report = run.report();
    assert_eq!(files(&report), ["d/b.json", "d/a.json"]);
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["summary"]["warnings"], 1);
    // Missing paths too: one finding for one path.
    let missing = run_in(dir.path(), &["--format", "json", "x.json", "x.json"], None);
    assert_eq!(missing.code, Some(2));
    assert_eq!(files(&missing.report()), ["x.json"]);
}

#[cfg(unix)]
#[test]
fn a_file_and_a_link_to_it_are_one_file() {
    let dir = tree(&[("a.json", ERROR.as_bytes())]);
    std::os::unix::fs::symlink("a.json", dir.path().join("link.json")).unwrap();
    let run = run_in(
        dir.path(),
        &["--format", "json", "link.json", "a.json"],
        None,
    );
    assert_eq!(files(&run.report()), ["link.json"]);
}

#[test]
fn standard_input_named_twice_is_read_once() {
    let run = run_in(
        root(),
        &["--format", "json", "-", "-"],
        Some(ERROR.as_bytes()),
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    let report = run.report();
    assert_eq!(files(&report), ["<stdin>"]);
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn a_path_named_like_a_subcommand_is_linted_as_documented_and_the_shadowing_is_said() {
    let dir = tree(&[
        ("rules/x.json", ERROR.as_bytes()),
        ("explain", ERROR.as_bytes()),
    ]);
    for name in ["rules", "explain"] {
        let args: &[&str] = if name == "rules" {
            &["rules"]
        } else {
            &["explain", "KWA001"]
        };
        let subcommand = run_in(dir.path(), args, None);
        assert_eq!(subcommand.code, Some(0), "{subcommand:?}");
        assert!(!subcommand.stdout.is_empty());
        for how in [
            format!("kaleyra-wa-lint ./{name}"),
            format!("kaleyra-wa-lint -- {name}"),
        ] {
            assert!(subcommand.stderr.contains(&how), "{subcommand:?}");
        }
        let dot = format!("./{name}");
        for args in [
            ["--format", "json", dot.as_str()],
            ["--format", "json", "--"],
        ] {
            let mut args = args.to_vec();
            if args[2] == "--" {
                args.push(name);
            }
            let lint = run_in(dir.path(), &args, None);
            assert_eq!(lint.code, Some(1), "{args:?}: {lint:?}");
            let expected = if name == "rules" {
                "rules/x.json"
            } else {
                "explain"
            };
            assert_eq!(files(&lint.report()), [expected], "{args:?}");
        }
    }
    // No such path: nothing to say.
    let plain = run_in(root(), &["rules"], None);
    assert_eq!((plain.code, plain.stderr.as_str()), (Some(0), ""));
}

/// Runs the binary in the repository with `args` and its standard output closed (`>&-`).
fn with_stdout_closed(args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .args(["-c", "exec \"$0\" \"$@\" >&-", BIN])
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_is_an_error_with_a_message() {
    for args in [
        &["examples/"][..],
        &["--version"],
        &["rules"],
        &["--format", "json", "."],
    ] {
        let output = with_stdout_closed(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("standard output is closed"),
            "{args:?}: {stderr}"
        );
    }
    // `>/dev/null` is a choice, not a closed stream.
    let null = command(root(), &["examples/"])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(null.status.code(), Some(1));
    assert!(null.stderr.is_empty(), "{null:?}");
    // Opened read-write (Python's `subprocess.DEVNULL`), as the runtime reopens a closed one:
    // still a choice.
    let read_write = std::fs::File::options()
        .read(true)
        .write(true)
        .open("/dev/null")
        .unwrap();
    let null = command(root(), &["examples/"])
        .stdout(read_write)
        .output()
        .unwrap();
    assert_eq!(null.status.code(), Some(1), "{null:?}");
    assert!(null.stderr.is_empty(), "{null:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_device_is_an_error_with_a_message() {
    let cases: [&[&str]; 5] = [
        &["--help"],
        &["--version"],
        &["rules"],
        &["explain", "KWA001"],
        &["examples/"],
    ];
    for args in cases {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = command(root(), args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}
