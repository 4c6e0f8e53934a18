//! Hostile input, in the normal test suite: arbitrary bytes, bytes spliced into
//! valid requests, and generated mutations (`crate::r#gen`) through both the core and the
//! lint engine (`kaleyra_wa_linter::lint_document`), as a JSON file and as a JSON Lines
//! record. The fuzz targets under `fuzz/` check the same invariants for longer.
//!
//! For every input: nothing panics; every rejection (the core's parse error or violation, the
//! linter's finding) has a rule code and an RFC 6901 pointer; every finding has a region with
//! 1-based lines and columns inside the document; the linter reports no finding iff the core
//! accepts with no warning, and an error iff the core rejects.
//!
//! Duplicate keys: the linter finds them in its span-aware tree (`check.rs`, `duplicates`)
//! and the core's typed parse rejects them too (serde's "duplicate field", `Rule::DuplicateKey`
//! at the second key), so the iff holds for them as well. `duplicate_members_*` asserts the
//! precise relation: both report `KWA002` at the pointer of the second key, and the linter,
//! whose `Value` keeps the last of equal values, reports nothing else.

use std::collections::BTreeSet;

use kaleyra_wa::{Rule, Severity};
use kaleyra_wa_linter::{Finding, Options, lint_document};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::Value;

use crate::r#gen::{Mutation, mutated, valid};
use crate::props::config;

/// RFC 6901 syntax: empty, or `/`-prefixed with every `~` followed by `0` or `1`.
fn is_pointer(pointer: &str) -> bool {
    let bytes = pointer.as_bytes();
    (pointer.is_empty() || pointer.starts_with('/'))
        && bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'~')
            .all(|(i, _)| matches!(bytes.get(i + 1), Some(b'0' | b'1')))
}

fn is_code(rule: Rule) -> bool {
    let code = rule.code();
    code.len() == 6 && code.starts_with("KWA") && code[3..].bytes().all(|b| b.is_ascii_digit())
}

/// The core's judgement of some bytes.
#[derive(Debug)]
struct Core {
    /// Parse error or validation errors, as (pointer, rule); empty when accepted.
    errors: Vec<(String, Rule)>,
    /// The report's warnings, when the bytes parse.
    warnings: BTreeSet<(String, Rule)>,
    /// Whether the bytes parsed into a request.
    parsed: bool,
}

impl Core {
    fn rejects(&self) -> bool {
        !self.errors.is_empty()
    }

    fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.warnings.is_empty()
    }
}

/// Runs the core, asserting its parse entry points agree and every rejection is well-formed.
fn core(bytes: &[u8]) -> Result<Core, TestCaseError> {
    let parsed = kaleyra_wa::from_slice(bytes);
    let fast = kaleyra_wa::try_from_slice(bytes);
    prop_assert_eq!(
        parsed.as_ref().ok(),
        fast.as_ref(),
        "try_from_slice must be Some iff from_slice is Ok"
    );
    match parsed {
        Err(error) => {
            prop_assert!(is_code(error.rule()), "{}", error);
            prop_assert!(is_pointer(error.pointer()), "{}", error);
            prop_assert!(error.line() >= 1 && error.column() >= 1, "{}", error);
            Ok(Core {
                errors: vec![(error.pointer().to_owned(), error.rule())],
                warnings: BTreeSet::new(),
                parsed: false,
            })
        }
        Ok(request) => {
            let report = request.validate();
            for violation in report.violations() {
                prop_assert!(is_code(violation.rule), "{}", violation);
                prop_assert!(is_pointer(&violation.pointer), "{}", violation);
            }
            Ok(Core {
                errors: report
                    .errors()
                    .map(|v| (v.pointer.clone(), v.rule))
                    .collect(),
                warnings: report
                    .warnings()
                    .map(|v| (v.pointer.clone(), v.rule))
                    .collect(),
                parsed: true,
            })
        }
    }
}

/// Asserts the shape of one document's findings: code, pointer, record, and a region inside
/// the document, which starts on `first_line`.
fn check_findings(
    findings: &[Finding],
    bytes: &[u8],
    record: Option<usize>,
    first_line: usize,
) -> Result<(), TestCaseError> {
    // Code points per line, counted as the linter counts them (non-continuation bytes).
    let lengths: Vec<usize> = bytes
        .split(|b| *b == b'\n')
        .map(|line| line.iter().filter(|b| (**b & 0xC0) != 0x80).count())
        .collect();
    let last_line = first_line + lengths.len() - 1;
    // JSON text: every finding's pointer names something in it.
    let tree = serde_json::from_slice::<serde_json::Value>(bytes).ok();
    for finding in findings {
        prop_assert!(is_code(finding.rule), "{:?}", finding);
        prop_assert!(is_pointer(&finding.pointer), "{:?}", finding);
        prop_assert!(
            finding.pointer.len() <= kaleyra_wa_linter::MAX_POINTER,
            "{:?}",
            finding
        );
        if let Some(tree) = &tree {
            prop_assert!(
                tree.pointer(&finding.pointer).is_some(),
                "the pointer resolves in the document: {:?}",
                finding
            );
        }
        prop_assert_eq!(finding.record, record, "{:?}", finding);
        let region = finding.region;
        prop_assert!(region.is_some(), "no region: {:?}", finding);
        let region = region.unwrap();
        prop_assert!(
            first_line <= region.line && region.line <= region.end_line,
            "{:?}",
            finding
        );
        prop_assert!(
            region.end_line <= last_line,
            "past the last line: {:?}",
            finding
        );
        prop_assert!(region.column >= 1, "{:?}", finding);
        prop_assert!(
            region.column <= lengths[region.line - first_line] + 1,
            "column past the end of its line: {:?}",
            finding
        );
        prop_assert!(
            (region.end_line, region.end_column) > (region.line, region.column),
            "ends before it starts: {:?}",
            finding
        );
        let one_column = region.end_line == region.line && region.end_column == region.column + 1;
        prop_assert!(
            region.end_column <= lengths[region.end_line - first_line] + 1 || one_column,
            "end column past the end of its line: {:?}",
            finding
        );
    }
    Ok(())
}

/// Lints `bytes` as a JSON file and as a JSON Lines record (on line 4, when the bytes are one
/// line), checks every invariant, and returns the core's verdict and the file's findings.
fn check(bytes: &[u8]) -> Result<(Core, Vec<Finding>), TestCaseError> {
    let core = core(bytes)?;
    let findings = lint_document("hostile.json", None, bytes, 1, Options::default()).findings;
    check_findings(&findings, bytes, None, 1)?;
    agree(&core, &findings)?;
    if !bytes.contains(&b'\n') && !bytes.iter().all(u8::is_ascii_whitespace) {
        let record = lint_document("hostile.jsonl", Some(4), bytes, 4, Options::default()).findings;
        check_findings(&record, bytes, Some(4), 4)?;
        let key = |f: &Finding| (f.pointer.clone(), f.rule);
        prop_assert_eq!(
            record.iter().map(key).collect::<Vec<_>>(),
            findings.iter().map(key).collect::<Vec<_>>(),
            "a record and a file with the same bytes differ"
        );
    }
    Ok((core, findings))
}

/// The engine's guarantees: no finding iff the core accepts cleanly (the fast path); an
/// error finding iff the core rejects (the safety net, and no error the core does not have);
/// the core's validation errors and warnings among the linter's findings.
fn agree(core: &Core, findings: &[Finding]) -> Result<(), TestCaseError> {
    let errors: BTreeSet<(String, Rule)> = findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| (f.pointer.clone(), f.rule))
        .collect();
    let warnings: BTreeSet<(String, Rule)> = findings
        .iter()
        .filter(|f| f.severity() == Severity::Warning)
        .map(|f| (f.pointer.clone(), f.rule))
        .collect();
    prop_assert_eq!(
        findings.is_empty(),
        core.is_clean(),
        "findings iff not clean; core {:?}; lint {:?}",
        core,
        findings
    );
    prop_assert_eq!(
        !errors.is_empty(),
        core.rejects(),
        "lint error iff core rejects; core {:?}; lint {:?}",
        core,
        findings
    );
    if core.parsed {
        prop_assert_eq!(&warnings, &core.warnings, "lint {:?}", findings);
        for error in &core.errors {
            prop_assert!(
                errors.contains(error),
                "core error {:?} not reported by the linter: {:?}",
                error,
                findings
            );
        }
    }
    Ok(())
}

/// Text made of JSON tokens, request member names and troublesome characters: reaches
/// deeper into the parsers than uniform bytes.
fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    const TOKENS: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"",
        " ",
        "\n",
        "\r\n",
        "\t",
        "null",
        "true",
        "0",
        "-1.5e308",
        "1e999",
        "\"messaging_object\"",
        "\"interactive\"",
        "\"to\"",
        "\"919876543210\"",
        "\"extra_info\"",
        "\"ref\"",
        "\"x\"",
        "\"a/b~c\"",
        "\\u0000",
        "\\ud800",
        "\\\"",
        "é",
        "😀",
        "\u{FEFF}",
        "\u{2028}",
        "\u{0}",
    ];
    prop::collection::vec(select(TOKENS), 0..48).prop_map(|tokens| tokens.concat().into_bytes())
}

/// A valid request's text, compact or pretty.
fn valid_text() -> impl Strategy<Value = Vec<u8>> {
    (valid(), any::<bool>()).prop_map(|(value, pretty)| {
        if pretty {
            serde_json::to_vec_pretty(&value).unwrap()
        } else {
            serde_json::to_vec(&value).unwrap()
        }
    })
}

/// A valid request's text with a range replaced by arbitrary bytes (or JSON tokens).
fn spliced() -> impl Strategy<Value = Vec<u8>> {
    (
        valid_text(),
        any::<Index>(),
        0usize..8,
        prop_oneof![prop::collection::vec(any::<u8>(), 0..12), token_soup()],
    )
        .prop_map(|(mut text, at, len, insert)| {
            let start = at.index(text.len() + 1);
            let end = (start + len).min(text.len());
            text.splice(start..end, insert);
            text
        })
}

/// Writes `value` compactly, writing the member at `target` (a path of member indexes)
/// twice: a duplicate key. Returns the pointer of the duplicated member, if `target` names
/// one.
fn write_with_duplicate(
    value: &Value,
    target: &[usize],
    pointer: &mut String,
    out: &mut String,
) -> Option<String> {
    let mut found = None;
    match value {
        Value::Object(map) => {
            out.push('{');
            let mut first = true;
            for (i, (key, member)) in map.iter().enumerate() {
                let on_path = target.first() == Some(&i);
                let len = pointer.len();
                kaleyra_wa::pointer::push_token(pointer, key);
                let copies = if on_path && target.len() == 1 { 2 } else { 1 };
                for _ in 0..copies {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push(':');
                    let rest = if on_path { &target[1..] } else { &[][..] };
                    let inner = if on_path && !rest.is_empty() {
                        write_with_duplicate(member, rest, pointer, out)
                    } else {
                        out.push_str(&serde_json::to_string(member).unwrap());
                        None
                    };
                    found = found.or(inner);
                }
                if copies == 2 {
                    found = Some(pointer.clone());
                }
                pointer.truncate(len);
            }
            out.push('}');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap()),
    }
    found
}

/// Every member of `value` as a path of member indexes.
fn member_paths(value: &Value, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    if let Value::Object(map) = value {
        for (i, member) in map.values().enumerate() {
            prefix.push(i);
            out.push(prefix.clone());
            member_paths(member, prefix, out);
            prefix.pop();
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_are_judged_alike_by_core_and_linter(
        bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..256), token_soup()]
    ) {
        check(&bytes)?;
    }

    #[test]
    fn bytes_spliced_into_valid_requests_are_judged_alike(bytes in spliced()) {
        check(&bytes)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn valid_requests_have_no_error_findings(text in valid_text()) {
        let (core, findings) = check(&text)?;
        prop_assert!(!core.rejects(), "core rejects: {:?}", core);
        let errors: Vec<_> = findings
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }

    #[test]
    fn mutated_requests_are_rejected_by_both_at_the_mutation(case in mutated()) {
        let (value, Mutation { pointer, rule, what }) = case;
        let bytes = serde_json::to_vec(&value).unwrap();
        let (core, findings) = check(&bytes)?;
        prop_assert!(core.rejects(), "{}: core accepts", what);
        prop_assert!(
            findings
                .iter()
                .any(|f| f.severity() == Severity::Error && f.pointer == pointer && f.rule == rule),
            "{}: no {} finding at {:?}: {:?}", what, rule.code(), pointer, findings
        );
        // The same, pretty-printed over several lines.
        check(&serde_json::to_vec_pretty(&value).unwrap())?;
    }

    #[test]
    fn duplicate_members_are_rejected_by_both_at_the_second_key(
        value in valid(),
        which in any::<Index>(),
    ) {
        let mut paths = Vec::new();
        member_paths(&value, &mut Vec::new(), &mut paths);
        let target = &paths[which.index(paths.len())];
        let mut text = String::new();
        let pointer = write_with_duplicate(&value, target, &mut String::new(), &mut text)
            .expect("the target is a member");
        let (core, findings) = check(text.as_bytes())?;
        // The core's typed parse stops at the second key.
        prop_assert_eq!(&core.errors, &vec![(pointer.clone(), Rule::DuplicateKey)], "{}", text);
        // The linter reports that key and, the two values being equal, no other error.
        let errors: Vec<_> = findings
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .map(|f| (f.pointer.clone(), f.rule))
            .collect();
        prop_assert_eq!(errors, vec![(pointer, Rule::DuplicateKey)], "{}", text);
    }
}

/// Every finding marks at least one column (`Region::end_column` is exclusive), also for a
/// syntax error that serde_json places inside a multi-byte character or at a byte that is
/// not UTF-8. Found by the `lint_engine` fuzz target (`fuzz/regressions/lint_engine/`): these
/// inputs got empty regions (`"\u0中"` 1:6..1:6, `b"\x80\x01"` 1:1..1:1) before 7274770.
#[test]
fn syntax_errors_mark_at_least_one_column() {
    let cases: [&[u8]; 4] = [
        "\"\\u0中\"".as_bytes(),
        b"\x80\x01",
        b"\"\x80\"",
        b"{\"to\":\"\xbf\"}",
    ];
    for bytes in cases {
        for finding in lint_document("bad.json", None, bytes, 1, Options::default()).findings {
            let region = finding.region.expect("a region");
            assert!(
                (region.end_line, region.end_column) > (region.line, region.column),
                "{bytes:?}: {finding:?}"
            );
        }
    }
}
