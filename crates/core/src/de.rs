//! The serde impls of the request types, stricter than serde's derive.
//!
//! serde's derive is more lenient than the wire format in two ways: a struct also
//! deserializes from a JSON array of its members' values (`"body": ["Hi"]`), and a unit enum
//! from `{"whatsapp": null}` (and serde_json reports a non-string there as a syntax error,
//! "expected value", rather than a type error). The request types derive with
//! `#[serde(remote = "Self")]`, which makes the derived code inherent functions, and
//! [`strict_serde!`] implements the traits around them: structs from JSON objects only,
//! constants from JSON strings only. Every entry point (`serde_json::from_str`,
//! `from_value`, a user's struct embedding our types) gets the strict behaviour.
//!
//! The price: serde makes the derived functions public inherent functions
//! (`ExtraInfo::deserialize`, `ExtraInfo::serialize`), which a path call such as
//! `ExtraInfo::deserialize(d)` picks over the trait's. `<ExtraInfo as Deserialize>::deserialize`
//! and every serde entry point take the trait's; the inherent one accepts an array at its
//! own level only (its members are still strict).

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A type whose derived (lenient) deserializer is an inherent function (`remote = "Self"`).
pub(crate) trait Derived<'de>: Sized {
    /// serde's derived deserializer.
    fn derived<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Implements `Serialize` (the derived one) and `Deserialize` (the derived one, from a JSON
/// object only for a struct, from a JSON string only for a constant) for types derived with
/// `#[serde(remote = "Self")]`.
macro_rules! strict_serde {
    ($($kind:ident $ty:ident),* $(,)?) => {$(
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // The inherent function: the derived serializer.
                $ty::serialize(self, serializer)
            }
        }

        impl<'de> crate::de::Derived<'de> for $ty {
            fn derived<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // The inherent function: the derived deserializer.
                $ty::deserialize(deserializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::de::$kind(deserializer)
            }
        }
    )*};
}

pub(crate) use strict_serde;

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

/// Deserializes a struct from a JSON object only.
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Derived<'de>,
{
    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Derived<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::derived(MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// Deserializes a unit enum (a constant) from a JSON string only: any other JSON type is a
/// type error ("invalid type: integer `1`, expected a string"), a wrong string an unknown
/// variant.
pub(crate) fn constant<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Derived<'de>,
{
    struct ConstantVisitor<T>(PhantomData<T>);

    impl<'de, T: Derived<'de>> Visitor<'de> for ConstantVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
            T::derived(StrDeserializer::<E>::new(value))
        }
    }

    deserializer.deserialize_str(ConstantVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use crate::request::{Action, Body, ExtraInfo, Interactive, MessagingProduct, SendRequest};

    const ACTION: &str = r#""action": {"catalog_id": "1", "product_retailer_id": "2"}"#;

    fn assert_invalid_type<T: for<'de> Deserialize<'de> + std::fmt::Debug>(text: &str) {
        let err = serde_json::from_str::<T>(text).unwrap_err();
        assert!(err.to_string().starts_with("invalid type"), "{text}: {err}");
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let err = serde_json::from_value::<T>(value).unwrap_err();
        assert!(err.to_string().starts_with("invalid type"), "{text}: {err}");
    }

    #[test]
    fn structs_deserialize_from_objects_only_through_plain_serde_json() {
        let ok = format!(r#"{{"type": "product", "body": {{"text": "Hi"}}, {ACTION}}}"#);
        let parsed: Interactive = serde_json::from_str(&ok).unwrap();
        assert_eq!(parsed.body, Some(Body { text: "Hi".into() }));
        assert_invalid_type::<Interactive>(&format!(
            r#"{{"type": "product", "body": ["Hi"], {ACTION}}}"#
        ));
        assert_invalid_type::<Interactive>(r#"{"type": "product", "action": ["1", "2"]}"#);
        assert_invalid_type::<Action>(r#"["1", "2"]"#);
        assert_invalid_type::<ExtraInfo>(r#"["a", "b", "c", "api"]"#);
        assert_invalid_type::<SendRequest>(
            r#"[["whatsapp", "individual", "919876543210", "interactive", ["product", null, null, ["1", "2"]]]]"#,
        );
    }

    #[test]
    fn a_users_struct_embedding_our_types_gets_the_strict_behaviour() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)] // Only deserialized.
        struct Mine {
            extra: ExtraInfo,
            product: MessagingProduct,
        }
        let ok: Mine = serde_json::from_value(json!({"extra": {}, "product": "whatsapp"})).unwrap();
        assert_eq!(ok.product, MessagingProduct::WhatsApp);
        for bad in [
            json!({"extra": [], "product": "whatsapp"}),
            json!({"extra": {}, "product": {"whatsapp": null}}),
            json!({"extra": {}, "product": 1}),
        ] {
            let err = serde_json::from_value::<Mine>(bad.clone()).unwrap_err();
            assert!(err.to_string().starts_with("invalid type"), "{bad}: {err}");
        }
    }

    #[test]
    fn constants_deserialize_from_strings_only() {
        for bad in [
            format!(r#"{{"type": 1, {ACTION}}}"#),
            format!(r#"{{"type": {{"product": null}}, {ACTION}}}"#),
        ] {
            assert_invalid_type::<Interactive>(&bad);
        }
        let err = serde_json::from_str::<MessagingProduct>(r#""sms""#).unwrap_err();
        assert!(err.to_string().starts_with("unknown variant"), "{err}");
    }
}
