//! proptest strategies for request payloads, shared by the property and differential tests.
//!
//! - [`valid`]: payloads the API accepts (`from_slice` succeeds and the report has no error),
//!   as `serde_json::Value`. Optional members present or absent, texts of multi-byte
//!   characters and emoji up to their limits, refs up to and beyond 255 code points (beyond
//!   is valid with a warning), documented and undocumented `wa_source`, one or more recipients
//!   with or without `+`, `context.message_id`.
//! - [`mutated`]: a valid payload with exactly one thing wrong, and the [`Mutation`] saying
//!   where (JSON pointer) and why ([`Rule`]) it must be rejected.
//!
//! The members, their types, presence and constraints come from the generated request schema
//! (`crate::schema_model`), not from a copy: a member or a rule added to the types is
//! generated and mutated here without an edit. What the schema cannot say is test data:
//! the kinds of bad recipients, unknown names, wrong values for constants.
//!
//! Lengths are in Unicode code points, like the crate's limits.

mod mutate;
mod strings;

use proptest::prelude::*;
use serde_json::Value;

pub use mutate::{Mutation, mutated};
use strings::{id, open_enum, recipients, reference, text};

use crate::schema_model::{self, Node, Text};

/// A valid request payload, member by member from the model: optional members present or
/// absent, each string generated from its constraints.
///
/// Boxed (here and in the text strategies) to keep value trees off the stack: unboxed, the
/// nested trees overflow a test thread's 2 MiB stack in a debug build.
pub fn valid() -> BoxedStrategy<Value> {
    node(&schema_model::ROOT)
}

fn node(node: &'static Node) -> BoxedStrategy<Value> {
    match node {
        Node::Object(members) => {
            let members: Vec<BoxedStrategy<Option<(String, Value)>>> = members
                .iter()
                .filter(|m| !m.forbidden)
                .map(|m| {
                    let name = m.name.clone();
                    let value = self::node(&m.node).prop_map(move |v| (name.clone(), v));
                    if m.required {
                        value.prop_map(Some).boxed()
                    } else {
                        prop::option::of(value).boxed()
                    }
                })
                .collect();
            members
                .prop_map(|members| Value::Object(members.into_iter().flatten().collect()))
                .boxed()
        }
        Node::Text(text) => string(text).prop_map(Value::String).boxed(),
    }
}

/// A valid string for the constraints of `text`.
fn string(text: &'static Text) -> BoxedStrategy<String> {
    if let Some(constant) = &text.constant {
        return Just(constant.clone()).boxed();
    }
    if let Some(documented) = &text.documented {
        return open_enum(documented.clone()).boxed();
    }
    if let Some(pattern) = &text.pattern {
        assert_eq!(
            pattern,
            kaleyra_wa::TO_PATTERN,
            "no generator for this pattern"
        );
        return recipients().prop_map(|list| list.join(",")).boxed();
    }
    match (text.min_length, text.max_length) {
        (min, Some(max)) => self::text(min.unwrap_or(0), max),
        (Some(_), None) => id().boxed(),
        (None, None) => reference().boxed(),
    }
}
