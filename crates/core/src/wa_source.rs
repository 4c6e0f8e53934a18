//! `extra_info.wa_source`: where a request comes from.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! wa_sources {
    ($($variant:ident = $wire:literal),* $(,)?) => {
        /// The source of a request (`extra_info.wa_source`).
        ///
        /// The 13 documented values have a variant each. Any other string is kept verbatim in
        /// [`WaSource::Other`] so that a round trip is lossless and a linter can warn; the
        /// server sends such a request as `api`, which [`WaSource::effective`] and
        /// [`SendRequest::normalize`](crate::SendRequest::normalize) apply.
        ///
        /// A value is made from its wire text with `From` (or [`str::parse`]), which gives a
        /// documented value its own variant: `Other` never holds one.
        ///
        /// ```
        /// use kaleyra_wa::WaSource;
        ///
        /// assert_eq!(WaSource::from("api"), WaSource::Api);
        /// let other = WaSource::from("website");
        /// assert!(!other.is_documented());
        /// assert_eq!(other.as_str(), "website");
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum WaSource {
            $(#[doc = concat!("`", $wire, "`")] $variant,)*
            /// A value the documentation does not list; the server replaces it with `api`.
            Other(Undocumented),
        }

        impl WaSource {
            /// The 13 documented values, as sent on the wire.
            pub const DOCUMENTED: &'static [&'static str] = &[$($wire,)*];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(WaSource::$variant => $wire,)*
                    WaSource::Other(other) => &other.0,
                }
            }

            /// The variant of a documented wire value.
            fn documented(value: &str) -> Option<WaSource> {
                match value {
                    $($wire => Some(WaSource::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

wa_sources! {
    Api = "api",
    CleverTap = "clevertap",
    Zoho = "zoho",
    WebEngage = "webengage",
    Shopify = "shopify",
    LeadSquared = "leadsquared",
    Responsys = "responsys",
    Braze = "braze",
    HubSpot = "hubspot",
    Salesforce = "salesforce",
    Zapier = "zapier",
    Eloqua = "eloqua",
    MoEngage = "moengage",
}

/// A `wa_source` value the documentation does not list, kept verbatim. Only
/// `WaSource::from` makes one, so it is never a documented value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Undocumented(String);

impl Undocumented {
    /// The value, as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for WaSource {
    fn from(value: &str) -> WaSource {
        WaSource::documented(value)
            .unwrap_or_else(|| WaSource::Other(Undocumented(value.to_owned())))
    }
}

impl From<String> for WaSource {
    fn from(value: String) -> WaSource {
        WaSource::documented(&value).unwrap_or(WaSource::Other(Undocumented(value)))
    }
}

impl std::str::FromStr for WaSource {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<WaSource, Self::Err> {
        Ok(WaSource::from(value))
    }
}

impl WaSource {
    /// Whether this is one of the 13 documented values.
    pub fn is_documented(&self) -> bool {
        !matches!(self, WaSource::Other(_))
    }

    /// The value the server acts on: [`WaSource::Api`] for an undocumented value.
    pub fn effective(&self) -> WaSource {
        match self {
            WaSource::Other(_) => WaSource::Api,
            documented => documented.clone(),
        }
    }
}

impl fmt::Display for WaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for WaSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WaSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = WaSource;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<WaSource, E> {
                Ok(WaSource::from(value))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Any string is accepted (as the server does), and the documented values are listed for
/// code generators: `anyOf: [{enum: [...]}, {type: string}]`.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for WaSource {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WaSource".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Where the request comes from. Any value other than the documented ones is accepted and sent as `api`.",
            "anyOf": [
                { "type": "string", "enum": WaSource::DOCUMENTED },
                { "type": "string" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_values_become_their_variant_whatever_the_way_in() {
        assert_eq!(WaSource::DOCUMENTED.len(), 13);
        for wire in WaSource::DOCUMENTED {
            let json = format!("{wire:?}");
            for source in [
                WaSource::from(*wire),
                WaSource::from(wire.to_string()),
                wire.parse().unwrap(),
                serde_json::from_str(&json).unwrap(),
            ] {
                assert!(source.is_documented(), "{wire}");
                assert_eq!(source.as_str(), *wire);
                assert_eq!(source.effective(), source);
                assert_eq!(serde_json::to_string(&source).unwrap(), json);
            }
        }
    }

    #[test]
    fn other_values_round_trip_and_fall_back_to_api() {
        let other: WaSource = serde_json::from_str(r#""website""#).unwrap();
        assert_eq!(other, WaSource::from("website"));
        assert!(matches!(&other, WaSource::Other(value) if value.as_str() == "website"));
        assert_eq!(other.effective(), WaSource::Api);
        assert_eq!(serde_json::to_string(&other).unwrap(), r#""website""#);
        // Case matters: the documented values are lower case.
        assert!(!WaSource::from("API").is_documented());
    }
}
