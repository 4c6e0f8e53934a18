//! Target 4 of issue 5: linting a document with an error (spans, lines and columns, with and
//! without snippets) costs at most 5x linting the same-size valid document.
//!
//! `cargo bench --bench diagnostics`; the ratios are printed at the end.

use criterion::Criterion;
use kaleyra_wa_linter::{Options, lint_document};

mod common;

/// A valid request of 4 KB (from `cargo xtask bench-corpus`): one recipient, long texts.
const VALID: &str = include_str!("data/request-4k.json");

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
    assert!(lint(VALID.as_bytes(), plain).is_empty());
    let mut valid = || lint(VALID.as_bytes(), plain);
    let mut group = common::group(&mut c, "lint", VALID.len());
    group.bench("valid", &mut valid);
    let invalid = invalid();
    let mut ratios = Vec::new();
    for (name, text) in &invalid {
        assert_eq!(lint(text.as_bytes(), plain).len(), 1, "{name}");
        for (suffix, options) in [("", plain), ("+snippets", snippets)] {
            let name = format!("{name}{suffix}");
            let mut routine = || lint(text.as_bytes(), options);
            group.bench(&name, &mut routine);
            if common::measuring() {
                ratios.push(common::interleaved(
                    &format!("{name} / valid"),
                    &mut routine,
                    &mut valid,
                    "<= 5",
                ));
            }
        }
    }
    group.finish();
    c.final_summary();
    for (name, _) in &invalid {
        for name in [name.to_string(), format!("{name}+snippets")] {
            common::ratio(&format!("lint/{name}"), "lint/valid", "<= 5");
        }
    }
    for line in ratios {
        println!("{line}");
    }
}
