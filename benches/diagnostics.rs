//! Linting a document with an error (spans, lines and columns, with and without snippets)
//! costs at most 5x linting the same-size valid document: on a 4 KB document and on a
//! ~500-byte record (a CRM export's line).
//!
//! `cargo bench --bench diagnostics`; the ratios are printed at the end.

use criterion::Criterion;
use kaleyra_wa_linter::{Options, lint_document};

mod common;

/// A valid request of 4 KB (from `cargo xtask bench-corpus`): one recipient, long texts.
const VALID: &str = include_str!("data/request-4k.json");

/// A valid ~500-byte record, one line.
const RECORD: &str = include_str!("data/record-500.json");

/// The record with one error of each kind.
fn invalid_records() -> Vec<(&'static str, String)> {
    vec![
        (
            "record-phone",
            RECORD.replacen("\"to\": \"", "\"to\": \"0", 1),
        ),
        (
            "record-unknown",
            RECORD.replacen(
                "\"catalog_id\"",
                "\"catalogue_id\": \"1\", \"catalog_id\"",
                1,
            ),
        ),
        (
            "record-too_long",
            RECORD.replacen("Reply STOP", &"x".repeat(60), 1),
        ),
        (
            "record-syntax",
            RECORD.replacen("\"footer\":", "\"footer\"", 1),
        ),
        (
            "record-constant",
            RECORD.replacen("\"product\"", "\"products\"", 1),
        ),
        (
            "record-missing",
            RECORD.replacen("\"catalog_id\": \"1034567849\", ", "", 1),
        ),
        (
            "record-type",
            RECORD.replacen("\"1034567849\"", "1034567849", 1),
        ),
    ]
}

/// The same document with one error of each kind, each about the same size.
fn invalid() -> Vec<(&'static str, String)> {
    let footer = VALID.find("\"footer\"").expect("a footer");
    let footer_text = footer + VALID[footer..].find("\"text\": \"").expect("a text") + 9;
    vec![
        // A recipient of `to` starts with 0 (pattern, the per-recipient message).
        ("phone", VALID.replacen("\"to\": \"", "\"to\": \"0", 1)),
        // An unknown member, with a suggestion.
        (
            "unknown",
            VALID.replacen(
                "\"catalog_id\"",
                "\"catalogue_id\": \"103449\",\n                \"catalog_id\"",
                1,
            ),
        ),
        // A footer over 60 characters.
        (
            "too_long",
            format!(
                "{}{}{}",
                &VALID[..footer_text],
                "x".repeat(70),
                &VALID[footer_text..]
            ),
        ),
        // A wrong constant (`interactive.type`).
        (
            "constant",
            VALID.replacen("\"type\": \"product\"", "\"type\": \"products\"", 1),
        ),
        // A missing member (`catalog_id`).
        (
            "missing",
            VALID.replacen(
                "\"catalog_id\": \"390094641019515\",\n                ",
                "",
                1,
            ),
        ),
        // A number for a text (`catalog_id`).
        (
            "type",
            VALID.replacen("\"390094641019515\"", "390094641019515", 1),
        ),
        // A syntax error (a missing comma).
        (
            "syntax",
            VALID.replacen(
                "\",\n                \"product_retailer_id\"",
                "\"\n                \"product_retailer_id\"",
                1,
            ),
        ),
    ]
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let plain = Options::default();
    let snippets = Options {
        snippets: true,
        ..Options::default()
    };
    let lint = |text: &[u8], options| lint_document("r.json", None, text, 1, options).findings;
    let mut ratios = Vec::new();
    for (valid_text, cases) in [(VALID, invalid()), (RECORD, invalid_records())] {
        assert!(lint(valid_text.as_bytes(), plain).is_empty());
        let valid_name = if valid_text == VALID {
            "valid"
        } else {
            "record-valid"
        };
        let mut valid = || lint(valid_text.as_bytes(), plain);
        let mut group = common::group(&mut c, "lint", valid_text.len());
        group.bench(valid_name, &mut valid);
        for (name, text) in &cases {
            assert_eq!(lint(text.as_bytes(), plain).len(), 1, "{name}");
            for (suffix, options) in [("", plain), ("+snippets", snippets)] {
                let name = format!("{name}{suffix}");
                let mut routine = || lint(text.as_bytes(), options);
                group.bench(&name, &mut routine);
                if common::measuring() {
                    ratios.push(common::interleaved(
                        &format!("{name} / {valid_name}"),
                        &mut routine,
                        &mut valid,
                        "<= 5",
                    ));
                }
            }
        }
        group.finish();
    }
    c.final_summary();
    for line in ratios {
        println!("{line}");
    }
}
