//! Properties of the core crate over generated payloads (`crate::r#gen`): valid payloads
//! parse, validate and round-trip; single mutations are rejected at the right place for the
//! right reason.

use kaleyra_wa::{Rule, SendRequest};
use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::r#gen::{Mutation, mutated, valid};

/// Modest case counts: the suite runs in seconds in a debug build. `PROPTEST_CASES` raises
/// them for a longer hunt.
pub(crate) fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Where and why bytes are rejected: the parse error, or the report's errors.
fn rejections(bytes: &[u8]) -> Result<Vec<(String, Rule)>, String> {
    match kaleyra_wa::from_slice(bytes) {
        Err(e) => Ok(vec![(e.pointer().to_owned(), e.rule())]),
        Ok(request) => {
            let report = request.validate();
            let errors: Vec<_> = report
                .errors()
                .map(|v| (v.pointer.clone(), v.rule))
                .collect();
            if errors.is_empty() {
                Err(format!("accepted; report: {report}"))
            } else {
                Ok(errors)
            }
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_payloads_parse_validate_and_round_trip(value in valid()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        let request = kaleyra_wa::from_slice(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let report = request.validate();
        prop_assert!(report.is_valid(), "{report}");
        // Warnings only for what the server rewrites.
        for warning in report.warnings() {
            prop_assert!(matches!(warning.rule, Rule::RefTruncated | Rule::UnknownWaSource));
        }

        // Typed → JSON gives back the input, member for member.
        let serialized = serde_json::to_value(&request).unwrap();
        prop_assert_eq!(&serialized, &value);
        // And JSON text → typed gives the same typed value.
        let text = serde_json::to_string(&request).unwrap();
        let reparsed: SendRequest = kaleyra_wa::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&reparsed, &request);
        let pretty = serde_json::to_string_pretty(&request).unwrap();
        prop_assert_eq!(&kaleyra_wa::from_str(&pretty).unwrap(), &request);
    }

    #[test]
    fn single_mutations_are_rejected_at_the_right_pointer(case in mutated()) {
        let (value, Mutation { pointer, rule, what }) = case;
        let bytes = serde_json::to_vec(&value).unwrap();
        let found = rejections(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
        // One thing is wrong, so every error is that one.
        for (found_pointer, found_rule) in &found {
            prop_assert_eq!(
                (found_pointer.as_str(), *found_rule),
                (pointer.as_str(), rule),
                "{}; all errors: {:?}", what, found
            );
        }
    }
}
