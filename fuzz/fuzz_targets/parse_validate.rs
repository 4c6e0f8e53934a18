//! Arbitrary bytes through the core: `from_slice`, `try_from_slice`, `from_str`, `check()`,
//! serialization and `normalize`.
//!
//! Invariants: the three parse entry points agree; every rejection has a rule code and a
//! JSON pointer; a parsed request serializes (compact and pretty) to text that parses back to
//! an equal request with the same report; `normalize` removes exactly the warnings and
//! nothing else, and is idempotent.

#![no_main]

use std::collections::BTreeSet;

use kaleyra_wa_fuzz::{Verdict, core_verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Asserts from_slice/try_from_slice agreement and the shape of every rejection.
    let verdict = core_verdict(data);
    let parsed = kaleyra_wa::from_slice(data);
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(
            kaleyra_wa::from_str(text),
            parsed,
            "from_str and from_slice differ"
        );
    }
    let Ok(request) = parsed else { return };
    let report = request.validate();
    assert!(matches!(verdict, Verdict::Parsed { .. }));

    for text in [
        serde_json::to_string(&request).expect("a request serializes"),
        serde_json::to_string_pretty(&request).expect("a request serializes"),
    ] {
        let again = kaleyra_wa::from_str(&text)
            .unwrap_or_else(|e| panic!("serialized request does not parse back: {e}\n{text}"));
        assert_eq!(again, request, "round trip changed the request:\n{text}");
        assert_eq!(
            again.validate(),
            report,
            "round trip changed the verdict:\n{text}"
        );
    }

    let mut normalized = request.clone();
    let changes = normalized.normalize();
    let after = normalized.validate();
    assert_eq!(
        after.warnings().count(),
        0,
        "warnings left after normalize: {after}"
    );
    assert!(
        after.errors().eq(report.errors()),
        "normalize changed the errors: before {report}, after {after}"
    );
    let changed: BTreeSet<_> = changes
        .iter()
        .map(|c| (c.pointer.clone(), c.rule))
        .collect();
    let warned: BTreeSet<_> = report
        .warnings()
        .map(|w| (w.pointer.clone(), w.rule))
        .collect();
    assert_eq!(changed, warned, "normalize changes are not the warnings");
    let mut twice = normalized.clone();
    assert!(
        twice.normalize().is_empty(),
        "normalize is not idempotent"
    );
    assert_eq!(twice, normalized);
});
