//! The API's responses: success (`WA202`, or `WA200` on another Kaleyra page) and errors.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// A response of the send endpoint.
///
/// ```
/// use kaleyra_wa::{ErrorKind, Response};
/// let body = br#"{"code": "WA500", "message": "Please try again later", "data": {},
///                "error": {"error": "Internal server error"}}"#;
/// let Response::Error(error) = Response::from_slice(body)? else { unreachable!() };
/// assert_eq!(error.kind(), ErrorKind::InternalError);
/// assert!(error.kind().is_retryable());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    /// The request was accepted (`WA202` or `WA200`).
    Accepted(SuccessResponse),
    /// The request was refused.
    Error(ErrorResponse),
}

impl Response {
    /// The success codes: `WA202` (the reference page) and `WA200` (another Kaleyra page).
    pub const SUCCESS_CODES: &'static [&'static str] = &["WA202", "WA200"];

    /// Parses a response body: a success code gives [`Response::Accepted`], any other code
    /// [`Response::Error`].
    pub fn from_slice(bytes: &[u8]) -> Result<Response, serde_json::Error> {
        #[derive(Deserialize)]
        struct Code<'a> {
            #[serde(borrow)]
            code: std::borrow::Cow<'a, str>,
        }
        let Code { code } = serde_json::from_slice(bytes)?;
        if Response::SUCCESS_CODES.contains(&code.as_ref()) {
            serde_json::from_slice(bytes).map(Response::Accepted)
        } else {
            serde_json::from_slice(bytes).map(Response::Error)
        }
    }
}

/// A success response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SuccessResponse {
    /// `WA202` (documented with HTTP 202 Accepted) or `WA200`.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = Response::SUCCESS_CODES)))]
    pub code: String,
    /// `Request Accepted`.
    pub message: String,
    /// The id of the message sent.
    pub data: SuccessData,
    /// Empty on success.
    #[serde(default)]
    pub error: Map<String, Value>,
}

/// The `data` of a success response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SuccessData {
    /// Kaleyra's id of the message, echoed in reports and callbacks.
    pub message_id: String,
}

/// An error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ErrorResponse {
    /// The error code (`RBC001`, `WA401`, `WA400`, `WA500`, `E110`, `WA-401`, `WAV2101`, or
    /// another), kept verbatim: see [`ErrorResponse::kind`].
    pub code: String,
    /// What went wrong. For `WA-401` it is the only way to tell the two meanings apart.
    pub message: String,
    /// An empty object, or an empty array (the `RBC001` sample has `[]`).
    #[serde(default)]
    pub data: ErrorData,
    /// Details, keyed by what was wrong (`error`, `phone_number`, `payload`, `balance`,
    /// `account`).
    #[serde(default)]
    pub error: Map<String, Value>,
}

/// The `data` member of an error response: documented as `{}`, and as `[]` for `RBC001`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum ErrorData {
    /// An object (documented empty).
    Object(Map<String, Value>),
    /// An array (documented empty).
    Array(Vec<Value>),
}

impl Default for ErrorData {
    fn default() -> Self {
        ErrorData::Object(Map::new())
    }
}

impl ErrorResponse {
    /// What the error means, from its code (and, for `WA-401`, its message).
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::classify(&self.code, &self.message)
    }
}

/// The documented error codes, with the two meanings of `WA-401` told apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `RBC001`: incorrect SID or API key (HTTP 401).
    InvalidCredentials,
    /// `WA401`: the phone number is not present or does not belong to the account (HTTP 401).
    UnknownPhoneNumber,
    /// `WA400`: incorrect payload format (HTTP 400).
    InvalidPayload,
    /// `WA500`: internal server error (HTTP 500); Kaleyra retries these itself 3 times, at 5,
    /// 10 and 15 minutes.
    InternalError,
    /// `E110`: low balance (HTTP 400).
    LowBalance,
    /// `WA-401` "API is not available for given customer": the account type may not use this
    /// API (HTTP 401).
    AccountNotAllowed,
    /// `WA-401` "...associated with different Version of our WA API": the number belongs to
    /// another API version (HTTP 401).
    WrongApiVersion,
    /// `WAV2101`: the account's daily limit is reached (HTTP status not documented).
    DailyLimitReached,
    /// Any other code, kept verbatim.
    Other(String),
}

impl ErrorKind {
    /// Classifies a code and message.
    pub fn classify(code: &str, message: &str) -> ErrorKind {
        match code {
            "RBC001" => ErrorKind::InvalidCredentials,
            "WA401" => ErrorKind::UnknownPhoneNumber,
            "WA400" => ErrorKind::InvalidPayload,
            "WA500" => ErrorKind::InternalError,
            "E110" => ErrorKind::LowBalance,
            "WA-401" if message.to_ascii_lowercase().contains("version") => {
                ErrorKind::WrongApiVersion
            }
            "WA-401" => ErrorKind::AccountNotAllowed,
            "WAV2101" => ErrorKind::DailyLimitReached,
            other => ErrorKind::Other(other.to_owned()),
        }
    }

    /// The code as sent.
    pub fn code(&self) -> &str {
        match self {
            ErrorKind::InvalidCredentials => "RBC001",
            ErrorKind::UnknownPhoneNumber => "WA401",
            ErrorKind::InvalidPayload => "WA400",
            ErrorKind::InternalError => "WA500",
            ErrorKind::LowBalance => "E110",
            ErrorKind::AccountNotAllowed | ErrorKind::WrongApiVersion => "WA-401",
            ErrorKind::DailyLimitReached => "WAV2101",
            ErrorKind::Other(code) => code,
        }
    }

    /// The documented HTTP status, if any.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ErrorKind::InvalidPayload | ErrorKind::LowBalance => Some(400),
            ErrorKind::InvalidCredentials
            | ErrorKind::UnknownPhoneNumber
            | ErrorKind::AccountNotAllowed
            | ErrorKind::WrongApiVersion => Some(401),
            ErrorKind::InternalError => Some(500),
            ErrorKind::DailyLimitReached | ErrorKind::Other(_) => None,
        }
    }

    /// Whether sending the same request again, later, can succeed without changing anything:
    /// only for `WA500`. The others need a fix first (credentials, payload, balance, account,
    /// endpoint) or, for `WAV2101`, the next day.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ErrorKind::InternalError)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wa_401_meanings_and_statuses() {
        let version = ErrorKind::classify(
            "WA-401",
            "The phone number you're using is associated with different Version of our WA API. Please use the appropriate endpoint.",
        );
        assert_eq!(version, ErrorKind::WrongApiVersion);
        let account = ErrorKind::classify(
            "WA-401",
            "API is not available for given customer.Please contact support for more info",
        );
        assert_eq!(account, ErrorKind::AccountNotAllowed);
        assert_eq!(account.code(), "WA-401");
        assert_eq!(ErrorKind::LowBalance.http_status(), Some(400));
        assert_eq!(
            ErrorKind::classify("XYZ9", ""),
            ErrorKind::Other("XYZ9".into())
        );
        assert!(!ErrorKind::DailyLimitReached.is_retryable());
    }
}
