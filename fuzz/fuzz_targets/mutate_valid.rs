//! Structure-aware: the documented sample (and the examples) with arbitrary mutations
//! (`kaleyra_wa_fuzz::tree::Plan`: members set to other types, deleted, added, duplicated,
//! renamed, strings edited with any Unicode, whitespace, BOMs and stray bytes in the text),
//! through the core and the lint engine.
//!
//! Invariants: the core and the linter agree on accept/reject (the linter reports an error
//! iff the core rejects, including duplicate keys and byte order marks, which both reject);
//! every rejection has a rule code and a JSON pointer; every finding a region inside the
//! document, as a JSON file and as a JSON Lines record; the unmutated valid sample is clean.

#![no_main]

use kaleyra_wa_fuzz::tree::Plan;
use kaleyra_wa_fuzz::{assert_agreement, assert_findings, core_verdict, render_all};
use kaleyra_wa_linter::{Options, lint_document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|plan: Plan| {
    let bytes = plan.apply();
    let verdict = core_verdict(&bytes);
    if plan.mutations.is_empty() && plan.text_edits.is_empty() && plan.base % 5 < 2 {
        assert!(
            verdict.is_clean(),
            "the valid sample is not clean: {verdict:?}"
        );
    }
    let options = Options {
        snippets: true,
        ..Options::default()
    };
    let findings = lint_document("mutated.json", None, &bytes, 1, options).findings;
    assert_findings(&findings, &bytes, None, 1);
    assert_agreement(&bytes, &findings, &verdict);
    render_all(&findings);

    // As record 3 of a JSON Lines file: the same findings, three lines down.
    if !bytes.contains(&b'\n') {
        let record = lint_document("mutated.jsonl", Some(3), &bytes, 3, options).findings;
        assert_findings(&record, &bytes, Some(3), 3);
        assert_eq!(record.len(), findings.len());
        for (r, f) in record.iter().zip(&findings) {
            assert_eq!((&r.pointer, r.rule), (&f.pointer, f.rule));
            // A duplicate key's message names the line of the first one: shifted too.
            if r.rule != kaleyra_wa::Rule::DuplicateKey {
                assert_eq!(r.message, f.message);
            }
            let (r, f) = (r.region.unwrap(), f.region.unwrap());
            assert_eq!(
                (r.line, r.column, r.end_line, r.end_column),
                (f.line + 2, f.column, f.end_line + 2, f.end_column)
            );
        }
    }
});
