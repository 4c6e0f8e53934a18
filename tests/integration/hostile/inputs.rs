//! Hostile encodings and sizes beside files that are still linted: UTF-16/32, CRLF, files
//! and lines past the limits, NUL, surrogates, 10,000-digit numbers, link loops, the fuzzers'
//! regressions.

use std::io::Write;

use serde_json::Value;

use super::{Place, beside, findings, message, place, z_error};
use crate::util::{ERROR, VALID, places, run_in, tree};

#[test]
fn utf16_and_utf32_files_are_named_as_such() {
    let utf16 = |big: bool, bom: bool| -> Vec<u8> {
        let units = bom
            .then_some(0xFEFF)
            .into_iter()
            .chain(VALID.encode_utf16());
        units
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    };
    let utf32 = |big: bool| -> Vec<u8> {
        VALID
            .chars()
            .flat_map(|c| {
                let c = u32::from(c);
                if big {
                    c.to_be_bytes()
                } else {
                    c.to_le_bytes()
                }
            })
            .collect()
    };
    let cases = [
        ("UTF-16 (little-endian)", utf16(false, true), "UTF-16LE"),
        ("UTF-16 (little-endian)", utf16(false, false), "UTF-16LE"),
        ("UTF-16 (big-endian)", utf16(true, true), "UTF-16BE"),
        ("UTF-16 (big-endian)", utf16(true, false), "UTF-16BE"),
        ("UTF-32 (little-endian)", utf32(false), "UTF-32LE"),
        ("UTF-32 (big-endian)", utf32(true), "UTF-32BE"),
    ];
    for (encoding, bytes, iconv) in cases {
        let (run, report, own) = beside("wide.json", &bytes, &[]);
        assert_eq!(run.code, Some(1));
        // The first character; for UTF-32 that is one column of replacement characters.
        assert_eq!(own.len(), 1, "{encoding}: {own:?}");
        assert_eq!((own[0].2, own[0].3, own[0].5.as_str()), (1, 1, "KWA001"));
        assert_eq!(
            message(&report, "KWA001"),
            format!("the file is {encoding}; JSON text must be UTF-8"),
        );
        let dir = tree(&[("wide.json", &bytes)]);
        let human = run_in(dir.path(), &["wide.json"], None);
        let help = format!("help: convert it, e.g. `iconv -f {iconv} -t UTF-8`");
        assert!(human.stdout.contains(&help), "{}", human.stdout);
    }
}

#[test]
fn crlf_line_endings_keep_lines_and_columns_right() {
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(ERROR).unwrap())
        .unwrap()
        .replace('\n', "\r\n");
    // `to` is on line 4 in serde_json's member order (alphabetical without
    // `preserve_order`): find it rather than assume.
    let line = pretty
        .split("\r\n")
        .position(|l| l.contains("\"to\""))
        .unwrap() as u64
        + 1;
    let column = pretty
        .split("\r\n")
        .nth(line as usize - 1)
        .unwrap()
        .find("0919")
        .unwrap() as u64
        + 1;
    let (run, _, own) = beside("crlf.json", pretty.as_bytes(), &[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        own,
        [place(
            "crlf.json",
            line,
            column,
            column + 13,
            "KWA009",
            "/messaging_object/to"
        )]
    );
    // JSON Lines with CRLF: records and columns as with LF; blank lines are not records.
    let lines = format!("\r\n   \r\n{VALID}\r\n\r\n{ERROR}\r\n\r\n");
    let (run, report, own) = beside("crlf.jsonl", lines.as_bytes(), &[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        own,
        [(
            "crlf.jsonl".into(),
            Some(5),
            5,
            59,
            72,
            "KWA009".into(),
            "/messaging_object/to".into()
        )]
    );
    // a-valid.json, z-error.json, and two records of crlf.jsonl.
    assert_eq!(report["summary"]["records"], 4);
}

#[test]
fn a_file_past_the_size_limit_is_reported_not_read() {
    // A 200 MB file (sparse: its bytes are never read past the limit).
    let dir = tree(&[
        ("a-valid.json", VALID.as_bytes()),
        ("z-error.json", ERROR.as_bytes()),
    ]);
    let big = std::fs::File::create(dir.path().join("big.json")).unwrap();
    big.set_len(200 << 20).unwrap();
    drop(big);
    let run = run_in(dir.path(), &["--format", "json", "."], None);
    assert_eq!(run.code, Some(1), "{run:?}");
    let report = run.report();
    assert_eq!(
        findings(&report),
        [
            (
                "big.json".into(),
                None,
                0,
                0,
                0,
                "KWA012".into(),
                String::new()
            ),
            z_error()
        ]
    );
    assert_eq!(
        message(&report, "KWA012"),
        "the file is larger than 256.0 KiB (262144 bytes); it was not checked"
    );
    assert_eq!(
        (
            report["summary"]["files"].as_u64(),
            report["summary"]["records"].as_u64()
        ),
        (Some(3), Some(2))
    );
    // The limit is configurable: small enough, every file is past it; and on standard input.
    let run = run_in(
        dir.path(),
        &["--format", "json", "--max-file-size", "100B", "."],
        None,
    );
    assert_eq!(
        places(&run.report())
            .iter()
            .map(|p| p.4.as_str())
            .collect::<Vec<_>>(),
        ["KWA012"; 3]
    );
    let run = run_in(
        dir.path(),
        &["--format", "json", "--max-file-size", "100", "-"],
        Some(VALID.as_bytes()),
    );
    assert_eq!(run.code, Some(1));
    assert!(message(&run.report(), "KWA012").starts_with("the file is larger than 100 B"));
    // A size that is not one is a usage error.
    let run = run_in(dir.path(), &["--max-file-size", "ten", "."], None);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--max-file-size"), "{}", run.stderr);
}

#[test]
fn a_json_lines_line_past_the_limit_is_skipped_and_the_next_lines_checked() {
    // A 200 MB line between two records, streamed: it is not held in memory.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "{VALID}").unwrap();
    file.write_all(b"\"").unwrap();
    let block = vec![b'x'; 1 << 20];
    for _ in 0..200 {
        file.write_all(&block).unwrap();
    }
    file.write_all(b"\"\r\n").unwrap();
    writeln!(file, "{ERROR}").unwrap();
    writeln!(file, "{VALID}").unwrap();
    drop(file);
    let run = run_in(dir.path(), &["--format", "json", "big.jsonl"], None);
    assert_eq!(run.code, Some(1), "{run:?}");
    let report = run.report();
    let record = |line, column, end, code: &str, pointer: &str| -> Place {
        (
            "big.jsonl".into(),
            Some(line),
            line,
            column,
            end,
            code.into(),
            pointer.into(),
        )
    };
    assert_eq!(
        findings(&report),
        [
            record(2, 1, 2, "KWA012", ""),
            record(3, 59, 72, "KWA009", "/messaging_object/to"),
        ]
    );
    assert_eq!(
        message(&report, "KWA012"),
        "the line is longer than 256.0 KiB (262144 bytes); it was not checked"
    );
    assert_eq!(report["summary"]["records"], 4);
    // A line exactly at the limit is checked; one byte more is not (`\r\n` not counted).
    let at = VALID.len().to_string();
    let lines = format!("{VALID}\r\n{VALID} \r\n");
    let run = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "--max-line-length",
            &at,
            "--stdin-filename",
            "in.jsonl",
            "-",
        ],
        Some(lines.as_bytes()),
    );
    let report = run.report();
    let found: Vec<_> = places(&report).into_iter().map(|p| (p.1, p.4)).collect();
    assert_eq!(found, [(Some(2), "KWA012".to_owned())]);
}

#[test]
fn nul_characters_in_strings() {
    let nul_in = |text: &str| VALID.replace("SKU-1", text);
    // JSON allows `\u0000` in strings: a product id with one is a valid string.
    let (run, _, own) = beside("nul.json", nul_in("SKU\\u0000-1").as_bytes(), &[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(own, []);
    // In a recipient it is not a digit: the finding shows it, and no output carries the raw
    // byte (which terminals and GitHub's log would swallow).
    let bad_to = ERROR.replace("\"0919876543210\"", "\"91987\\u00006543210\"");
    let (_, report, own) = beside("nul-to.json", bad_to.as_bytes(), &[]);
    // The recipient, escape included, inside the literal's quotes.
    assert_eq!(
        own,
        [place(
            "nul-to.json",
            1,
            59,
            77,
            "KWA009",
            "/messaging_object/to"
        )]
    );
    assert!(message(&report, "KWA009").contains("91987\u{0}6543210"));
    let dir = tree(&[("nul-to.json", bad_to.as_bytes())]);
    for format in ["human", "github", "json", "sarif"] {
        let run = run_in(dir.path(), &["--format", format, "nul-to.json"], None);
        assert_eq!(run.code, Some(1), "{format}");
        assert!(
            !run.stdout.contains('\0'),
            "{format}: a raw NUL in the output"
        );
    }
}

#[test]
fn surrogate_escapes() {
    // A lone surrogate is no character: serde_json rejects it, and says where.
    for (escape, what) in [
        ("\\ud800", "unexpected end of hex escape"),
        ("\\udc00\\ud800", "lone leading surrogate in hex escape"),
    ] {
        let text = VALID.replace("SKU-1", escape);
        let (run, report, own) = beside("lone.json", text.as_bytes(), &[]);
        assert_eq!(run.code, Some(1));
        assert_eq!(own.len(), 1, "{own:?}");
        assert_eq!(own[0].5, "KWA001");
        assert_eq!(
            own[0].6,
            "/messaging_object/interactive/action/product_retailer_id"
        );
        assert_eq!(message(&report, "KWA001"), what);
    }
    // A pair is one code point: 1024 escaped emoji fill the body exactly, 1025 break it.
    let body = |n: usize| {
        VALID.replace(
            "\"action\"",
            &format!(
                "\"body\":{{\"text\":\"{}\"}},\"action\"",
                "\\ud83d\\ude00".repeat(n)
            ),
        )
    };
    let (run, _, own) = beside("pairs.json", body(1024).as_bytes(), &[]);
    assert_eq!((run.code, own.len()), (Some(1), 0), "{own:?}");
    let (_, report, own) = beside("pairs.json", body(1025).as_bytes(), &[]);
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].5, "KWA007");
    assert!(message(&report, "KWA007").starts_with("1025 characters"));
}

#[test]
fn numbers_with_ten_thousand_digits() {
    let digits = "9".repeat(10_000);
    // Too large for any float, where a string belongs: a type error spanning the number.
    let text = VALID.replace("\"919876543210\"", &digits);
    let (run, report, own) = beside("digits.json", text.as_bytes(), &[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        own,
        [place(
            "digits.json",
            1,
            58,
            10_058,
            "KWA003",
            "/messaging_object/to"
        )]
    );
    assert_eq!(
        message(&report, "KWA003"),
        "expected a string, found a number too large to represent"
    );
    // Ten thousand digits that a float holds (a fraction): the same rule, as for any number.
    let fraction = VALID.replace("\"919876543210\"", &format!("0.{digits}"));
    let (_, _, own) = beside("fraction.json", fraction.as_bytes(), &[]);
    assert_eq!(
        own,
        [place(
            "fraction.json",
            1,
            58,
            10_060,
            "KWA003",
            "/messaging_object/to"
        )]
    );
    // The core agrees on the rule and the place.
    let error = kaleyra_wa::from_slice(text.as_bytes()).unwrap_err();
    assert_eq!(
        (error.rule().code(), error.pointer()),
        ("KWA003", "/messaging_object/to")
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_unreadable_and_the_rest_is_linted() {
    let dir = tree(&[
        ("a-valid.json", VALID.as_bytes()),
        ("sub/z-error.json", ERROR.as_bytes()),
    ]);
    std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("../a-valid.json", dir.path().join("sub/linked.json")).unwrap();
    let run = run_in(dir.path(), &["--format", "json", "."], None);
    assert_eq!(run.code, Some(2), "{run:?}");
    let report = run.report();
    let found: Vec<_> = places(&report).into_iter().map(|p| (p.0, p.4)).collect();
    assert_eq!(
        found,
        [
            ("sub/loop".to_owned(), "KWA011".to_owned()),
            ("sub/z-error.json".to_owned(), "KWA009".to_owned()),
        ]
    );
    assert_eq!(
        message(&report, "KWA011"),
        "cannot read: a symbolic link loop: it leads back to ."
    );
    // The linked file is linted under its own name.
    assert_eq!(report["summary"]["records"], 3);
}

/// Every input the fuzz targets ever crashed on (`fuzz/regressions/<target>/`), through the
/// binary as a JSON file and through the engine as a JSON Lines record: the output keeps the
/// contract (checked by `report()`: every place is at least one column wide, and so on).
#[test]
fn fuzz_regressions() {
    let root = crate::util::root().join("fuzz/regressions");
    let mut files = Vec::new();
    for target in std::fs::read_dir(&root).unwrap() {
        for file in std::fs::read_dir(target.unwrap().path()).unwrap() {
            files.push(file.unwrap().path());
        }
    }
    assert!(!files.is_empty(), "no regression inputs under {root:?}");
    files.sort();
    let mut args = vec!["--format".to_owned(), "json".to_owned()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_in(&root, &args, None);
    let report = run.report();
    assert_eq!(report["summary"]["files"], files.len(), "{report}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let options = kaleyra_wa_linter::Options::default();
        for finding in
            kaleyra_wa_linter::lint_document("x.jsonl", Some(3), &bytes, 3, options).findings
        {
            let region = finding.region.unwrap();
            assert!(
                region.line >= 3 && region.column >= 1,
                "{file:?}: {finding:?}"
            );
            assert!(
                (region.end_line, region.end_column) > (region.line, region.column),
                "{file:?}: {finding:?}"
            );
        }
    }
}
