//! Serde helpers shared by the request types.

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
