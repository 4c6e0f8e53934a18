//! Hostile classes found by trying the linter as an attacker would: many findings on one
//! line (capped, counted exactly, linear), numbers past `f64`, one finding per problem in our
//! words whatever else is wrong.

use super::{beside, message, place};
use crate::util::{VALID, run_in, tree};

/// `VALID` with `members` added to `messaging_object` (each `"name": value`).
fn with_members(members: &str) -> String {
    VALID.replacen(
        r#""messaging_object":{"#,
        &format!(r#""messaging_object":{{{members},"#),
        1,
    )
}

#[test]
fn many_findings_on_one_line_are_capped_per_member_and_per_document_and_counted_exactly() {
    // 40,000 bad recipients and, after them, an unknown member: ten recipients are shown,
    // the unknown member is not hidden by them, and the summary counts every problem.
    let recipients = vec!["x1"; 40_000].join(",");
    let text = VALID.replace("919876543210", &recipients);
    let text = with_members_after_to(&text, r#""extra": 1"#);
    let (run, report, own) = beside("recipients.json", text.as_bytes(), &[]);
    assert_eq!(run.code, Some(1));
    let phones = own.iter().filter(|f| f.5 == "KWA009").count();
    assert_eq!(phones, kaleyra_wa_linter::MAX_PER_MEMBER);
    assert!(
        own.iter()
            .any(|f| f.5 == "KWA005" && f.6 == "/messaging_object/extra"),
        "{own:?}"
    );
    // 40,000 bad recipients + 1 unknown member, and `z-error.json`'s one error.
    assert_eq!(report["summary"]["errors"], 40_002, "{}", report["summary"]);
    assert_eq!(
        report["summary"]["omitted"],
        40_000 - 10,
        "{}",
        report["summary"]
    );
    // Each shown recipient is placed at its own column: the n-th at 58 + 3n + 1.
    let columns: Vec<u64> = own
        .iter()
        .filter(|f| f.5 == "KWA009")
        .map(|f| f.3)
        .collect();
    let expected: Vec<u64> = (0..10).map(|n| 59 + 3 * n).collect();
    assert_eq!(columns, expected);

    // 20,000 unknown members on one line: the first 100 findings, the rest counted.
    let members: Vec<String> = (0..20_000).map(|i| format!(r#""k{i}": {i}"#)).collect();
    let text = with_members(&members.join(","));
    // 280 KB: past the default size limit, raised.
    let big = ["--max-file-size", "1MiB"];
    let (_, report, own) = beside("unknown.json", text.as_bytes(), &big);
    assert_eq!(own.len(), kaleyra_wa_linter::MAX_SHOWN);
    assert!(own.iter().all(|f| f.5 == "KWA005"));
    assert_eq!(own[0].6, "/messaging_object/k0");
    assert_eq!(own[99].6, "/messaging_object/k99");
    assert_eq!(report["summary"]["errors"], 20_001);
    assert_eq!(report["summary"]["omitted"], 20_000 - 100);

    // The human format says how many were not shown; GitHub as a notice.
    let dir = tree(&[("unknown.json", text.as_bytes())]);
    let human = run_in(dir.path(), &[&big[..], &["unknown.json"]].concat(), None);
    let note = "note: 19900 more findings in unknown.json not shown (19900 errors, 0 warnings)";
    assert!(
        human.stdout.contains(note),
        "{}",
        &human.stdout[human.stdout.len() - 500..]
    );
    assert!(
        human
            .stdout
            .ends_with("1 file, 1 record: 20000 errors, 0 warnings\n")
    );
    let github = run_in(
        dir.path(),
        &[&big[..], &["--format", "github", "unknown.json"]].concat(),
        None,
    );
    assert!(
        github
            .stdout
            .contains("::notice file=unknown.json::19900 more findings")
    );
}

/// Bad recipients are listed up to a cap and counted exactly past it, whichever path checks
/// the document (the core's report, the unknown-member and patch paths, the slow path): a
/// `to` of megabytes holds no finding per recipient in memory (it held about 250 bytes per
/// byte of `to`: 2.8 GB for 10 MB).
#[test]
fn bad_recipients_are_listed_up_to_a_cap_and_counted_exactly_on_every_path() {
    use kaleyra_wa::Severity;
    use kaleyra_wa_linter::{MAX_PER_MEMBER, Options, lint_document};
    // Each with a plain literal, and with one whose first `x` is escaped: each recipient is
    // still placed apart, so equal ones are not taken for one.
    let cases = [1, 9, 10, 11, 12, 31, 5_000]
        .into_iter()
        .flat_map(|bad| [(bad, false), (bad, true)]);
    for (bad, escaped) in cases {
        let mut recipients = vec!["x1"; bad].join(",");
        if escaped {
            recipients.replace_range(..1, "\\u0078");
        }
        let text = VALID.replace("919876543210", &recipients);
        let paths = [
            ("typed", text.clone(), 0),
            ("unknown", with_members_after_to(&text, r#""extra": 1"#), 1),
            ("patch", text.replace(r#""whatsapp""#, r#""sms""#), 1),
            (
                "slow",
                with_members_after_to(&text, r#""type":"interactive""#),
                1,
            ),
        ];
        for (path, text, others) in paths {
            let case = format!("{path} {bad} {escaped}");
            let document = lint_document("t.json", None, text.as_bytes(), 1, Options::default());
            let phones: Vec<_> = (document.findings.iter())
                .filter(|f| f.rule == kaleyra_wa::Rule::Phone)
                .map(|f| f.region)
                .collect();
            assert_eq!(phones.len(), bad.min(MAX_PER_MEMBER), "{case}");
            assert!(
                phones.windows(2).all(|w| w[0] != w[1]),
                "{case}: {phones:?}"
            );
            let shown = document
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error);
            let omitted = document.omitted.as_ref().map_or(0, |o| o.errors);
            assert_eq!(shown.count() + omitted, bad + others, "{case}");
        }
    }
}

/// `text` (a request) with `member` added right after `to`.
fn with_members_after_to(text: &str, member: &str) -> String {
    let to = text.find(r#","type":"interactive""#).unwrap();
    format!("{},{member}{}", &text[..to], &text[to..])
}

#[test]
fn numbers_past_f64_are_valid_json_and_hide_nothing() {
    // An unknown member holding 1e400, then a duplicate key: both reported, no syntax error.
    let text = with_members(r#""big": 1e400, "dup": 1, "dup": -1e309"#);
    let (_, _, own) = beside("big.json", text.as_bytes(), &[]);
    let codes: Vec<(&str, &str)> = own.iter().map(|f| (f.5.as_str(), f.6.as_str())).collect();
    assert_eq!(
        codes,
        [
            ("KWA005", "/messaging_object/big"),
            ("KWA002", "/messaging_object/dup"),
            ("KWA005", "/messaging_object/dup"),
        ],
        "{own:?}"
    );
    // Where a string belongs, a type error at the number itself, in the core's words.
    for number in ["1e400", "-1E+309", &"7".repeat(400)] {
        let text = VALID.replace("\"919876543210\"", number);
        let (_, report, own) = beside("to.json", text.as_bytes(), &[]);
        let end = 58 + number.chars().count() as u64;
        assert_eq!(
            own,
            [place(
                "to.json",
                1,
                58,
                end,
                "KWA003",
                "/messaging_object/to"
            )]
        );
        let core = kaleyra_wa::from_slice(text.as_bytes()).unwrap_err();
        assert_eq!(message(&report, "KWA003"), core.message());
    }
    // A big number does not excuse a syntax error after it, nor is a string touched.
    let text = with_members(r#""big": 1e400, "bad": 01"#);
    let (_, _, own) = beside("syntax.json", text.as_bytes(), &[]);
    assert_eq!(
        own.iter().map(|f| f.5.as_str()).collect::<Vec<_>>(),
        ["KWA001"]
    );
    let text = with_members(r#""big": 1e400, "s": "1e400""#);
    let (_, _, own) = beside("string.json", text.as_bytes(), &[]);
    assert_eq!(own.len(), 2, "{own:?}");
}

#[test]
fn one_finding_per_problem_in_our_words_whatever_else_is_wrong() {
    // A recipient ending in a line break: the phone rule, once, not a schema internal.
    for ending in ["\\n", "\\r\\n"] {
        let text = VALID.replace("919876543210", &format!("919876543210{ending}"));
        let (_, report, own) = beside("newline.json", text.as_bytes(), &[]);
        let codes: Vec<&str> = own.iter().map(|f| f.5.as_str()).collect();
        assert_eq!(codes, ["KWA009"], "{report}");
    }
    // Warnings on `extra_info` are reported whatever else is wrong in it.
    let extra = |members: &str| {
        VALID.replacen("}}}}", &format!("}}}}}},\"extra_info\":{{{members}}}}}"), 1)
    };
    for (members, error) in [
        (
            r#""wa_source": "website", "ref": null"#,
            ("KWA003", "/extra_info/ref"),
        ),
        (
            r#""wa_source": "website", "refx": "a""#,
            ("KWA005", "/extra_info/refx"),
        ),
        (
            r#""wa_source": "website", "ref1": 7"#,
            ("KWA003", "/extra_info/ref1"),
        ),
    ] {
        let (_, report, own) = beside("extra.json", extra(members).as_bytes(), &[]);
        let codes: Vec<(&str, &str)> = own.iter().map(|f| (f.5.as_str(), f.6.as_str())).collect();
        assert!(codes.contains(&error), "{report}");
        assert!(
            codes.contains(&("KWA101", "/extra_info/wa_source")),
            "{report}"
        );
        assert_eq!(codes.len(), 2, "{report}");
    }
    // An array where `extra_info` belongs: a type error there, and nothing inside it.
    let text = VALID.replacen("}}}}", r#"}}},"extra_info":["a","b","c","API"]}"#, 1);
    let (_, report, own) = beside("array.json", text.as_bytes(), &[]);
    let codes: Vec<(&str, &str)> = own.iter().map(|f| (f.5.as_str(), f.6.as_str())).collect();
    assert_eq!(codes, [("KWA003", "/extra_info")], "{report}");
}

#[test]
fn messages_quote_at_most_forty_characters_of_payload_text() {
    // A key or value of 100,000 characters, quoted by each message that quotes payload text:
    // an unknown member, a duplicate key, a wrong constant (on each path that reports one),
    // a bad recipient, an undocumented `wa_source`. Each message quotes its first 40 code
    // points and `…`.
    // 100 KB, twice in the duplicate's document: under the size limit.
    let long = "é".repeat(50_000);
    let unknown = with_members(&format!(r#""{long}": 1"#));
    let duplicate = with_members(&format!(r#""{long}": 1, "{long}": 2"#));
    let constant = VALID.replacen(r#""whatsapp""#, &format!(r#""{long}""#), 1);
    // The slow path too: a text where an object belongs elsewhere in the document.
    let root = |text: &str, member: &str| format!("{},{member}}}", &text[..text.len() - 1]);
    let constant_slow = root(&constant, r#""extra_info":"x""#);
    let phone = VALID.replacen("919876543210", &"9".repeat(100_000), 1);
    let source = root(VALID, &format!(r#""extra_info":{{"wa_source":"{long}"}}"#));
    for (text, code) in [
        (&unknown, "KWA005"),
        (&duplicate, "KWA002"),
        (&constant, "KWA006"),
        (&constant_slow, "KWA006"),
        (&phone, "KWA009"),
        (&source, "KWA101"),
    ] {
        assert_ne!(text.as_str(), VALID, "{code}: the edit applies");
        let (_, report, _) = beside("long.json", text.as_bytes(), &[]);
        let message = message(&report, code);
        let start: String = message.chars().take(100).collect();
        assert!(message.contains("…"), "{code}: {start}");
        assert!(message.chars().count() < 200, "{code}: {start}");
    }
}

#[test]
fn a_pointer_through_a_long_name_names_the_nearest_ancestor_that_fits() {
    // An unknown member of 5,000 characters, holding a duplicate key: both findings are at
    // their places, their pointers name `/messaging_object` (which resolves), and their
    // messages say why. A name that fits is named whole.
    let long = "é".repeat(5_000);
    let text = with_members(&format!(r#""{long}": {{"x": 1, "x": 2}}"#));
    let (_, report, own) = beside("long.json", text.as_bytes(), &[]);
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    for code in ["KWA005", "KWA002"] {
        let finding = own.iter().find(|f| f.5 == code).expect(code);
        assert_eq!(finding.6, "/messaging_object", "{code}");
        assert!(document.pointer(&finding.6).is_some());
        assert!(
            message(&report, code).contains("nearest ancestor"),
            "{code}"
        );
    }
    let fits = "a".repeat(kaleyra_wa_linter::MAX_POINTER - "/messaging_object/".len());
    let (_, _, own) = beside(
        "fits.json",
        with_members(&format!(r#""{fits}": 1"#)).as_bytes(),
        &[],
    );
    let finding = own.iter().find(|f| f.5 == "KWA005").expect("KWA005");
    assert_eq!(finding.6, format!("/messaging_object/{fits}"));
}
