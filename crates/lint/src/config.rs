//! The configuration file, `kaleyra-wa-lint.toml`: per-rule levels, include and exclude
//! globs, the input limits, the default format.
//!
//! It is held to the linter's own standard: an unknown key or value is an error naming the
//! key and its place in the file (`line:column`), with a did-you-mean when a known one is
//! close.
//!
//! ```
//! use kaleyra_wa::Rule;
//! use kaleyra_wa_linter::{Level, config::Config};
//!
//! let config = Config::parse(
//!     "kaleyra-wa-lint.toml".as_ref(),
//!     "exclude = [\"docs/masked/**\"]\n[rules]\nKWA009 = \"off\"\nunknown-wa-source = \"error\"\n",
//! )?;
//! assert_eq!(config.levels.get(Rule::Phone), Level::Off);
//! assert_eq!(config.levels.get(Rule::UnknownWaSource), Level::Error);
//! assert!(config.excludes("docs/masked/a.json".as_ref()));
//!
//! let error = Config::parse("kaleyra-wa-lint.toml".as_ref(), "exclud = []\n").unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "kaleyra-wa-lint.toml:1:1: unknown key `exclud`; did you mean `exclude`?"
//! );
//! # Ok::<(), kaleyra_wa_linter::config::ConfigError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use bytesize::ByteSize;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use kaleyra_wa::Rule;
use serde::Deserialize;
use toml::Spanned;

use crate::levels::{Level, Levels};
use crate::render::Format;

/// The configuration file's name.
pub const FILE_NAME: &str = "kaleyra-wa-lint.toml";

/// The top-level keys, as the file spells them.
const KEYS: &[&str] = &[
    "format",
    "include",
    "exclude",
    "max-file-size",
    "max-line-length",
    "deny-warnings",
    "rules",
];

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    format: Option<Spanned<String>>,
    include: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    max_file_size: Option<Spanned<toml::Value>>,
    max_line_length: Option<Spanned<toml::Value>>,
    deny_warnings: Option<bool>,
    rules: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// A configuration, read from a file.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// Each rule's level (`[rules]`).
    pub levels: Levels,
    /// The default output format (`format`); `--format` overrides it.
    pub format: Option<Format>,
    /// `max-file-size`, in bytes; `--max-file-size` overrides it.
    pub max_file_size: Option<u64>,
    /// `max-line-length`, in bytes; `--max-line-length` overrides it.
    pub max_line_length: Option<u64>,
    /// `deny-warnings`; `--deny-warnings` turns it on too.
    pub deny_warnings: bool,
    include: Option<GlobSet>,
    exclude: GlobSet,
    /// The current directory when the file was read, and the file's directory (absolute,
    /// lexically normalized), which the globs are relative to.
    cwd: PathBuf,
    root: PathBuf,
}

/// What is wrong with a configuration file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and column (in code points) of the place, when there is one.
    pub place: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    /// `path:line:column: message`, with the file's text quoted in the message shown
    /// safely: control and other invisible characters as `\u{1b}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", visible(&self.path.display().to_string()))?;
        if let Some((line, column)) = self.place {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", visible(&self.message))
    }
}

/// `text` with the characters Rust's `Debug` escapes (controls, invisible ones) escaped, and
/// only those: quotes and backslashes stay as they are.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\'' | '\\' => c.to_string(),
            c => c.escape_debug().to_string(),
        })
        .collect()
}

impl std::error::Error for ConfigError {}

/// The configuration file for a run started in `start`: the first `kaleyra-wa-lint.toml` in
/// `start` or a directory above it, looking no higher than the repository's root (the first
/// directory holding `.git`).
pub fn find(start: &Path) -> Option<PathBuf> {
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

impl Config {
    /// Reads and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            path: path.to_owned(),
            place: None,
            message: format!("cannot read the configuration file: {error}"),
        })?;
        Config::parse(path, &text)
    }

    /// Checks the configuration `text`, read from `path` (the globs are relative to its
    /// directory).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let error = |span: Option<Range<usize>>, message: String| ConfigError {
            path: path.to_owned(),
            place: span.map(|span| place(text, span.start)),
            message,
        };
        let raw: Raw = toml::from_str(text).map_err(|e| error(e.span(), explain(text, &e)))?;
        let mut config = Config {
            path: path.to_owned(),
            levels: Levels::default(),
            format: None,
            max_file_size: None,
            max_line_length: None,
            deny_warnings: raw.deny_warnings.unwrap_or(false),
            include: None,
            exclude: GlobSet::empty(),
            cwd: PathBuf::new(),
            root: PathBuf::new(),
        };
        if let Ok(cwd) = std::env::current_dir() {
            config.root = normalize(&cwd.join(path.parent().unwrap_or(Path::new(""))));
            config.cwd = cwd;
        }
        if let Some(format) = raw.format {
            let found = Format::from_name(format.get_ref());
            config.format = Some(found.ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                error(
                    Some(format.span()),
                    unknown("format", "format", format.get_ref(), &names),
                )
            })?);
        }
        for (key, value, slot) in [
            (
                "max-file-size",
                raw.max_file_size,
                &mut config.max_file_size,
            ),
            (
                "max-line-length",
                raw.max_line_length,
                &mut config.max_line_length,
            ),
        ] {
            if let Some(value) = value {
                let span = value.span();
                *slot = Some(size(value.into_inner()).ok_or_else(|| {
                    error(
                        Some(span),
                        format!(
                            "`{key}` must be a size such as \"10MiB\", \"512KiB\" or a number of bytes"
                        ),
                    )
                })?);
            }
        }
        if let Some(globs) = raw.include {
            config.include = Some(glob_set("include", &globs).map_err(|(s, m)| error(s, m))?);
        }
        if let Some(globs) = raw.exclude {
            config.exclude = glob_set("exclude", &globs).map_err(|(s, m)| error(s, m))?;
        }
        for (key, value) in raw.rules.unwrap_or_default() {
            let rule = Rule::from_code(key.get_ref()).ok_or_else(|| {
                let names: Vec<_> = Rule::ALL
                    .iter()
                    .flat_map(|rule| [rule.code(), rule.name()])
                    .collect();
                error(Some(key.span()), unknown_rule(key.get_ref(), &names))
            })?;
            let level = Level::from_name(value.get_ref()).ok_or_else(|| {
                let names: Vec<_> = Level::ALL.iter().map(|l| l.as_str()).collect();
                error(
                    Some(value.span()),
                    unknown(
                        &format!("rules.{}", key.get_ref()),
                        "level",
                        value.get_ref(),
                        &names,
                    ),
                )
            })?;
            config
                .levels
                .set(rule, level)
                .map_err(|fixed| error(Some(key.span()), fixed.to_string()))?;
        }
        Ok(config)
    }

    /// Whether `file` (as found or given: relative to the current directory, or absolute)
    /// is left out: it matches an `exclude` glob, or `include` is set and it matches none.
    /// The globs are relative to the configuration file's directory; a file outside that
    /// directory is never left out.
    pub fn excludes(&self, file: &Path) -> bool {
        let Some(relative) = self.relative(file) else {
            return false;
        };
        self.exclude.is_match(&relative)
            || self
                .include
                .as_ref()
                .is_some_and(|include| !include.is_match(&relative))
    }

    /// `file` relative to the configuration file's directory, `None` when outside it.
    fn relative(&self, file: &Path) -> Option<PathBuf> {
        let file = normalize(&self.cwd.join(file));
        file.strip_prefix(&self.root).ok().map(Path::to_owned)
    }
}

/// `path` without `.` and with `..` applied (lexically: links are not followed).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A size: a number of bytes, or a text such as `"10MiB"`.
fn size(value: toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(bytes) => u64::try_from(bytes).ok(),
        toml::Value::String(text) => text.trim().parse::<ByteSize>().ok().map(|s| s.as_u64()),
        _ => None,
    }
}

/// The globs of `key`; `*` stays inside a directory, `**` crosses them.
fn glob_set(
    key: &str,
    globs: &[Spanned<String>],
) -> Result<GlobSet, (Option<Range<usize>>, String)> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        let built = GlobBuilder::new(glob.get_ref())
            .literal_separator(true)
            .build()
            .map_err(|e| {
                (
                    Some(glob.span()),
                    format!("`{key}`: `{}` is not a glob: {}", glob.get_ref(), e.kind()),
                )
            })?;
        set.add(built);
    }
    set.build().map_err(|e| (None, format!("`{key}`: {e}")))
}

/// 1-based line and column (in code points) of byte `at` of `text`.
fn place(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// The message for a TOML or shape error: serde's unknown field with a did-you-mean, else
/// the parser's message naming the key of the line.
fn explain(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, _)) = rest.split_once('`')
    {
        return match suggest(key, KEYS) {
            Some(best) => format!("unknown key `{key}`; did you mean `{best}`?"),
            None => format!("unknown key `{key}`; the keys are {}", list(KEYS)),
        };
    }
    let key = error.span().and_then(|span| {
        let line_start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
        let line = text.get(line_start..)?.lines().next()?;
        let (key, _) = line.split_once('=')?;
        Some(key.trim().to_owned())
    });
    match key {
        Some(key) if !key.is_empty() => format!("`{key}`: {message}"),
        _ => message.to_owned(),
    }
}

/// The best of `names` for `given`, when it is close.
fn suggest<'a>(given: &str, names: &[&'a str]) -> Option<&'a str> {
    let (best, score) = names
        .iter()
        .map(|name| {
            (
                *name,
                strsim::jaro_winkler(&given.to_ascii_lowercase(), &name.to_ascii_lowercase()),
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (score >= 0.8).then_some(best)
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `` `key`: unknown format `xml`; did you mean ...? ``
fn unknown(key: &str, what: &str, given: &str, names: &[&str]) -> String {
    match suggest(given, names) {
        Some(best) => format!("`{key}`: unknown {what} `{given}`; did you mean `{best}`?"),
        None => format!("`{key}`: unknown {what} `{given}`; one of {}", list(names)),
    }
}

fn unknown_rule(given: &str, names: &[&str]) -> String {
    match suggest(given, names) {
        Some(best) => format!("`rules`: unknown rule `{given}`; did you mean `{best}`?"),
        None => format!(
            "`rules`: unknown rule `{given}`; `kaleyra-wa-lint rules` lists the codes and names"
        ),
    }
}
