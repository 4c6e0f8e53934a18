//! Parsing + validating one valid request costs at most 1.2x a bare
//! `serde_json::from_slice` into the same types, and is at least 2x faster than the
//! `jsonschema` crate path (parse to `Value`, `is_valid` with the exported schema).
//!
//! `cargo bench --bench library`: criterion's report, then the ratios (criterion's means, and
//! an interleaved measurement of each pair).

use criterion::Criterion;
use kaleyra_wa::SendRequest;
use kaleyra_wa::schema::{Draft, request_schema};
use serde_json::Value;

mod common;

/// The documented sample (`examples/documented-sample.json`) with a real number in `to`.
fn documented() -> Vec<u8> {
    include_str!("../examples/documented-sample.json")
        .replace("91XXXXXXXXXX", "919876543210")
        .into_bytes()
}

/// A valid request of 4 KB (from `cargo xtask bench-corpus`): one recipient, long texts in
/// English and Hindi.
const REQUEST_4K: &[u8] = include_bytes!("data/request-4k.json");

/// A valid request of 4 KB with 94 recipients in `to` (the corpus's 5% of long lists): the
/// worst case for validation, which reads every byte of `to`.
const REQUEST_4K_MANY: &[u8] = include_bytes!("data/request-4k-many-recipients.json");

const SIZES: [&str; 3] = ["documented", "4k", "4k_many_to"];

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let validator = jsonschema::validator_for(&request_schema(Draft::Draft2020_12))
        .expect("the request schema compiles");
    let documented = documented();
    let mut ratios = Vec::new();
    let inputs = [&documented[..], REQUEST_4K, REQUEST_4K_MANY];
    for (size, bytes) in SIZES.into_iter().zip(inputs) {
        assert!(kaleyra_wa::from_slice(bytes).unwrap().validate().is_clean());
        assert!(validator.is_valid(&serde_json::from_slice(bytes).unwrap()));
        // The practical floor: serde_json into the same owned types, no validation.
        let mut bare = || serde_json::from_slice::<SendRequest>(bytes).unwrap();
        // The library's fast path.
        let mut ours = || {
            let request = kaleyra_wa::from_slice(bytes).unwrap();
            request.validate().is_valid()
        };
        // The generic path: a `Value`, then the exported schema.
        let mut schema = || {
            let value: Value = serde_json::from_slice(bytes).unwrap();
            validator.is_valid(&value)
        };
        let mut group = common::group(&mut c, size, bytes.len());
        group.bench("serde_typed", &mut bare);
        group.bench("from_slice_validate", &mut ours);
        group.bench("jsonschema", &mut schema);
        group.finish();
        if common::measuring() {
            ratios.push(common::interleaved(
                &format!("{size}: from_slice_validate / serde_typed"),
                &mut ours,
                &mut bare,
                "<= 1.2",
            ));
            ratios.push(common::interleaved(
                &format!("{size}: jsonschema / from_slice_validate"),
                &mut schema,
                &mut ours,
                ">= 2",
            ));
        }
    }
    c.final_summary();
    for size in SIZES {
        common::ratio(
            &format!("{size}/from_slice_validate"),
            &format!("{size}/serde_typed"),
            "<= 1.2",
        );
        common::ratio(
            &format!("{size}/jsonschema"),
            &format!("{size}/from_slice_validate"),
            ">= 2",
        );
    }
    for line in ratios {
        println!("{line}");
    }
}
