//! Fingerprints: a finding's identity that survives edits elsewhere in its file, for GitLab
//! Code Quality reports and baselines.
//!
//! The recipe (stable across runs, machines and Rust versions: SHA-256, no `std` hasher):
//!
//! 1. `value` = the first 8 bytes of SHA-256 of the offending text (the bytes of the
//!    finding's place in the file: a value, a key, a brace; empty for a finding about a whole
//!    input), as 16 lowercase hex digits ([`value_hash`], computed when the finding is placed).
//! 2. `occurrence` = how many findings of this run before this one had the same file, code,
//!    pointer and value (0 for the first), so that two equal findings (the same bad value in
//!    two records of a JSON Lines file) differ, and each keeps its fingerprint when the other
//!    moves.
//! 3. fingerprint = lowercase hex SHA-256 of
//!    `kaleyra-wa-lint/1 NUL file NUL code NUL pointer NUL value NUL occurrence`, with `file`
//!    as the reports name it (relative to the current directory, `/`-separated).
//!
//! Lines, columns and the JSON Lines record number are not part of it: moving content, or
//! editing other members, keeps a fingerprint; changing the offending value, the file's name
//! or the member's place in the request (its pointer) makes a new one. (A pointer is at most
//! [`MAX_POINTER`](crate::MAX_POINTER) bytes: under a longer one, findings carry its nearest
//! ancestor, so that renaming such a member keeps their fingerprints, and two equal findings
//! under two such members of one object differ only by their occurrence.)

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::engine::Finding;

/// The hash of a finding's offending text: the first 8 bytes of its SHA-256.
pub fn value_hash(text: &[u8]) -> u64 {
    let digest = Sha256::digest(text);
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// Gives each finding of a run its fingerprint, counting equal findings (see the module's
/// recipe). Keeps one entry per distinct finding.
#[derive(Debug, Default)]
pub struct Fingerprints {
    seen: HashMap<(String, &'static str, String, u64), usize>,
}

impl Fingerprints {
    /// An empty count, for one run.
    pub fn new() -> Self {
        Fingerprints::default()
    }

    /// The fingerprint of `finding`, the next finding of the run, named `file` (as reports
    /// name it).
    pub fn next(&mut self, file: &str, finding: &Finding) -> String {
        let key = (
            file.to_owned(),
            finding.rule.code(),
            finding.pointer.clone(),
            finding.value_hash,
        );
        let seen = self.seen.entry(key).or_default();
        let occurrence = *seen;
        *seen += 1;
        fingerprint(
            file,
            finding.rule.code(),
            &finding.pointer,
            finding.value_hash,
            occurrence,
        )
    }
}

/// Step 3 of the recipe.
fn fingerprint(file: &str, code: &str, pointer: &str, value: u64, occurrence: usize) -> String {
    let mut hasher = Sha256::new();
    for part in [
        "kaleyra-wa-lint/1",
        file,
        code,
        pointer,
        &format!("{value:016x}"),
        &occurrence.to_string(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recipe_is_pinned() {
        // Known SHA-256 values: a change of recipe or of hash shows here.
        assert_eq!(value_hash(b""), 0xe3b0_c442_98fc_1c14);
        assert_eq!(
            value_hash(b"\"0919876543210\""),
            value_hash(b"\"0919876543210\"")
        );
        assert_ne!(
            value_hash(b"\"0919876543210\""),
            value_hash(b"\"0919876543211\"")
        );
        let first = fingerprint("a.json", "KWA009", "/messaging_object/to", 1, 0);
        assert_eq!(first.len(), 64);
        assert_eq!(
            first,
            fingerprint("a.json", "KWA009", "/messaging_object/to", 1, 0)
        );
        for other in [
            fingerprint("b.json", "KWA009", "/messaging_object/to", 1, 0),
            fingerprint("a.json", "KWA008", "/messaging_object/to", 1, 0),
            fingerprint("a.json", "KWA009", "/messaging_object", 1, 0),
            fingerprint("a.json", "KWA009", "/messaging_object/to", 2, 0),
            fingerprint("a.json", "KWA009", "/messaging_object/to", 1, 1),
            // The separators keep the parts apart.
            fingerprint("a.jsonK", "WA009", "/messaging_object/to", 1, 0),
        ] {
            assert_ne!(first, other);
        }
    }
}
