//! JSON Lines throughput: the linter over a file of ~500-byte records, 10% of them with one
//! error, against a bare `serde_json::from_slice::<SendRequest>` of the same lines, both on
//! every core. The printed ratio is the linter's throughput over the bare parse's (target:
//! at least 0.8). The bare parse's lines are in memory; the linter reads its file. A second
//! ratio compares the linter with a bare parse that reads the file too (read whole, split at
//! line feeds), to tell the cost of reading from the cost of linting. A third compares the
//! linter's checks of the lines in memory (no reading, no streaming) with the bare parse. A
//! fourth compares the linter and the bare parse on 100,000 tiny records (`{}` and the
//! like), each with findings. The pool is built as the binary builds it: the thread that
//! reads and writes is one of its threads.
//!
//! `cargo bench --bench throughput`.

use std::hint::black_box;
use std::io::Write;

use criterion::Criterion;
use kaleyra_wa::SendRequest;
use kaleyra_wa_linter::{Format, Input, InputFormat, Options, RenderOptions};
use rayon::prelude::*;

mod common;

const RECORD: &str = include_str!("data/record-500.json");

/// 10,000 records; every tenth has one error, of a kind taken in turn.
fn records() -> Vec<String> {
    let record = RECORD.trim_end();
    let errors: [fn(&str) -> String; 5] = [
        |r| r.replacen("\"to\": \"", "\"to\": \"0", 1),
        |r| r.replacen("Reply STOP", &"x".repeat(60), 1),
        |r| {
            r.replacen(
                "\"catalog_id\"",
                "\"catalogue_id\": \"1\", \"catalog_id\"",
                1,
            )
        },
        |r| r.replacen("\"product\"", "\"products\"", 1),
        |r| r.replacen("\"footer\":", "\"footer\"", 1),
    ];
    (0..10_000)
        .map(|i| match i % 10 {
            9 => errors[(i / 10) % errors.len()](record),
            _ => record.to_owned(),
        })
        .collect()
}

/// A JSON Lines file of `lines`, and the input that names it.
fn jsonl_file(name: &str, lines: &[impl AsRef<str>]) -> (tempfile::NamedTempFile, [Input; 1]) {
    let mut file = tempfile::NamedTempFile::with_suffix(".jsonl").expect("a temporary file");
    for line in lines {
        writeln!(file, "{}", line.as_ref()).expect("written");
    }
    let input = Input::File {
        size: None,
        path: file.path().to_owned(),
        name: name.into(),
        format: InputFormat::JsonLines,
    };
    (file, [input])
}

/// The linter over `inputs`, findings rendered for and written by the JSON reporter.
fn lint(inputs: &[Input; 1]) -> kaleyra_wa_linter::Summary {
    let mut reporter = kaleyra_wa_linter::reporter(
        Format::Json,
        Box::new(std::io::sink()),
        RenderOptions::default(),
    );
    kaleyra_wa_linter::run_prepared(
        inputs.clone(),
        Options::default(),
        &|finding| kaleyra_wa_linter::prepare(Format::Json, RenderOptions::default(), finding),
        &mut |event| reporter.event(event),
    )
    .expect("a sink never fails")
}

/// A bare typed parse of `lines` on every core: how many are not requests.
fn bare_parse(lines: &[impl AsRef<[u8]> + Sync]) -> usize {
    lines
        .par_iter()
        .filter(|line| serde_json::from_slice::<SendRequest>(line.as_ref()).is_err())
        .count()
}

/// The linter's work on each of `lines` held in memory, on every core, without reading or
/// streaming: each line linted as a record and its findings rendered for the JSON reporter.
/// How many findings.
fn lint_lines(lines: &[impl AsRef<[u8]> + Sync]) -> usize {
    lines
        .par_iter()
        .enumerate()
        .map(|(i, line)| {
            let document = kaleyra_wa_linter::lint_document(
                "requests.jsonl",
                Some(i + 1),
                line.as_ref(),
                i + 1,
                Options::default(),
            );
            for finding in &document.findings {
                black_box(kaleyra_wa_linter::prepare(
                    Format::Json,
                    RenderOptions::default(),
                    finding,
                ));
            }
            document.findings.len()
        })
        .sum()
}

fn main() {
    common::pool_as_the_binary();
    let mut c = Criterion::default().configure_from_args();
    let records = records();
    let (file, inputs) = jsonl_file("requests.jsonl", &records);
    let bytes: usize = records.iter().map(|r| r.len() + 1).sum();
    let lint_records = || {
        let summary = lint(&inputs);
        assert_eq!(summary.records, records.len());
        summary.errors
    };
    let bare = || bare_parse(&records);
    let bare_reading = || {
        let bytes = std::fs::read(file.path()).expect("the file is there");
        let mut lines = Vec::new();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &bytes) {
            lines.push(&bytes[start..end]);
            start = end + 1;
        }
        bare_parse(&lines)
    };
    // Tiny records, each with findings (a CRM export gone wrong): per-record costs that a
    // 500-byte record hides, such as a path that parses a short document many times.
    let tiny: Vec<&str> = ["{}", r#"{"messaging_object": {}}"#, "[]", "1"]
        .into_iter()
        .cycle()
        .take(100_000)
        .collect();
    let (_tiny_file, tiny_inputs) = jsonl_file("tiny.jsonl", &tiny);
    let lint_tiny = || lint(&tiny_inputs).errors;
    let bare_tiny = || bare_parse(&tiny);
    assert!(lint_records() >= 1000);
    assert!(lint_tiny() >= tiny.len());
    let mut group = common::group(&mut c, "jsonl", bytes);
    group.bench("lint", lint_records);
    group.bench("bare-parse", bare);
    group.bench("bare-parse-reading", bare_reading);
    group.finish();
    c.final_summary();
    if common::measuring() {
        // Time per run: the bare parse's over the linter's is the throughput ratio.
        println!(
            "{}",
            common::interleaved(
                "throughput lint / bare parse (time bare / time lint)",
                bare,
                lint_records,
                ">= 0.8"
            )
        );
        println!(
            "{}",
            common::interleaved(
                "throughput lint / bare parse reading the file (time bare / time lint)",
                bare_reading,
                lint_records,
                "none: for context"
            )
        );
        println!(
            "{}",
            common::interleaved(
                "per-record work: the linter's checks of the lines in memory, findings rendered, / bare parse (time bare / time checks)",
                bare,
                || lint_lines(&records),
                "none: for context (the linter without reading and streaming)"
            )
        );
        println!(
            "{}",
            common::interleaved(
                "throughput of tiny records with findings, lint / bare parse (time bare / time lint)",
                bare_tiny,
                lint_tiny,
                "none: for context"
            )
        );
    }
}
