//! The typed, validated model of Kaleyra's WhatsApp v2 **Send Single-Product Message** API:
//! the request payload and its rules, the responses, and the endpoint.
//!
//! ```
//! use kaleyra_wa::{Rule, SendRequest};
//!
//! // Build a request: `build()` validates, so it cannot produce an invalid payload.
//! let request = SendRequest::builder()
//!     .to("919876543210")
//!     .catalog_id("103449")
//!     .product_retailer_id("17026")
//!     .body("Your order has been shipped.")
//!     .build()?;
//! let json = serde_json::to_string(&request).unwrap();
//!
//! // Parse and validate bytes: every violation at once, each at a JSON pointer.
//! let request = kaleyra_wa::from_str(&json.replace("Your order", &"x".repeat(1020)))
//!     .expect("well-formed");
//! let report = request.validate();
//! let error = report.errors().next().unwrap();
//! assert_eq!(error.pointer, "/messaging_object/interactive/body/text");
//! assert_eq!(error.rule, Rule::TooLong);
//! assert_eq!(error.rule.code(), "KWA007");
//! # Ok::<(), kaleyra_wa::Report>(())
//! ```
//!
//! This crate does no I/O. With the `schema` feature it also derives `schemars::JsonSchema`
//! and exports the JSON Schemas ([`schema`]).
//!
//! Lengths are counted in Unicode code points, the unit of JSON Schema's `maxLength`.

#![warn(missing_docs)]

mod builder;
mod de;
mod endpoint;
mod json_error;
pub mod limits;
mod normalize;
mod parse;
pub mod pointer;
mod report;
mod request;
mod response;
mod rules;
#[cfg(feature = "schema")]
pub mod schema;
mod validate;
mod wa_source;

pub use builder::RequestBuilder;
pub use endpoint::{EndpointError, Pod, messages_path};
pub use json_error::{JsonError, JsonErrorKind, line_column};
pub use normalize::Change;
pub use parse::{ParseError, from_slice, from_str, try_from_slice, try_from_str};
pub use report::{Report, Violation};
#[doc(hidden)]
pub use request::ForbiddenMembers;
pub use request::{
    Action, Body, Context, ExtraInfo, Footer, Interactive, InteractiveType, MessageType,
    MessagingObject, MessagingProduct, RECIPIENT_PATTERN, RecipientType, SendRequest, TO_PATTERN,
};
pub use response::{ErrorData, ErrorKind, ErrorResponse, Response, SuccessData, SuccessResponse};
pub use rules::{Rule, Severity};
#[doc(hidden)]
pub use validate::{length_violation, quoted, recipient_violations};
pub use wa_source::{Undocumented, WaSource};
