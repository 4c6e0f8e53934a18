//! Output injection: hostile text from a payload key, a payload value, a
//! file name, or raw in the source, reaches no output format as it is. For each class of
//! hostile text, each source and each format (human with colour off and on, JSON, SARIF,
//! GitHub, GitLab, JUnit): the raw output holds none of the hidden characters, GitHub output
//! has exactly one line per finding, JSON, SARIF and GitLab decode back to the original text,
//! JUnit is well-formed XML, and human columns and carets are right.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{ERROR, VALID, check_sarif, command, parse_command, run_in, tree};
use crate::util::{check_gitlab, check_junit};

/// The classes of hostile text.
const CLASSES: &[(&str, &str)] = &[
    (
        "an OSC sequence (sets a terminal's title)",
        "\u{1b}]0;title\u{7}",
    ),
    ("NUL", "a\0b"),
    (
        "a forged workflow command",
        "\n::error file=src/main.rs,line=1::forged",
    ),
    ("a carriage return", "\r::warning ::forged"),
    ("C1 controls and DEL", "\u{9b}31m\u{7f}"),
    ("line separators", "\u{2028}x\u{2029}y\u{85}"),
    (
        "bidi controls",
        "\u{202e}abc\u{2066}d\u{2069}\u{200f}\u{61c}",
    ),
    (
        "zero-width and format characters",
        "a\u{200b}b\u{feff}c\u{ad}",
    ),
];

/// Whether `c` is one of the characters that must never reach the output as is (a line feed
/// only where the format puts one).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{feff}' | '\u{61c}' | '\u{ad}'
        )
}

/// Fails if `output` holds a hidden character other than the line feeds between its lines.
fn assert_clean(output: &str, case: &str) {
    for line in output.split('\n') {
        let found: Vec<char> = line.chars().filter(|&c| hidden(c)).collect();
        assert!(found.is_empty(), "{case}: {found:?} in the line {line:?}");
    }
}

/// `output` without its SGR colour sequences (`ESC [ digits ; m`), and only those: any other
/// escape sequence is left for [`assert_clean`] to find.
fn strip_sgr(output: &str) -> String {
    let mut plain = String::with_capacity(output.len());
    let mut rest = output;
    while let Some(at) = rest.find("\x1b[") {
        plain.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let params = tail.find(|c: char| !c.is_ascii_digit() && c != ';');
        match params {
            Some(end) if tail[end..].starts_with('m') => rest = &tail[end + 1..],
            _ => {
                plain.push_str("\x1b[");
                rest = tail;
            }
        }
    }
    plain.push_str(rest);
    plain
}

/// A one-line field as the human and GitHub formats show it: hidden characters as `\u{..}`.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if hidden(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The valid request, pretty-printed (short lines: no excerpt is cut), changed by `edit`.
fn request(edit: impl FnOnce(&mut Value)) -> String {
    let mut request: Value = serde_json::from_str(VALID).unwrap();
    edit(&mut request);
    serde_json::to_string_pretty(&request).unwrap()
}

/// The files of one class: `text` as a key (JSON-escaped where JSON requires it), as a value
/// (an undocumented `wa_source`, which the warning quotes),
/// raw in the source (a syntax error where JSON forbids it), and in a file name (but NUL,
/// which no file name can hold, and `/`, which separates names).
fn files(text: &str) -> Vec<(String, String)> {
    let key = request(|r| {
        r["messaging_object"]["interactive"]["action"][text] = Value::from(1);
    });
    let value = request(|r| r["extra_info"] = serde_json::json!({"wa_source": text}));
    let raw = key.replace(
        &serde_json::to_string(text).unwrap(),
        &format!("\"{text}\""),
    );
    let error: Value = serde_json::from_str(ERROR).unwrap();
    let mut files = vec![
        ("key.json".to_owned(), key),
        ("value.json".to_owned(), value),
        ("raw.json".to_owned(), raw),
    ];
    if !text.contains('\0') {
        let name = format!("name{}.json", text.replace('/', "_"));
        files.push((name, serde_json::to_string_pretty(&error).unwrap()));
    }
    files
}

/// The text each file's findings must carry, decoded, in their messages (`None`: the file
/// name is the source).
fn carried(file: &str, text: &str) -> Option<String> {
    match file {
        "key.json" => Some(text.to_owned()),
        "value.json" => Some(text.to_owned()),
        _ => None,
    }
}

fn output(mut command: Command, case: &str) -> (Option<i32>, String) {
    let output = command.output().unwrap();
    assert!(output.stderr.is_empty(), "{case}: {output:?}");
    let stdout = String::from_utf8(output.stdout).expect("the output is UTF-8");
    (output.status.code(), stdout)
}

/// Checks every format for the files of one class in `dir`.
fn check_class(dir: &Path, name: &str, text: &str, files: &[(String, String)]) {
    let json = run_in(dir, &["--format", "json", "."], None);
    assert_eq!(json.code, Some(1), "{name}: {json:?}");
    assert_clean(&json.stdout, &format!("{name}, json"));
    let report = json.report();
    let findings = report["findings"].as_array().unwrap();
    for (file, _) in files {
        let of_file: Vec<&Value> = findings.iter().filter(|f| f["file"] == *file).collect();
        assert!(!of_file.is_empty(), "{name}: no finding for {file:?}");
        if let Some(carried) = carried(file, text) {
            assert!(
                of_file
                    .iter()
                    .any(|f| f["message"].as_str().unwrap().contains(&carried)),
                "{name}: {file} decodes back: {of_file:?}"
            );
        }
    }

    let sarif = run_in(dir, &["--format", "sarif", "."], None);
    assert_clean(&sarif.stdout, &format!("{name}, sarif"));
    let log = check_sarif(&sarif.stdout);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "{name}, sarif");
    for (result, finding) in results.iter().zip(findings) {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(percent_decode(uri), finding["file"].as_str().unwrap());
        let message = result["message"]["text"].as_str().unwrap();
        assert!(message.starts_with(finding["message"].as_str().unwrap()));
    }

    let github = run_in(dir, &["--format", "github", "."], None);
    assert_clean(&github.stdout, &format!("{name}, github"));
    let lines: Vec<&str> = github.stdout.lines().collect();
    assert_eq!(lines.len(), findings.len() + 1, "{name}: {lines:#?}");
    assert!(lines.last().unwrap().starts_with("kaleyra-wa-lint: "));
    for (line, finding) in lines.iter().zip(findings) {
        assert!(
            line.starts_with(&format!(
                "::{} file=",
                finding["severity"].as_str().unwrap()
            )),
            "{name}: {line}"
        );
        let (_, properties, message) = parse_command(line);
        // Line breaks come back from the toolkit's escaping; the rest stays visible.
        let shown = |s: &str| visible(s).replace("\\u{a}", "\n").replace("\\u{d}", "\r");
        assert_eq!(properties["file"], shown(finding["file"].as_str().unwrap()));
        assert!(message.starts_with(&shown(finding["message"].as_str().unwrap())));
    }

    let gitlab = run_in(dir, &["--format", "gitlab", "."], None);
    assert_clean(&gitlab.stdout, &format!("{name}, gitlab"));
    let issues = check_gitlab(&gitlab.stdout);
    assert_eq!(issues.len(), findings.len(), "{name}, gitlab");
    for (issue, finding) in issues.iter().zip(findings) {
        assert_eq!(issue["location"]["path"], finding["file"]);
        let description = issue["description"].as_str().unwrap();
        assert!(description.contains(finding["message"].as_str().unwrap()));
    }

    let junit = run_in(dir, &["--format", "junit", "."], None);
    assert_clean(&junit.stdout, &format!("{name}, junit"));
    let parsed = check_junit(&junit.stdout);
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert_eq!(parsed.failures.len(), errors, "{name}, junit");
    // Each line of a failure's text is one of ours: a payload's line break is escaped.
    for failure in &parsed.failures {
        assert_clean(failure, &format!("{name}, junit"));
        assert!(failure.lines().count() <= 3, "{name}, junit: {failure:?}");
    }

    for colour in [false, true] {
        let case = format!("{name}, human, colour {colour}");
        let mut human = command(dir, &["."]);
        if colour {
            human.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        }
        let (code, stdout) = output(human, &case);
        assert_eq!(code, Some(1), "{case}");
        assert_eq!(stdout.contains("\x1b["), colour, "{case}");
        let plain = strip_sgr(&stdout);
        assert_clean(&plain, &case);
        check_human_places(&plain, findings, files, &case);
    }
}

/// Each finding's `-->` line names the place the JSON report gives; where the excerpt shows
/// the place on one line, the line is shown one character for one (hidden ones replaced by
/// visible ones) and the caret is under the place's column.
fn check_human_places(human: &str, findings: &[Value], files: &[(String, String)], case: &str) {
    let lines: Vec<&str> = human.lines().collect();
    let mut headers = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| Some((i, l.trim_start().strip_prefix("--> ")?)));
    for finding in findings {
        let file = finding["file"].as_str().unwrap();
        let (line, column) = (
            finding["line"].as_u64().unwrap(),
            finding["column"].as_u64().unwrap(),
        );
        let (at, header) = headers.next().expect("a --> line per finding");
        assert_eq!(
            header,
            format!("{}:{line}:{column}", visible(file)),
            "{case}"
        );
        if finding["end_line"] != finding["line"] {
            continue;
        }
        let source = &files.iter().find(|(name, _)| name == file).unwrap().1;
        let original: Vec<char> = source
            .split('\n')
            .nth(line as usize - 1)
            .unwrap()
            .chars()
            .collect();
        let number = format!("{line} |");
        let shown = lines[at..]
            .iter()
            .find_map(|l| l.trim_start().strip_prefix(&number))
            .expect("the excerpt shows the line");
        let shown: Vec<char> = shown.chars().skip(1).collect();
        let caret = lines[at..]
            .iter()
            .filter_map(|l| l.trim_start().strip_prefix('|'))
            .find(|l| l.contains('^'))
            .expect("a caret line");
        let caret = caret.chars().skip(1).position(|c| c == '^').unwrap();
        assert_eq!(caret as u64, column - 1, "{case}: caret under the column");
        assert_eq!(
            shown.len(),
            original.len(),
            "{case}: {shown:?} for {original:?}"
        );
        for (shown, original) in shown.iter().zip(&original) {
            if hidden(*original) {
                assert!(!hidden(*shown), "{case}");
            } else {
                assert_eq!(shown, original, "{case}");
            }
        }
    }
}

fn percent_decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&uri[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn hostile_text_is_escaped_in_every_format() {
    for (name, text) in CLASSES {
        let files = files(text);
        let entries: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_bytes()))
            .collect();
        let dir = tree(&entries);
        check_class(dir.path(), name, text, &files);
    }
}

#[test]
fn crlf_line_endings_are_layout_not_hidden_text() {
    // A duplicate key: the excerpt spans two CRLF lines.
    let text = "{\r\n  \"messaging_object\": {\r\n    \"to\": \"919876543210\",\r\n    \"to\": \"919876543211\"\r\n  }\r\n}\r\n";
    let dir = tree(&[("crlf.json", text.as_bytes())]);
    let run = run_in(dir.path(), &["crlf.json"], None);
    assert_clean(&run.stdout, "CRLF");
    assert!(!run.stdout.contains('␍'), "{}", run.stdout);
    assert!(
        run.stdout.contains("3 |     \"to\": \"919876543210\",\n"),
        "{}",
        run.stdout
    );
}
