//! Hostile input, all in one place: each case gets the right finding, in the right place,
//! with the exit status the contract gives, and the files beside it are still linted and
//! counted. `files` (paths, encodings, pipes), `inputs` (encodings, sizes, numbers), `classes`
//! (many findings, numbers past `f64`, one finding per problem) run the built binary; `props`
//! puts arbitrary and mutated input through the core and the engine. (Output injection is in
//! `crate::injection`.)

use serde_json::Value;

use crate::util::{ERROR, Run, VALID, run_in, tree};

mod classes;
mod files;
mod inputs;
mod props;

pub(super) use crate::util::{Place, detailed_places as findings};

/// The finding `z-error.json` always has.
pub(super) fn z_error() -> Place {
    (
        "z-error.json".into(),
        None,
        1,
        59,
        72,
        "KWA009".into(),
        "/messaging_object/to".into(),
    )
}

/// Lints `name` between a valid file and a file with one error, in one run over the
/// directory; checks the neighbours were linted and counted; returns the run, the report, and
/// the findings of `name` alone.
pub(super) fn beside(name: &str, bytes: &[u8], args: &[&str]) -> (Run, Value, Vec<Place>) {
    let dir = tree(&[
        ("a-valid.json", VALID.as_bytes()),
        (name, bytes),
        ("z-error.json", ERROR.as_bytes()),
    ]);
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    all.push(".");
    let run = run_in(dir.path(), &all, None);
    let report = run.report();
    let found = findings(&report);
    assert_eq!(found.last(), Some(&z_error()), "{found:?}");
    assert!(found.iter().all(|f| f.0 != "a-valid.json"), "{found:?}");
    assert_eq!(report["summary"]["files"], 3, "{report}");
    let own = found.into_iter().filter(|f| f.0 == name).collect();
    (run, report, own)
}

pub(super) fn message(report: &Value, code: &str) -> String {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_owned()
}

pub(super) fn place(
    file: &str,
    line: u64,
    column: u64,
    end: u64,
    code: &str,
    pointer: &str,
) -> Place {
    (
        file.into(),
        None,
        line,
        column,
        end,
        code.into(),
        pointer.into(),
    )
}
