//! Baselines: `--write-baseline` records today's findings, `--baseline` reports only new
//! ones (the exit status follows them alone) and notes entries that no longer occur; moving
//! content keeps a finding baselined, changing the offending value does not.

use std::path::Path;

use serde_json::Value;

use crate::util::{ERROR, Run, VALID, WARNING, run_in, tree};

fn pretty(text: &str) -> String {
    let value: Value = serde_json::from_str(text).unwrap();
    serde_json::to_string_pretty(&value).unwrap()
}

fn lint(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    run_in(dir, &all, None)
}

fn found(run: &Run) -> Vec<(String, String)> {
    run.report()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_baseline_holds_back_todays_findings_and_reports_new_ones() {
    let dir = tree(&[
        ("a.json", pretty(ERROR).as_bytes()),
        (
            "b.jsonl",
            format!("{ERROR}\n{WARNING}\n{ERROR}\n").as_bytes(),
        ),
        ("ok.json", VALID.as_bytes()),
    ]);
    let today = lint(dir.path(), &["--write-baseline", "baseline.json", "."]);
    assert_eq!(today.code, Some(1), "the status as without it: {today:?}");
    assert_eq!(found(&today).len(), 4);
    assert_eq!(today.stderr, "note: 4 findings recorded in baseline.json\n");
    let written = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    let baseline: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(baseline["version"], 1);
    let entries = baseline["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    for entry in entries {
        for member in ["file", "code", "pointer", "value", "fingerprint"] {
            assert!(entry[member].is_string(), "{entry}");
        }
    }

    // Nothing new: nothing reported, status 0.
    let same = lint(dir.path(), &["--baseline", "baseline.json", "."]);
    assert_eq!((same.code, found(&same)), (Some(0), vec![]), "{same:?}");
    let summary = &same.report()["summary"];
    assert_eq!(
        (summary["errors"].as_u64(), summary["warnings"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        same.stderr,
        "note: 4 findings are in the baseline and not reported\n"
    );

    // Content moved (compact instead of pretty, a record inserted and lines moved), and a
    // new file with an error: only the new file is reported.
    std::fs::write(dir.path().join("a.json"), format!("\n\n{ERROR}")).unwrap();
    let moved = format!("{VALID}\n\n{ERROR}\n{ERROR}\n{WARNING}\n");
    std::fs::write(dir.path().join("b.jsonl"), moved).unwrap();
    std::fs::write(dir.path().join("c.json"), ERROR).unwrap();
    let new = lint(dir.path(), &["--baseline", "baseline.json", "."]);
    assert_eq!(new.code, Some(1), "{new:?}");
    assert_eq!(found(&new), [("c.json".to_owned(), "KWA009".to_owned())]);

    // The offending value changed in a.json: new; the warning fixed in b.jsonl: stale.
    let changed = ERROR.replace("0919876543210", "0919876543211");
    std::fs::write(dir.path().join("a.json"), changed).unwrap();
    std::fs::write(dir.path().join("b.jsonl"), format!("{ERROR}\n{ERROR}\n")).unwrap();
    std::fs::remove_file(dir.path().join("c.json")).unwrap();
    let later = lint(dir.path(), &["--baseline", "baseline.json", "."]);
    assert_eq!(later.code, Some(1), "{later:?}");
    assert_eq!(found(&later), [("a.json".to_owned(), "KWA009".to_owned())]);
    assert!(
        later
            .stderr
            .contains("note: 2 baseline entries no longer occur (fixed, or the value changed)"),
        "{}",
        later.stderr
    );
    assert!(
        later
            .stderr
            .contains("  a.json KWA009 /messaging_object/to\n")
    );
    assert!(
        later
            .stderr
            .contains("  b.jsonl KWA101 /extra_info/wa_source\n")
    );

    // Warnings only, baselined: --deny-warnings passes.
    let dir = tree(&[("w.json", WARNING.as_bytes())]);
    lint(dir.path(), &["--write-baseline", "b.json", "w.json"]);
    let denied = lint(
        dir.path(),
        &["--deny-warnings", "--baseline", "b.json", "w.json"],
    );
    assert_eq!(denied.code, Some(0), "{denied:?}");
}

#[test]
fn a_bad_baseline_is_a_usage_error() {
    let dir = tree(&[
        ("a.json", ERROR.as_bytes()),
        ("not-json.json", b"[" as &[u8]),
        ("v2.json", b"{\"version\":2,\"findings\":[]}"),
    ]);
    for (file, expected) in [
        (
            "missing.json",
            "error: cannot read the baseline missing.json",
        ),
        (
            "not-json.json",
            "error: not-json.json: not a kaleyra-wa-lint baseline",
        ),
        ("v2.json", "error: v2.json: baseline version 2 is not known"),
    ] {
        let run = run_in(dir.path(), &["--baseline", file, "a.json"], None);
        assert_eq!(run.code, Some(2), "{run:?}");
        assert!(run.stderr.starts_with(expected), "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    let both = run_in(
        dir.path(),
        &[
            "--baseline",
            "v2.json",
            "--write-baseline",
            "x.json",
            "a.json",
        ],
        None,
    );
    assert_eq!(both.code, Some(2), "{both:?}");
}
