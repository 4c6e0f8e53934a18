//! The configuration file, `kaleyra-wa-lint.toml`: discovery (upward, stopping at the
//! repository's root), precedence (flags over the file), per-rule levels, globs, and every
//! way a configuration can be wrong (exit status 2, the key and its place, did-you-mean).

use std::path::Path;

use serde_json::Value;

use crate::util::{ERROR, Run, VALID, WARNING, run_in, tree};

/// The JSON report of a run (the severities may be the configuration's, so the contract's
/// check that each is the rule's own does not apply).
fn report(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"))
}

fn codes(run: &Run) -> Vec<(String, String)> {
    report(run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn lint(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    run_in(dir, &all, None)
}

fn pair(code: &str, severity: &str) -> (String, String) {
    (code.to_owned(), severity.to_owned())
}

#[test]
fn the_file_is_found_upward_and_not_past_the_repository_root() {
    let off = b"[rules]\nKWA009 = \"off\"\n";
    let dir = tree(&[
        ("repo/.git/HEAD", b"ref: refs/heads/main\n"),
        ("repo/kaleyra-wa-lint.toml", off),
        ("repo/sub/deeper/a.json", ERROR.as_bytes()),
        // Above the repository: never read.
        ("kaleyra-wa-lint.toml", b"this is not TOML"),
        ("other/.git/HEAD", b"ref: refs/heads/main\n"),
        ("other/a.json", ERROR.as_bytes()),
    ]);
    let deeper = dir.path().join("repo/sub/deeper");
    let found = lint(&deeper, &["."]);
    assert_eq!(found.code, Some(0), "{found:?}");
    assert_eq!(codes(&found), []);
    assert_eq!(report(&found)["summary"]["errors"], 0);
    // The repository root stops the search: the broken file above it is not read.
    let other = lint(&dir.path().join("other"), &["."]);
    assert_eq!(other.code, Some(1), "{other:?}");
    assert_eq!(codes(&other), [pair("KWA009", "error")]);
    // --no-config and --config.
    let none = lint(&deeper, &["--no-config", "."]);
    assert_eq!(codes(&none), [pair("KWA009", "error")]);
    std::fs::write(
        deeper.join("warn.toml"),
        "[rules]\nphone-number = \"warning\"\n",
    )
    .unwrap();
    let named = lint(&deeper, &["--config", "warn.toml", "."]);
    assert_eq!(
        (named.code, codes(&named)),
        (Some(0), vec![pair("KWA009", "warning")])
    );
}

#[test]
fn levels_change_severities_counts_and_the_exit_status() {
    let config =
        b"[rules]\nunknown-wa-source = \"error\"\nkwa009 = \"warning\"\nKWA005 = \"off\"\n";
    let unknown = VALID.replace(
        "\"type\":\"interactive\",",
        "\"type\":\"interactive\",\"x\":1,",
    );
    let dir = tree(&[
        (".git/HEAD", b""),
        ("kaleyra-wa-lint.toml", config),
        ("error.json", ERROR.as_bytes()),
        ("unknown.json", unknown.as_bytes()),
        ("warning.json", WARNING.as_bytes()),
    ]);
    let run = lint(dir.path(), &["."]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        codes(&run),
        [pair("KWA009", "warning"), pair("KWA101", "error")]
    );
    let summary = &report(&run)["summary"];
    assert_eq!(
        (summary["errors"].as_u64(), summary["warnings"].as_u64()),
        (Some(1), Some(1))
    );
    // The other formats follow too.
    let sarif = run_in(dir.path(), &["--format", "sarif", "error.json"], None);
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"][0]["level"], "warning");
    let human = run_in(dir.path(), &["warning.json"], None);
    assert!(
        human.stdout.starts_with("error[KWA101]"),
        "{}",
        human.stdout
    );
    assert_eq!(human.code, Some(1));
}

#[test]
fn rules_shows_the_effective_levels() {
    let dir = tree(&[
        (".git/HEAD", b""),
        (
            "kaleyra-wa-lint.toml",
            b"[rules]\nKWA009 = \"off\"\nunknown-wa-source = \"error\"\n",
        ),
    ]);
    let rules = run_in(dir.path(), &["rules"], None);
    assert_eq!(rules.code, Some(0), "{rules:?}");
    let line = |code: &str| {
        rules
            .stdout
            .lines()
            .find(|l| l.starts_with(code))
            .unwrap()
            .to_owned()
    };
    assert!(
        line("KWA009").starts_with("KWA009  off      phone-number"),
        "{}",
        rules.stdout
    );
    assert!(line("KWA009").ends_with("[kaleyra-wa-lint.toml; by default error]"));
    assert!(line("KWA101").starts_with("KWA101  error    unknown-wa-source"));
    assert!(line("KWA001").starts_with("KWA001  error    syntax"));
    assert!(!line("KWA001").contains("by default"));
    // (Options before a subcommand make it a path: `--no-config rules` lints `rules`.)
    let plain = run_in(dir.path(), &["rules", "--no-config"], None);
    assert!(
        plain.stdout.contains("KWA009  error    phone-number"),
        "{plain:?}"
    );
}

#[test]
fn flags_override_the_file() {
    let config = b"format = \"github\"\nmax-file-size = \"10B\"\ndeny-warnings = true\n";
    let dir = tree(&[
        (".git/HEAD", b""),
        ("kaleyra-wa-lint.toml", config),
        ("warning.json", WARNING.as_bytes()),
    ]);
    // From the file: the format, the limit (KWA012), warnings denied.
    let from_file = run_in(dir.path(), &["."], None);
    assert!(
        from_file.stdout.starts_with("::error file=warning.json"),
        "{from_file:?}"
    );
    assert!(from_file.stdout.contains("KWA012"));
    // The flags win.
    let flags = run_in(
        dir.path(),
        &["--format", "json", "--max-file-size", "1MiB", "."],
        None,
    );
    assert_eq!(codes(&flags), [pair("KWA101", "warning")]);
    assert_eq!(
        flags.code,
        Some(1),
        "deny-warnings from the file still applies"
    );
}

#[test]
fn include_and_exclude_globs_are_relative_to_the_file() {
    let dir = tree(&[
        (".git/HEAD", b""),
        (
            "kaleyra-wa-lint.toml",
            b"include = [\"payloads/**\"]\nexclude = [\"payloads/masked/**\", \"**/*.draft.json\"]\n",
        ),
        ("payloads/a.json", ERROR.as_bytes()),
        ("payloads/masked/b.json", ERROR.as_bytes()),
        ("payloads/c.draft.json", ERROR.as_bytes()),
        ("docs/d.json", ERROR.as_bytes()),
    ]);
    let files = |run: &Run| -> Vec<String> {
        report(run)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["file"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(files(&lint(dir.path(), &["."])), ["payloads/a.json"]);
    // From a subdirectory, paths as given there, globs still from the file's directory.
    let payloads = dir.path().join("payloads");
    assert_eq!(files(&lint(&payloads, &["."])), ["a.json"]);
    // Files named on the command line are filtered too.
    let named = lint(dir.path(), &["payloads/masked/b.json", "docs/d.json"]);
    assert_eq!((named.code, files(&named)), (Some(0), vec![]));
    assert_eq!(
        files(&lint(dir.path(), &["--no-config", "docs"])),
        ["docs/d.json"]
    );
}

#[test]
fn every_configuration_error_names_the_key_and_the_place() {
    let cases: &[(&str, &str)] = &[
        (
            "exclud = []\n",
            "kaleyra-wa-lint.toml:1:1: unknown key `exclud`; did you mean `exclude`?",
        ),
        (
            "\nzzz = 1\n",
            "kaleyra-wa-lint.toml:2:1: unknown key `zzz`; the keys are `format`, `include`",
        ),
        (
            "[rules]\nphone-numbr = \"off\"\n",
            "kaleyra-wa-lint.toml:2:1: `rules`: unknown rule `phone-numbr`; did you mean `phone-number`?",
        ),
        (
            "[rules]\nKWA999 = \"off\"\n",
            "kaleyra-wa-lint.toml:2:1: `rules`: unknown rule `KWA999`; did you mean `KWA009`?",
        ),
        (
            "[rules]\nKWA009 = \"warn\"\n",
            "kaleyra-wa-lint.toml:2:10: `rules.KWA009`: unknown level `warn`; did you mean `warning`?",
        ),
        (
            "[rules]\nKWA009 = \"never\"\n",
            "kaleyra-wa-lint.toml:2:10: `rules.KWA009`: unknown level `never`; one of `error`, `warning`, `off`",
        ),
        (
            "[rules]\nKWA009 = 0\n",
            "kaleyra-wa-lint.toml:2:10: `KWA009`: invalid type: integer `0`, expected a string",
        ),
        (
            "[rules]\nKWA011 = \"off\"\n",
            "kaleyra-wa-lint.toml:2:1: KWA011 (unreadable) cannot be configured",
        ),
        (
            "format = \"gitlab-ci\"\n",
            "kaleyra-wa-lint.toml:1:10: `format`: unknown format `gitlab-ci`; did you mean `gitlab`?",
        ),
        (
            "exclude = \"docs/**\"\n",
            "kaleyra-wa-lint.toml:1:11: `exclude`: invalid type: string \"docs/**\", expected a sequence",
        ),
        (
            "exclude = [\"docs/[a\"]\n",
            "kaleyra-wa-lint.toml:1:12: `exclude`: `docs/[a` is not a glob",
        ),
        (
            "max-file-size = \"ten\"\n",
            "kaleyra-wa-lint.toml:1:17: `max-file-size` must be a size",
        ),
        (
            "max-line-length = -1\n",
            "kaleyra-wa-lint.toml:1:19: `max-line-length` must be a size",
        ),
        (
            "deny-warnings = \"yes\"\n",
            "kaleyra-wa-lint.toml:1:17: `deny-warnings`: invalid type",
        ),
        ("[rules\n", "kaleyra-wa-lint.toml:1:"),
        (
            "format = \"json\"\nformat = \"sarif\"\n",
            "kaleyra-wa-lint.toml:2:1: ",
        ),
    ];
    for (text, expected) in cases {
        let dir = tree(&[
            (".git/HEAD", b""),
            ("kaleyra-wa-lint.toml", text.as_bytes()),
            ("a.json", VALID.as_bytes()),
        ]);
        for args in [
            &["."][..],
            &["rules"],
            &["rules", "--config", "kaleyra-wa-lint.toml"],
        ] {
            let run = run_in(dir.path(), args, None);
            assert_eq!(run.code, Some(2), "{text:?} {args:?}: {run:?}");
            assert!(run.stdout.is_empty(), "{text:?}: {run:?}");
            let first = run.stderr.lines().next().unwrap_or_default();
            assert!(
                first.starts_with(&format!("error: {expected}")),
                "{text:?}: {}",
                run.stderr
            );
        }
    }
    // `explain` reads no configuration.
    let dir = tree(&[(".git/HEAD", b""), ("kaleyra-wa-lint.toml", b"zzz = 1\n")]);
    let explain = run_in(dir.path(), &["explain", "KWA009"], None);
    assert_eq!(explain.code, Some(0), "{explain:?}");
    // A --config file that does not exist.
    let dir = tree(&[("a.json", VALID.as_bytes())]);
    let missing = run_in(dir.path(), &["--config", "nope.toml", "."], None);
    assert_eq!(missing.code, Some(2));
    assert!(
        missing
            .stderr
            .starts_with("error: nope.toml: cannot read the configuration file"),
        "{missing:?}"
    );
    let both = run_in(
        dir.path(),
        &["--config", "x.toml", "--no-config", "."],
        None,
    );
    assert_eq!(both.code, Some(2), "{both:?}");
}
