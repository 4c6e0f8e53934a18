//! Inputs: paths expanded into files (directories walked), standard input.

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::distinct::Identity;

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
pub fn discover(paths: &[PathBuf], stdin_name: Option<&str>) -> Vec<Input> {
    // Each path costs a `stat` (is it a directory?): on a long list of files (from `xargs`)
    // that is one system call per file, so the paths are looked at on every core. `collect`
    // keeps their order.
    // The one `stat` of a named path also gives its size and its identity (for
    // `distinct`), so a named file costs no other.
    let found: Vec<(Input, Option<Identity>)> = paths
        .par_iter()
        .flat_map_iter(|path| {
            let mut found = Vec::with_capacity(1);
            if path.as_os_str() == "-" {
                let name = stdin_name.unwrap_or("<stdin>").to_owned();
                let format = InputFormat::from_name(&name);
                found.push((Input::Stdin { name, format }, Some(Identity::Stdin)));
                return found;
            }
            let metadata = std::fs::metadata(path).ok();
            if metadata.as_ref().is_some_and(|m| m.is_dir()) {
                let mut inputs = Vec::new();
                walk(path, &mut inputs);
                found.extend(inputs.into_iter().map(|input| (input, None)));
            } else {
                let name = display(path);
                let format = InputFormat::from_name(&name);
                let identity = metadata.as_ref().and_then(Identity::of);
                let input = Input::File {
                    path: path.clone(),
                    name,
                    format,
                    size: metadata.filter(|m| m.is_file()).map(|m| m.len()),
                };
                found.push((input, identity));
            }
            found
        })
        .collect();
    // Only several paths can reach a file twice (one path, the usual case, names no file
    // twice but through links, which are kept as the walk finds them).
    if paths.len() > 1 {
        crate::distinct::first_of_each(found)
    } else {
        found.into_iter().map(|(input, _)| input).collect()
    }
}

fn walk(root: &Path, inputs: &mut Vec<Input>) {
    // Each input with the path it was found at, for the order.
    let mut found: Vec<(PathBuf, Input)> = Vec::new();
    for entry in ignore::WalkBuilder::new(root).follow_links(true).build() {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
                if is_file
                    && [".json", ".jsonl", ".ndjson"]
                        .iter()
                        .any(|ext| name.ends_with(ext))
                {
                    let name = display(entry.path());
                    let path = entry.into_path();
                    let input = Input::File {
                        path: path.clone(),
                        format: InputFormat::from_name(&name),
                        name,
                        size: None,
                    };
                    found.push((path, input));
                }
            }
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| root.to_owned());
                let input = Input::Unreadable {
                    name: display(&path),
                    reason: error_reason(&error),
                };
                found.push((path, input));
            }
        }
    }
    // In path order, whatever order the directories list their entries in: by each path's
    // components, compared as bytes once a key is made per path (not parsed again for every
    // pair, as sorting the walk by name would).
    found.sort_by_cached_key(|(path, _)| component_key(path));
    inputs.extend(found.into_iter().map(|(_, input)| input));
}

/// A key that orders paths as their components do: the path's bytes with each separator as
/// `0`, a byte no file name holds (so `a/b` comes before `a-c`, as `a` before `a-c`).
fn component_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len());
    for (i, component) in path.components().enumerate() {
        if i > 0 {
            key.push(0);
        }
        key.extend_from_slice(component.as_os_str().as_encoded_bytes());
    }
    key
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
