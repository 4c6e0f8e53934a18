//! One input per file, however many times the paths given reach it (a file named twice, a
//! directory and a file inside it, `-` twice): the first occurrence is kept, in its place.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::engine::Input;

/// What makes two inputs the same.
#[derive(Debug, Hash, PartialEq, Eq)]
pub(crate) enum Identity {
    Stdin,
    /// The file system's identity of a file (device and inode on Unix; the canonical path
    /// elsewhere), so that other spellings of a path, links included, are the same file.
    #[cfg(unix)]
    File(u64, u64),
    #[cfg(not(unix))]
    File(PathBuf),
    /// A path that cannot be looked at (missing, unreadable): the same as given.
    Path(PathBuf),
}

impl Identity {
    /// A file's identity from its metadata (`None` where that needs its path).
    pub(crate) fn of(metadata: &std::fs::Metadata) -> Option<Identity> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Identity::File(metadata.dev(), metadata.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            None
        }
    }
}

/// The inputs seen so far, to keep the first of each.
#[derive(Debug, Default)]
pub(crate) struct Distinct {
    seen: HashSet<Identity>,
}

impl Distinct {
    /// Whether `input` is the first of its file; its identity is `known` when the `stat` of
    /// a named path gave it (else it is looked up).
    pub(crate) fn first(&mut self, input: &Input, known: Option<Identity>) -> bool {
        self.seen.insert(known.unwrap_or_else(|| identity(input)))
    }
}

fn identity(input: &Input) -> Identity {
    match input {
        Input::Stdin { .. } => Identity::Stdin,
        Input::File { path, .. } => {
            file_identity(path).unwrap_or_else(|| Identity::Path(path.clone()))
        }
        Input::Unreadable { name, .. } => Identity::Path(PathBuf::from(name)),
    }
}

#[cfg(unix)]
fn file_identity(path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).ok()?;
    Some(Identity::File(metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn file_identity(path: &Path) -> Option<Identity> {
    std::fs::canonicalize(path).ok().map(Identity::File)
}
