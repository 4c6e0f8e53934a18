//! Serde helpers shared by the request types.
//!
//! serde's derive is more lenient than the wire format in two ways these helpers close:
//! a struct also deserializes from a JSON array of its members' values (`"body": ["Hi"]`),
//! and serde_json reports a non-string where a unit enum is expected as a syntax error
//! ("expected value") rather than a type error.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// Deserializes an optional member that, when present, must hold a value: `null` is a type
/// error, not "absent". Used with `#[serde(default, deserialize_with = "...")]`, so a missing
/// member is still `None`.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Deserializes a struct from a JSON object only (serde's derive also takes an array).
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// [`present`] for a struct: a JSON object only.
pub(crate) fn present_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    object(deserializer).map(Some)
}

/// Deserializes a unit enum (a constant) from a JSON string only: any other JSON type is a
/// type error ("invalid type: integer `1`, expected a string"), a wrong string an unknown
/// variant.
pub(crate) fn constant<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ConstantVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ConstantVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
            T::deserialize(StrDeserializer::<E>::new(value))
        }
    }

    deserializer.deserialize_str(ConstantVisitor(PhantomData))
}

/// [`present`] for a constant: a JSON string only.
pub(crate) fn present_constant<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    constant(deserializer).map(Some)
}

/// Deserializes the document root as a JSON object only.
pub(crate) struct Root<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Root<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object(deserializer).map(Root)
    }
}

#[cfg(test)]
mod tests {
    use crate::request::{Body, Interactive};

    #[test]
    fn structs_only_from_objects_and_constants_only_from_strings() {
        let action = r#""action": {"catalog_id": "1", "product_retailer_id": "2"}"#;
        let ok = format!(r#"{{"type": "product", "body": {{"text": "Hi"}}, {action}}}"#);
        let parsed: Interactive = serde_json::from_str(&ok).unwrap();
        assert_eq!(parsed.body, Some(Body { text: "Hi".into() }));
        for bad in [
            r#"{"type": "product", "body": ["Hi"], "action": {"catalog_id": "1", "product_retailer_id": "2"}}"#,
            r#"{"type": "product", "action": ["1", "2"]}"#,
            r#"{"type": 1, "action": {"catalog_id": "1", "product_retailer_id": "2"}}"#,
            r#"{"type": {"product": null}, "action": {"catalog_id": "1", "product_retailer_id": "2"}}"#,
        ] {
            let err = serde_json::from_str::<Interactive>(bad).unwrap_err();
            assert!(err.to_string().starts_with("invalid type"), "{bad}: {err}");
        }
    }
}
