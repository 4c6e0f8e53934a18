//! Differential property test: the `jsonschema` crate with the exported request schemas
//! (2020-12 and draft-07, as checked in) and the Rust validator give the same verdict on
//! generated valid payloads and on generated single mutations, and reject at the same place.
//!
//! The generators are `crate::r#gen`'s. Duplicate keys are not generated: a `Value` cannot
//! hold them (see the fixture corpus for that documented difference).

use proptest::prelude::*;
use serde_json::Value;

use crate::r#gen;
use crate::schema::{REQUEST_VALIDATORS, rust_rejection, same_place, schema_error_paths};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The payload as the bytes a client sends.
fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn valid_payloads_are_accepted_by_rust_and_both_schemas(value in r#gen::valid()) {
        prop_assert_eq!(rust_rejection(&bytes(&value)), None);
        for (schema, validator) in REQUEST_VALIDATORS.iter() {
            let paths = schema_error_paths(validator, &value);
            prop_assert!(paths.is_empty(), "{} rejects at {:?}", schema, paths);
        }
    }

    #[test]
    fn single_mutations_are_rejected_by_rust_and_both_schemas_at_one_place(
        (value, mutation) in r#gen::mutated()
    ) {
        let rejection = rust_rejection(&bytes(&value));
        prop_assert!(rejection.is_some(), "Rust accepts {}", mutation.what);
        let (pointer, rule) = rejection.unwrap();
        for (schema, validator) in REQUEST_VALIDATORS.iter() {
            let paths = schema_error_paths(validator, &value);
            prop_assert!(!paths.is_empty(), "{} accepts {}", schema, mutation.what);
            prop_assert!(
                paths.iter().any(|p| same_place(&pointer, rule, p)),
                "{}: Rust rejects at {:?} ({}), {} at {:?}", mutation.what, pointer, rule, schema, paths
            );
        }
    }
}
