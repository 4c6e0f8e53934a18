//! Invariants shared by the fuzz targets: what must hold for any input, however hostile.
//!
//! Every check panics (with the input's relevant facts) when an invariant breaks, which
//! libFuzzer reports as a crash and saves the input under `fuzz/artifacts/<target>/`.

use std::collections::BTreeSet;

use kaleyra_wa::{Rule, Severity};
use kaleyra_wa_linter::{Finding, Format, Options, RenderOptions, Summary, lint_document};

pub mod tree;

/// Whether `pointer` is RFC 6901 syntax: empty, or `/`-prefixed tokens in which every `~` is
/// followed by `0` or `1`.
pub fn is_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    if !pointer.starts_with('/') {
        return false;
    }
    let bytes = pointer.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'~')
        .all(|(i, _)| matches!(bytes.get(i + 1), Some(b'0' | b'1')))
}

/// Asserts that a rule has a well-formed code (`KWA` and three digits) and a name.
pub fn assert_rule(rule: Rule, context: &str) {
    let code = rule.code();
    assert!(
        code.len() == 6 && code.starts_with("KWA") && code[3..].bytes().all(|b| b.is_ascii_digit()),
        "{context}: bad rule code {code:?}"
    );
    assert!(
        !rule.name().is_empty(),
        "{context}: rule {code} has no name"
    );
}

/// How the core judges bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `from_slice` failed: the parse error's (pointer, rule).
    Unparsable(String, Rule),
    /// Parsed; the report's errors and warnings as (pointer, rule).
    Parsed {
        /// Errors: the API rejects the payload when there is one.
        errors: Vec<(String, Rule)>,
        /// Warnings: the API accepts and rewrites.
        warnings: Vec<(String, Rule)>,
    },
}

impl Verdict {
    /// Whether the core rejects the bytes (a parse error or a validation error).
    pub fn rejects(&self) -> bool {
        match self {
            Verdict::Unparsable(..) => true,
            Verdict::Parsed { errors, .. } => !errors.is_empty(),
        }
    }

    /// Whether the core accepts with neither error nor warning.
    pub fn is_clean(&self) -> bool {
        matches!(self, Verdict::Parsed { errors, warnings } if errors.is_empty() && warnings.is_empty())
    }
}

/// The core's verdict on `bytes`, asserting the core's own invariants on the way: the fast
/// and slow parses agree, every rejection has a well-formed rule code and pointer, and a
/// position (1-based).
pub fn core_verdict(bytes: &[u8]) -> Verdict {
    let full = kaleyra_wa::from_slice(bytes);
    let fast = kaleyra_wa::try_from_slice(bytes);
    assert_eq!(
        full.as_ref().ok(),
        fast.as_ref(),
        "try_from_slice is Some iff from_slice is Ok (and both give the same request); from_slice: {full:?}"
    );
    match full {
        Err(error) => {
            assert_rule(error.rule(), "parse error");
            assert!(
                is_pointer(error.pointer()),
                "parse error pointer {:?} is not a JSON pointer ({error})",
                error.pointer()
            );
            assert!(
                error.line() >= 1 && error.column() >= 1,
                "parse error position {}:{} is not 1-based ({error})",
                error.line(),
                error.column()
            );
            assert!(
                matches!(
                    error.rule(),
                    Rule::Syntax
                        | Rule::Limit
                        | Rule::Type
                        | Rule::Missing
                        | Rule::Unknown
                        | Rule::DuplicateKey
                        | Rule::Constant
                        | Rule::Header
                ),
                "parse error with an undocumented rule: {error}"
            );
            assert_eq!(error.rule().severity(), Severity::Error, "{error}");
            // Display must not panic.
            let _ = error.to_string();
            Verdict::Unparsable(error.pointer().to_owned(), error.rule())
        }
        Ok(request) => {
            let report = request.validate();
            for violation in report.violations() {
                assert_rule(violation.rule, "violation");
                assert!(
                    is_pointer(&violation.pointer),
                    "violation pointer {:?} is not a JSON pointer ({violation})",
                    violation.pointer
                );
                if let Some(range) = &violation.range_in_value {
                    assert!(
                        range.start <= range.end,
                        "{violation}: empty range {range:?}"
                    );
                }
            }
            let _ = report.to_string();
            assert_eq!(report.is_valid(), report.errors().next().is_none());
            assert_eq!(report.is_clean(), report.violations().is_empty());
            let pairs = |it: &mut dyn Iterator<Item = &kaleyra_wa::Violation>| {
                it.map(|v| (v.pointer.clone(), v.rule)).collect::<Vec<_>>()
            };
            Verdict::Parsed {
                errors: pairs(&mut report.errors()),
                warnings: pairs(&mut report.warnings()),
            }
        }
    }
}

/// Code points per line of `bytes` (lines split at `\n`, the `\n` not counted), counting
/// code points as the linter does: bytes that are not UTF-8 continuation bytes.
pub fn line_lengths(bytes: &[u8]) -> Vec<usize> {
    bytes
        .split(|b| *b == b'\n')
        .map(|line| line.iter().filter(|b| (**b & 0xC0) != 0x80).count())
        .collect()
}

/// Asserts the invariants of one document's findings: a rule code, a JSON pointer, a region
/// with 1-based lines and columns inside the document (which starts on `first_line`), the
/// end after the start, and the record number for a JSON Lines record.
pub fn assert_findings(
    findings: &[Finding],
    bytes: &[u8],
    record: Option<usize>,
    first_line: usize,
) {
    let lengths = line_lengths(bytes);
    let last_line = first_line + lengths.len() - 1;
    for finding in findings {
        let context = format!("{finding:?}");
        assert_rule(finding.rule, &context);
        assert!(
            is_pointer(&finding.pointer),
            "pointer is not a JSON pointer: {context}"
        );
        assert!(
            finding.pointer.len() <= kaleyra_wa_linter::MAX_POINTER,
            "pointer past its bound: {context}"
        );
        assert_eq!(finding.record, record, "{context}");
        assert!(!finding.message.is_empty(), "no message: {context}");
        let Some(region) = finding.region else {
            panic!("a finding in a document has no region: {context}");
        };
        assert!(
            first_line <= region.line
                && region.line <= region.end_line
                && region.end_line <= last_line,
            "lines {}..{} outside the document's lines {first_line}..={last_line}: {context}",
            region.line,
            region.end_line
        );
        assert!(region.column >= 1, "column is not 1-based: {context}");
        let start_len = lengths[region.line - first_line];
        let end_len = lengths[region.end_line - first_line];
        assert!(
            region.column <= start_len + 1,
            "column {} past the end of line {} ({start_len} code points): {context}",
            region.column,
            region.line
        );
        assert!(
            (region.end_line, region.end_column) > (region.line, region.column),
            "the region ends before it starts (or is empty): {context}"
        );
        // One past the last code point; an empty place (end of input) still marks one column.
        let one_column = region.end_line == region.line && region.end_column == region.column + 1;
        assert!(
            region.end_column <= end_len + 1 || one_column,
            "end column {} past the end of line {} ({end_len} code points): {context}",
            region.end_column,
            region.end_line
        );
        if let Some(snippet) = &finding.snippet {
            assert!(
                snippet.span.start <= snippet.span.end && snippet.span.end <= snippet.text.len(),
                "snippet span outside its text: {context}"
            );
            assert!(
                snippet.text.is_char_boundary(snippet.span.start)
                    && snippet.text.is_char_boundary(snippet.span.end),
                "snippet span not on char boundaries: {context}"
            );
            if let Some(related) = &snippet.related {
                assert!(
                    related.start <= related.end && related.end <= snippet.text.len(),
                    "snippet related span outside its text: {context}"
                );
            }
        }
    }
}

/// Asserts the relation between the linter's findings on `bytes` (one document) and the
/// core's verdict, as the engine guarantees it:
///
/// - no finding at all iff the core accepts with neither error nor warning (the fast path);
/// - an error finding iff the core rejects (the safety net: the linter never passes what the
///   core rejects; and whatever the linter calls an error, the core rejects too);
/// - when the core parses the request, the linter's warnings are the core's;
/// - when the core's validation finds errors, the linter reports each of them (pointer and
///   rule); when the core's parse stops at a data error of well-formed JSON without
///   duplicate keys, the linter reports that one too.
pub fn assert_agreement(bytes: &[u8], findings: &[Finding], verdict: &Verdict) {
    let lint_errors: BTreeSet<(String, Rule)> = findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| (f.pointer.clone(), f.rule))
        .collect();
    let lint_warnings: BTreeSet<(String, Rule)> = findings
        .iter()
        .filter(|f| f.severity() == Severity::Warning)
        .map(|f| (f.pointer.clone(), f.rule))
        .collect();
    assert_eq!(
        findings.is_empty(),
        verdict.is_clean(),
        "findings are empty iff the core accepts with no warning; core: {verdict:?}; lint: {findings:#?}"
    );
    assert_eq!(
        !lint_errors.is_empty(),
        verdict.rejects(),
        "the linter reports an error iff the core rejects; core: {verdict:?}; lint: {findings:#?}"
    );
    let duplicates = findings.iter().any(|f| f.rule == Rule::DuplicateKey);
    match verdict {
        Verdict::Parsed { errors, warnings } => {
            let core: BTreeSet<_> = warnings.iter().cloned().collect();
            assert_eq!(lint_warnings, core, "warnings differ; lint: {findings:#?}");
            for error in errors {
                assert!(
                    lint_errors.contains(error),
                    "the core's error {error:?} is not among the linter's: {findings:#?}"
                );
            }
        }
        Verdict::Unparsable(pointer, rule) => {
            let well_formed = serde_json::from_slice::<serde_json::Value>(bytes).is_ok();
            if well_formed && !duplicates && *rule != Rule::Syntax {
                // A finding's pointer through a name too long names an ancestor.
                let pointer = kaleyra_wa_linter::bounded_pointer(pointer).to_owned();
                assert!(
                    lint_errors.contains(&(pointer.clone(), *rule)),
                    "the core's parse error ({pointer:?}, {rule:?}) is not among the linter's: {findings:#?}"
                );
            }
        }
    }
}

/// Lints `bytes` as a JSON Lines file the way the engine does (lines split at `\n`, a final
/// `\r` dropped, blank lines skipped), asserting every record's findings and agreement with
/// the core. Returns all findings, in order.
pub fn lint_as_json_lines(name: &str, bytes: &[u8], options: Options) -> Vec<Finding> {
    let mut all = Vec::new();
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    if bytes.last() == Some(&b'\n') {
        lines.pop();
    }
    for (i, line) in lines.into_iter().enumerate() {
        let number = i + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let findings = lint_document(name, Some(number), line, number, options).findings;
        assert_findings(&findings, line, Some(number), number);
        assert_agreement(line, &findings, &core_verdict(line));
        all.extend(findings);
    }
    all
}

/// Renders `findings` in every format (GitHub also in quiet mode), asserting that nothing panics, that
/// JSON, SARIF and GitLab output parse as JSON with one entry per finding, that GitHub output
/// is one workflow command per line, and that JUnit holds only what XML 1.0 can carry.
pub fn render_all(findings: &[Finding]) {
    let mut summary = Summary {
        files: 1,
        records: 1,
        ..Summary::default()
    };
    for finding in findings {
        match finding.severity() {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
        }
    }
    let render = |format: Format, quiet: bool| -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut reporter =
                kaleyra_wa_linter::reporter(format, Box::new(&mut out), RenderOptions { quiet });
            for finding in findings {
                reporter.finding(finding).expect("writing to a Vec");
            }
            reporter.finish(&summary).expect("writing to a Vec");
        }
        out
    };
    let human = render(Format::Human, false);
    assert!(
        std::str::from_utf8(&human).is_ok(),
        "human output is not UTF-8"
    );
    for quiet in [false, true] {
        let github = render(Format::Github, quiet);
        let github = String::from_utf8(github).expect("GitHub output is UTF-8");
        let shown = findings
            .iter()
            .filter(|f| !quiet || f.severity() == Severity::Error)
            .count();
        let lines: Vec<&str> = github.lines().collect();
        assert_eq!(
            lines.len(),
            shown + usize::from(!quiet),
            "one GitHub line per finding (plus the summary): {github}"
        );
        for line in &lines[..shown] {
            assert!(
                line.starts_with("::error file=") || line.starts_with("::warning file="),
                "not a workflow command: {line:?}"
            );
        }
    }

    let json = render(Format::Json, false);
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "JSON output does not parse ({e}): {}",
            String::from_utf8_lossy(&json)
        )
    });
    let entries = json["findings"].as_array().expect("findings array");
    assert_eq!(entries.len(), findings.len());
    for (entry, finding) in entries.iter().zip(findings) {
        assert_eq!(entry["code"], finding.rule.code());
        assert_eq!(entry["pointer"], finding.pointer.as_str());
    }

    let sarif = render(Format::Sarif, false);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif).unwrap_or_else(|e| {
        panic!(
            "SARIF output does not parse ({e}): {}",
            String::from_utf8_lossy(&sarif)
        )
    });
    let results = sarif["runs"][0]["results"]
        .as_array()
        .expect("results array");
    assert_eq!(results.len(), findings.len());
    for (result, finding) in results.iter().zip(findings) {
        assert_eq!(result["ruleId"], finding.rule.code());
    }

    let gitlab = render(Format::Gitlab, false);
    let gitlab: serde_json::Value = serde_json::from_slice(&gitlab).unwrap_or_else(|e| {
        panic!(
            "GitLab output does not parse ({e}): {}",
            String::from_utf8_lossy(&gitlab)
        )
    });
    let issues = gitlab.as_array().expect("an array of issues");
    assert_eq!(issues.len(), findings.len());
    for (issue, finding) in issues.iter().zip(findings) {
        assert_eq!(issue["check_name"], finding.rule.code());
    }

    // JUnit: only characters XML 1.0 allows, line feeds only between elements, one
    // `<failure` per error.
    let junit = String::from_utf8(render(Format::Junit, false)).expect("JUnit output is UTF-8");
    assert!(
        !junit.contains(|c: char| (c.is_control() && c != '\n')
            || c == '\u{fffe}'
            || c == '\u{ffff}'),
        "a character XML 1.0 cannot carry: {junit:?}"
    );
    let errors = findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .count();
    assert_eq!(junit.matches("<failure ").count(), errors, "{junit}");
}
