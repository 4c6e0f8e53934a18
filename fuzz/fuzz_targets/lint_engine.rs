//! Arbitrary bytes through the lint engine, as a JSON document and as a JSON Lines file,
//! and the findings through every output format.
//!
//! Invariants: every finding has a rule code, a JSON pointer and a region inside the
//! document; no findings iff the core accepts with no warning; an error finding iff the core
//! rejects; snippets change nothing else; human, JSON, SARIF and GitHub rendering never panic,
//! JSON and SARIF output parse, GitHub output is one command per line.

#![no_main]

use kaleyra_wa_fuzz::{
    assert_agreement, assert_findings, core_verdict, lint_as_json_lines, render_all,
};
use kaleyra_wa_linter::{Options, lint_document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let with_snippets = Options {
        snippets: true,
        ..Options::default()
    };
    let findings = lint_document("fuzz.json", None, data, 1, with_snippets).findings;
    assert_findings(&findings, data, None, 1);
    assert_agreement(data, &findings, &core_verdict(data));

    // Snippets are the only difference the option makes.
    let plain = lint_document("fuzz.json", None, data, 1, Options::default()).findings;
    let stripped: Vec<_> = findings
        .iter()
        .cloned()
        .map(|mut f| {
            f.snippet = None;
            f
        })
        .collect();
    assert_eq!(plain, stripped, "snippets changed the findings");

    // The same bytes as a JSON Lines file: each line a record, placed on its own line.
    let records = lint_as_json_lines("fuzz.jsonl", data, with_snippets);

    // Both sets rendered at once (rendering, SARIF's rule table most, is the costly part).
    let mut all = findings;
    all.extend(records);
    render_all(&all);
});
