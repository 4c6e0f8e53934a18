//! The request payload: `{"messaging_object": {...}, "extra_info": {...}}`.
//!
//! Every rule is written once, here, as serde, `validator` and `schemars` attributes; the
//! validator ([`crate::validate`]), the exported JSON Schema ([`crate::schema`]) and the
//! linter all follow from these types.
//!
//! Invariant: each Rust field is named exactly as its wire member (raw identifiers such as
//! `r#type` stand for `type`), so a `validator` error path is a JSON pointer.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::de::strict_serde;
use validator::Validate;

use crate::limits::{BIZ_OPAQUE_CALLBACK_DATA_MAX, BODY_TEXT_MAX, FOOTER_TEXT_MAX};
use crate::wa_source::WaSource;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// Expands to the regular expression of one recipient, as a string literal. A macro so that
/// [`RECIPIENT_PATTERN`] and [`TO_PATTERN`] are built from the same text at compile time.
macro_rules! recipient {
    () => {
        r"\+?[1-9][0-9]{6,14}"
    };
}

/// One recipient: E.164, country code first (no leading zero), 7 to 15 digits, an optional
/// leading `+`. Portable ECMA-262 syntax, so the same text is the JSON Schema `pattern`.
pub const RECIPIENT_PATTERN: &str = concat!("^", recipient!(), "$");

/// The `to` member: one or more recipients separated by commas, no spaces.
pub const TO_PATTERN: &str = concat!("^", recipient!(), "(,", recipient!(), ")*$");

/// Compiled [`TO_PATTERN`].
pub(crate) static TO_REGEX: LazyLock<Regex> =
    // The pattern is a literal tested below (`patterns_compile`): it always compiles.
    LazyLock::new(|| Regex::new(TO_PATTERN).expect("TO_PATTERN is a valid regex"));

/// Compiled [`RECIPIENT_PATTERN`].
pub(crate) static RECIPIENT_REGEX: LazyLock<Regex> =
    // The pattern is a literal tested below (`patterns_compile`): it always compiles.
    LazyLock::new(|| {
        Regex::new(RECIPIENT_PATTERN).expect("RECIPIENT_PATTERN is a valid regex")
    });

/// A request to Kaleyra's v2 "Send Single-Product Message" API.
///
/// The body of `POST https://<api_domain>/v2/<SID>/whatsapp/<phone_number>/messages`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "SendRequest"))]
pub struct SendRequest {
    /// The message as Meta's WhatsApp Cloud API defines it; Kaleyra forwards it to Meta.
    #[validate(nested)]
    pub messaging_object: MessagingObject,
    /// Kaleyra's additional details: references echoed in reports and callbacks, and the
    /// source of the request.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(nested)]
    pub extra_info: Option<ExtraInfo>,
}

/// The message object (`messaging_object`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "MessagingObject"))]
pub struct MessagingObject {
    /// Messaging service used for the request. The only allowed value is `whatsapp`.
    pub messaging_product: MessagingProduct,
    /// Currently messages can only be sent to individuals. Optional; the default is
    /// `individual`.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub recipient_type: Option<RecipientType>,
    /// The recipient's WhatsApp number in E.164 format (country code first, optional leading
    /// `+`, 7 to 15 digits). Several recipients are separated by commas, without spaces.
    #[validate(regex(path = *TO_REGEX, code = "phone"))]
    #[cfg_attr(feature = "schema", schemars(example = "919876543210"))]
    pub to: String,
    /// The type of message. The only allowed value is `interactive`.
    pub r#type: MessageType,
    /// The interactive single-product message.
    #[validate(nested)]
    pub interactive: Interactive,
    /// Meta: reply to a message, quoting it. Kaleyra documents it on its "send reply-to
    /// messages" page.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(nested)]
    pub context: Option<Context>,
    /// Meta: an arbitrary string, at most 512 characters, echoed in status webhooks.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = BIZ_OPAQUE_CALLBACK_DATA_MAX))]
    pub biz_opaque_callback_data: Option<String>,
}

/// The `messaging_product` constant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "MessagingProduct"))]
pub enum MessagingProduct {
    /// `whatsapp`.
    #[default]
    #[serde(rename = "whatsapp")]
    WhatsApp,
}

/// The `recipient_type` constant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "RecipientType"))]
pub enum RecipientType {
    /// `individual`.
    #[default]
    #[serde(rename = "individual")]
    Individual,
}

/// The message `type` constant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "MessageType"))]
pub enum MessageType {
    /// `interactive`.
    #[default]
    #[serde(rename = "interactive")]
    Interactive,
}

/// The `interactive.type` constant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "InteractiveType"))]
pub enum InteractiveType {
    /// `product`: a single-product message.
    #[default]
    #[serde(rename = "product")]
    Product,
}

/// The interactive object of a single-product message. It has no `header`: Meta rejects a
/// header on a `product` message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = forbid_members::<Interactive>))]
#[serde(deny_unknown_fields)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "Interactive"))]
pub struct Interactive {
    /// The type of interactive message. The only allowed value for a single-product message
    /// is `product`.
    pub r#type: InteractiveType,
    /// Text of the message body. Optional for single-product messages.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(nested)]
    pub body: Option<Body>,
    /// Text of the message footer.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(nested)]
    pub footer: Option<Footer>,
    /// The product to show: both `catalog_id` and `product_retailer_id` are mandatory.
    #[validate(nested)]
    pub action: Action,
}

strict_serde! {
    object SendRequest,
    object MessagingObject,
    object Interactive,
    object Body,
    object Footer,
    object Action,
    object Context,
    object ExtraInfo,
    constant MessagingProduct,
    constant RecipientType,
    constant MessageType,
    constant InteractiveType,
}

/// Members a type does not have on purpose, each with the reason given when one is present
/// (the parser's message; the schema has `false` for each).
pub trait ForbiddenMembers {
    /// `(member, reason)` pairs.
    const FORBIDDEN: &'static [(&'static str, &'static str)];
}

impl ForbiddenMembers for Interactive {
    const FORBIDDEN: &'static [(&'static str, &'static str)] = &[(
        "header",
        "headers are not allowed on single-product messages",
    )];
}

/// Schema transform for types with [`ForbiddenMembers`]: each forbidden member's subschema
/// is `false` (with `additionalProperties: false` this is already implied; naming the member
/// lets validators and readers say why).
#[cfg(feature = "schema")]
fn forbid_members<T: ForbiddenMembers>(schema: &mut schemars::Schema) {
    let properties = (schema.ensure_object())
        .entry("properties")
        .or_insert_with(|| serde_json::json!({}));
    if let Some(properties) = properties.as_object_mut() {
        for (member, _) in T::FORBIDDEN {
            properties.insert((*member).into(), serde_json::Value::Bool(false));
        }
    }
}

/// The message body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "Body"))]
pub struct Body {
    /// The body text: 1 to 1024 characters. Emojis and markdown are supported.
    #[validate(length(min = 1, max = BODY_TEXT_MAX))]
    pub text: String,
}

/// The message footer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "Footer"))]
pub struct Footer {
    /// The footer text: 1 to 60 characters. Emojis, markdown and links are supported.
    #[validate(length(min = 1, max = FOOTER_TEXT_MAX))]
    pub text: String,
}

/// The product shown by the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "Action"))]
pub struct Action {
    /// Unique identifier of the Facebook catalog linked to the WhatsApp Business Account
    /// (from Meta Commerce Manager).
    #[validate(length(min = 1))]
    pub catalog_id: String,
    /// Unique identifier of the product in the catalog (from Meta Commerce Manager).
    #[validate(length(min = 1))]
    pub product_retailer_id: String,
}

/// Meta's reply context: the message this one replies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "Context"))]
pub struct Context {
    /// The id (`wamid...`) of the message replied to.
    #[validate(length(min = 1))]
    pub message_id: String,
}

/// Kaleyra's `extra_info` object. Nothing here can make the API reject a request: long
/// refs are truncated and unknown sources replaced (see `normalize`), which the
/// validator reports as warnings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
#[serde(remote = "Self")]
#[cfg_attr(feature = "schema", schemars(rename = "ExtraInfo"))]
pub struct ExtraInfo {
    /// Contextual information echoed in reports and callbacks (a name, a customer id...).
    /// The server keeps the first 255 characters.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub r#ref: Option<String>,
    /// Contextual information echoed in reports and callbacks. The server keeps the first
    /// 255 characters.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub ref1: Option<String>,
    /// Contextual information echoed in reports and callbacks. The server keeps the first
    /// 255 characters.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub ref2: Option<String>,
    /// Where the request comes from. Any value other than the 13 documented ones is sent as
    /// `api`.
    #[serde(
        default,
        deserialize_with = "crate::de::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub wa_source: Option<WaSource>,
}

impl ExtraInfo {
    /// The three refs with their wire names, in wire order.
    pub fn refs(&self) -> [(&'static str, Option<&str>); 3] {
        [
            ("ref", self.r#ref.as_deref()),
            ("ref1", self.ref1.as_deref()),
            ("ref2", self.ref2.as_deref()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile_and_agree() {
        for ok in ["919876543210", "+16505551234", "1234567", "123456789012345"] {
            assert!(RECIPIENT_REGEX.is_match(ok), "{ok}");
            assert!(TO_REGEX.is_match(ok), "{ok}");
        }
        for bad in [
            "",
            "091234567",
            "123456",
            "1234567890123456",
            "+91 98765",
            "91-9876543210",
            "++919876543210",
        ] {
            assert!(!RECIPIENT_REGEX.is_match(bad), "{bad}");
            assert!(!TO_REGEX.is_match(bad), "{bad}");
        }
        assert!(TO_REGEX.is_match("919876543210,+16505551234"));
        assert!(!TO_REGEX.is_match("919876543210, 16505551234"));
        assert!(!TO_REGEX.is_match("919876543210,"));
        assert!(!TO_PATTERN.contains("\\d"), "keep the pattern portable");
    }
}
