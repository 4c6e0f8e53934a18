//! `cargo xtask agreement-cases [--out FILE] [--bases N]`: request payloads with the Rust
//! verdict, for the Python and TypeScript packages' agreement tests.
//!
//! Writes JSON Lines, one `{"kind": …, "payload": …, "valid": bool}` per case, to
//! `target/agreement/cases.jsonl` by default. `valid` is `kaleyra_wa`'s verdict on the
//! serialized payload (`from_slice`, then no error in `check()`; warnings are not rejections).
//!
//! Deterministic (a fixed-seed LCG). The payloads are built from the request schema
//! (`kaleyra_wa::schema::request_schema`), not from a copy of its rules: `N` valid payloads
//! (default 300), each followed by single mutations of every kind the schema gives a reason
//! for ([`mutations`]): a required member removed, an optional one removed or `null`, an
//! unknown or forbidden member added, lengths at and past each limit with multi-byte and
//! astral characters, a constant changed, a wrong type, `to` numbers near the pattern, any
//! `wa_source`. The first payload gets every mutation at every place; the others a sample.

mod mutations;
mod schema_walk;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use kaleyra_wa::schema::{Draft, request_schema};
use serde_json::{Value, json};

use crate::tools;
use mutations::Mutation;
use schema_walk::Schema;

const USAGE: &str = "usage: cargo xtask agreement-cases [--out FILE] [--bases N]";

/// How many mutations of each valid payload after the first (which gets all of them).
const SAMPLED: usize = 12;

/// Writes the cases and reports how many of each kind, valid and invalid.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut out = default_out();
    let mut bases = 300usize;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| USAGE.to_owned());
        match flag.as_str() {
            "--out" => out = PathBuf::from(value()?),
            "--bases" => bases = value()?.parse().map_err(|_| USAGE.to_owned())?,
            _ => return Err(USAGE.to_owned()),
        }
    }
    let cases = cases(bases)?;
    if let Some(parent) = out.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let file = fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut writer = BufWriter::new(file);
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (kind, payload, valid) in &cases {
        let count = counts.entry(kind).or_default();
        if *valid {
            count.0 += 1;
        } else {
            count.1 += 1;
        }
        let line = json!({"kind": kind, "payload": payload, "valid": valid});
        writeln!(writer, "{line}").map_err(|e| format!("{}: {e}", out.display()))?;
    }
    writer
        .flush()
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let valid = cases.iter().filter(|(_, _, valid)| *valid).count();
    println!(
        "wrote {} cases ({valid} valid, {} invalid) to {}",
        cases.len(),
        cases.len() - valid,
        out.display()
    );
    for (kind, (valid, invalid)) in counts {
        println!("  {kind:<24} {valid:>5} valid {invalid:>5} invalid");
    }
    Ok(())
}

/// `(kind, payload, Rust verdict)` for `bases` valid payloads and their mutations.
pub fn cases(bases: usize) -> Result<Vec<(&'static str, Value, bool)>, String> {
    let root = request_schema(Draft::Draft2020_12);
    let schema = Schema::new(&root)?;
    let mut rng = Lcg(0x6167_7265_656d_656e);
    let mut cases = Vec::new();
    for base in 0..bases {
        // The first payload has every optional member, so every mutation has a place.
        let payload = schema.generate(&mut rng, base == 0)?;
        let valid = verdict(&payload);
        if !valid {
            return Err(format!(
                "a payload generated from the schema is rejected by kaleyra-wa: {payload}"
            ));
        }
        cases.push(("valid", payload.clone(), valid));
        let all = mutations::all(&schema, &payload, &mut rng)?;
        let picked: Vec<&Mutation> = if base == 0 {
            all.iter().collect()
        } else {
            // A kind first, then a place: each kind as often, however many places it has.
            let mut kinds: Vec<mutations::Kind> = Vec::new();
            for mutation in &all {
                if !kinds.contains(&mutation.kind) {
                    kinds.push(mutation.kind);
                }
            }
            (0..SAMPLED)
                .filter_map(|_| {
                    let kind = *rng.pick(&kinds);
                    let of_kind: Vec<&Mutation> = all.iter().filter(|m| m.kind == kind).collect();
                    of_kind.get(rng.below(of_kind.len())).copied()
                })
                .collect()
        };
        for mutation in picked {
            let mutated = mutation.apply(&payload);
            let valid = verdict(&mutated);
            cases.push((mutation.kind.name(), mutated, valid));
        }
    }
    cases.extend(
        [json!([]), json!("payload"), json!(null), json!(1)]
            .into_iter()
            .map(|payload| ("root-type", payload, false)),
    );
    Ok(cases)
}

/// The Rust verdict on `payload`, serialized as a client would send it.
fn verdict(payload: &Value) -> bool {
    let bytes = payload.to_string();
    kaleyra_wa::from_slice(bytes.as_bytes()).is_ok_and(|request| request.validate().is_valid())
}

fn default_out() -> PathBuf {
    tools::root()
        .join("target")
        .join("agreement")
        .join("cases.jsonl")
}

/// A tiny deterministic generator (Knuth's MMIX LCG), as in `bench_corpus`.
pub struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_deterministic_and_mixed() {
        let first = cases(3).unwrap();
        assert_eq!(first, cases(3).unwrap());
        let valid = first.iter().filter(|(_, _, valid)| *valid).count();
        assert!(
            valid >= 3 && valid < first.len(),
            "{valid} of {}",
            first.len()
        );
    }

    #[test]
    fn every_constraint_kind_gives_an_invalid_case() {
        let cases = cases(1).unwrap();
        for kind in mutations::Kind::ALL {
            let invalid = cases
                .iter()
                .any(|(name, _, valid)| *name == kind.name() && !valid);
            assert!(
                invalid || !kind.can_reject(),
                "no invalid case of {}",
                kind.name()
            );
        }
    }
}
