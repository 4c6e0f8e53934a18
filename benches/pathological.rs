//! Cost stays linear in the input, whatever it holds: each hostile shape is linted at size N
//! and 2N, and the printed ratio of their times should be about 2 (a quadratic cost gives 4).
//!
//! `cargo bench --bench pathological`; the ratios are printed at the end.

use criterion::Criterion;
use kaleyra_wa_linter::{Options, lint_document};

mod common;

const VALID: &str = r#"{"messaging_object": {"messaging_product": "whatsapp", "to": "919876543210", "type": "interactive", "interactive": {"type": "product", "action": {"catalog_id": "1034567849", "product_retailer_id": "SKU-1"}}}}"#;

/// A hostile document of size `n`.
type Shape = fn(usize) -> String;

/// The hostile shapes, by name.
fn shapes() -> Vec<(&'static str, Shape)> {
    vec![
        // One line, `n` bad recipients (each a finding at its own column).
        ("recipients", |n| {
            VALID.replace("919876543210", &vec!["x1"; n].join(","))
        }),
        // One line, `n` unknown members.
        ("unknown", |n| {
            let members: Vec<String> = (0..n).map(|i| format!("\"k{i}\": {i}")).collect();
            VALID.replacen(
                "{\"messaging_product\"",
                &format!("{{{}, \"messaging_product\"", members.join(", ")),
                1,
            )
        }),
        // The same, one member per line.
        ("unknown-pretty", |n| {
            let members: Vec<String> = (0..n).map(|i| format!("\n  \"k{i}\": {i}")).collect();
            VALID.replacen(
                "{\"messaging_product\"",
                &format!("{{{},\n\"messaging_product\"", members.join(",")),
                1,
            )
        }),
        // One line, `n` duplicate keys in one object.
        ("duplicates", |n| {
            let members = vec!["\"to\": \"919876543210\""; n].join(", ");
            VALID.replacen("\"to\": \"919876543210\"", &members, 1)
        }),
    ]
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let options = Options {
        snippets: true,
        ..Options::default()
    };
    const N: usize = 4_000;
    let mut lines = Vec::new();
    for (name, shape) in shapes() {
        let (small, large) = (shape(N), shape(2 * N));
        let lint = |text: &str| lint_document("p.json", None, text.as_bytes(), 1, options);
        assert!(!lint(&small).findings.is_empty(), "{name}");
        let mut group = common::group(&mut c, name, large.len());
        group.bench("n", || lint(&small));
        group.bench("2n", || lint(&large));
        group.finish();
        if common::measuring() {
            lines.push(common::interleaved(
                &format!("{name}: 2n / n"),
                || lint(&large),
                || lint(&small),
                "about 2 (linear); 4 would be quadratic",
            ));
        }
    }
    c.final_summary();
    for line in lines {
        println!("{line}");
    }
}
