//! Inputs: paths expanded into files (directories walked), standard input.

use std::io;
use std::path::{Path, PathBuf};

use crate::distinct::{Distinct, Identity};

/// How a file holds requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One request per file.
    Json,
    /// One request per line (`.jsonl`, `.ndjson`).
    JsonLines,
}

impl InputFormat {
    /// The format a file name implies: JSON Lines for `.jsonl` and `.ndjson`, else JSON.
    pub fn from_name(name: &str) -> InputFormat {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            InputFormat::JsonLines
        } else {
            InputFormat::Json
        }
    }
}

/// Something to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A file.
    File {
        /// Where to read it.
        path: PathBuf,
        /// The name findings carry.
        name: String,
        /// How it holds requests.
        format: InputFormat,
        /// Its size when it was found, if known: a JSON file is then read in that many bytes
        /// without a last `read` to see the end (on many small files, every system call
        /// counts). Bytes added after discovery are not read; `None` reads to the end.
        size: Option<u64>,
    },
    /// Standard input.
    Stdin {
        /// The name findings carry (`--stdin-filename`, else `<stdin>`).
        name: String,
        /// How it holds requests.
        format: InputFormat,
    },
    /// A path that could not be read or walked; reported as a [`Rule::Unreadable`](kaleyra_wa::Rule::Unreadable) finding.
    Unreadable {
        /// The path as given or found.
        name: String,
        /// Why.
        reason: String,
    },
}

/// Expands paths into inputs: a directory is walked recursively (honouring `.gitignore`,
/// skipping hidden entries, following symbolic links) for `*.json`, `*.jsonl` and `*.ndjson`,
/// sorted by path; `-` is standard input; any other path is a file, whatever its extension.
/// Paths that cannot be walked (a dangling link, a link loop, a directory that cannot be
/// listed) become [`Input::Unreadable`]. A file that more than one of several paths reach
/// (named twice, named and inside a named directory, or through a link; `-` twice) is one
/// input, where it is first reached.
///
/// The inputs come as the walk finds them, in order: a run ([`run`](crate::run)) lints the
/// first ones while the walk goes on, and memory does not grow with the tree.
pub fn discover<'a>(
    paths: &'a [PathBuf],
    stdin_name: Option<&'a str>,
) -> impl Iterator<Item = Input> + 'a {
    // Only several paths can reach a file twice (one path, the usual case, names no file
    // twice but through links, which are kept as the walk finds them).
    let mut distinct = (paths.len() > 1).then(Distinct::default);
    paths
        .iter()
        .flat_map(move |path| reached(path, stdin_name))
        .filter_map(move |(input, known)| match &mut distinct {
            Some(distinct) => distinct.first(&input, known).then_some(input),
            None => Some(input),
        })
}

/// The inputs one path reaches, each with its identity when the path's `stat` gave it.
fn reached<'a>(
    path: &'a Path,
    stdin_name: Option<&'a str>,
) -> Box<dyn Iterator<Item = (Input, Option<Identity>)> + 'a> {
    if path.as_os_str() == "-" {
        let name = stdin_name.unwrap_or("<stdin>").to_owned();
        let format = InputFormat::from_name(&name);
        return Box::new(std::iter::once((
            Input::Stdin { name, format },
            Some(Identity::Stdin),
        )));
    }
    // The one `stat` of a named path also gives its size and its identity (for `Distinct`),
    // so a named file costs no other.
    let metadata = std::fs::metadata(path).ok();
    if metadata.as_ref().is_some_and(|m| m.is_dir()) {
        return Box::new(walk(path).map(|input| (input, None)));
    }
    let name = display(path);
    let format = InputFormat::from_name(&name);
    let identity = metadata.as_ref().and_then(Identity::of);
    let input = Input::File {
        path: path.to_owned(),
        name,
        format,
        size: metadata.filter(|m| m.is_file()).map(|m| m.len()),
    };
    Box::new(std::iter::once((input, identity)))
}

/// The payload files under `root`, in path order (each directory's entries by name, as
/// bytes: `a/b` comes before `a-c`, as `a` before `a-c`), and what could not be walked.
fn walk(root: &Path) -> impl Iterator<Item = Input> + '_ {
    ignore::WalkBuilder::new(root)
        .follow_links(true)
        // Entries of one directory share its path up to their names: their paths compare as
        // their names do, as bytes, without parsing paths into components on every
        // comparison (which `sort_by_file_name` does, costing as much as the walk).
        .sort_by_file_path(|a, b| {
            a.as_os_str()
                .as_encoded_bytes()
                .cmp(b.as_os_str().as_encoded_bytes())
        })
        .build()
        .filter_map(move |entry| match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
                let payload = [".json", ".jsonl", ".ndjson"]
                    .iter()
                    .any(|ext| name.ends_with(ext));
                (is_file && payload).then(|| {
                    let name = display(entry.path());
                    Input::File {
                        format: InputFormat::from_name(&name),
                        name,
                        path: entry.into_path(),
                        size: None,
                    }
                })
            }
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| root.to_owned());
                Some(Input::Unreadable {
                    name: display(&path),
                    reason: error_reason(&error),
                })
            }
        })
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Why a walk failed, without the path (findings carry it already).
fn error_reason(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_reason(err),
        ignore::Error::Loop { ancestor, .. } => format!(
            "a symbolic link loop: it leads back to {}",
            display(ancestor)
        ),
        ignore::Error::Io(error) if error.kind() == io::ErrorKind::NotFound => {
            "a symbolic link to nothing (its target does not exist)".to_owned()
        }
        ignore::Error::Io(error) => error.to_string(),
        other => other.to_string(),
    }
}

/// A path as findings name it: `/`-separated, without a leading `./`.
fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    match text.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => text,
    }
}
