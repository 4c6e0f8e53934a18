//! Where requests go: the pods and the messages URL.

use std::fmt;

/// A Kaleyra pod (data region), with its API domain as the reference page lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pod {
    /// India: `api.in.kaleyra.io`.
    In,
    /// Singapore: `api.kaleyra.io` (older pages said `api.ap.kaleyra.io`).
    Sg,
    /// Europe: `api.eu.kaleyra.io`.
    Eu,
    /// North America: `api.na.kaleyra.ai` (note `.ai`).
    Na,
}

impl Pod {
    /// Every pod.
    pub const ALL: [Pod; 4] = [Pod::In, Pod::Sg, Pod::Eu, Pod::Na];

    /// The API domain.
    pub const fn api_domain(self) -> &'static str {
        match self {
            Pod::In => "api.in.kaleyra.io",
            Pod::Sg => "api.kaleyra.io",
            Pod::Eu => "api.eu.kaleyra.io",
            Pod::Na => "api.na.kaleyra.ai",
        }
    }

    /// The base URL, `https://<api_domain>/v2/<sid>`.
    pub fn base_url(self, sid: &str) -> Result<String, EndpointError> {
        check_sid(sid)?;
        Ok(format!("https://{}/v2/{sid}", self.api_domain()))
    }

    /// The send URL, `https://<api_domain>/v2/<sid>/whatsapp/<phone_number>/messages`, where
    /// `phone_number` is the business number (E.164 digits, a leading `+` is dropped).
    ///
    /// ```
    /// use kaleyra_wa::Pod;
    /// assert_eq!(
    ///     Pod::In.messages_url("HXAP16XXXXXX97IN", "+919876543210")?,
    ///     "https://api.in.kaleyra.io/v2/HXAP16XXXXXX97IN/whatsapp/919876543210/messages",
    /// );
    /// assert!(Pod::Na.messages_url("HX/../IN", "919876543210").is_err());
    /// # Ok::<(), kaleyra_wa::EndpointError>(())
    /// ```
    pub fn messages_url(self, sid: &str, phone_number: &str) -> Result<String, EndpointError> {
        Ok(format!(
            "https://{}{}",
            self.api_domain(),
            messages_path(sid, phone_number)?
        ))
    }
}

/// The send URL's path, `/v2/<sid>/whatsapp/<phone_number>/messages`, checked as
/// [`Pod::messages_url`] checks it: for a base URL other than a pod's (a proxy, a test server).
///
/// ```
/// assert_eq!(
///     kaleyra_wa::messages_path("HXAP16XXXXXX97IN", "+919876543210")?,
///     "/v2/HXAP16XXXXXX97IN/whatsapp/919876543210/messages",
/// );
/// # Ok::<(), kaleyra_wa::EndpointError>(())
/// ```
pub fn messages_path(sid: &str, phone_number: &str) -> Result<String, EndpointError> {
    check_sid(sid)?;
    let digits = phone_number.strip_prefix('+').unwrap_or(phone_number);
    if !crate::request::RECIPIENT_REGEX.is_match(digits) || digits.starts_with('+') {
        return Err(EndpointError::PhoneNumber(phone_number.to_owned()));
    }
    Ok(format!("/v2/{sid}/whatsapp/{digits}/messages"))
}

fn check_sid(sid: &str) -> Result<(), EndpointError> {
    if !sid.is_empty() && sid.len() <= 64 && sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(EndpointError::Sid(sid.to_owned()))
    }
}

impl fmt::Display for Pod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pod::In => "IN",
            Pod::Sg => "SG",
            Pod::Eu => "EU",
            Pod::Na => "NA",
        })
    }
}

/// A SID or business phone number that cannot be put in the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointError {
    /// The SID is not 1 to 64 ASCII letters and digits.
    Sid(String),
    /// The business number is not an E.164 number.
    PhoneNumber(String),
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::Sid(sid) => {
                write!(f, "SID `{sid}` must be 1 to 64 ASCII letters and digits")
            }
            EndpointError::PhoneNumber(number) => write!(
                f,
                "business phone number `{number}` must be an E.164 number (country code first, 7 to 15 digits)"
            ),
        }
    }
}

impl std::error::Error for EndpointError {}
