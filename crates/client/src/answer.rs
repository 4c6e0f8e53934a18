//! One request and what its answer means.

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use kaleyra_wa::Response;
use reqwest::header::{HeaderValue, RETRY_AFTER};

use crate::client::HEADERS;
use crate::outcome::{Accepted, Failure, Outcome, Rejected, Unexpected};
use crate::retry::parse_retry_after;

/// Makes one request. Never panics and never returns an error: every way it can end is an
/// [`Outcome`].
pub(crate) async fn attempt(
    http: &reqwest::Client,
    api_key: &HeaderValue,
    body_limit: usize,
    url: &str,
    body: Vec<u8>,
) -> Outcome {
    let mut request = http.post(url).header("api-key", api_key.clone());
    for (name, value) in HEADERS {
        request = request.header(name, value);
    }
    let response = match request.body(body).send().await {
        Ok(response) => response,
        // A connection that was never made (refused, DNS, TLS, connect timeout) carried
        // nothing; anything later may have delivered the request.
        Err(error) if error.is_connect() => return Outcome::NotSent(failure(&error)),
        Err(error) => return Outcome::Unknown(failure(&error)),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    match read_bounded(response, body_limit).await {
        Ok((bytes, complete)) => classify(status, &bytes, complete, retry_after),
        Err(error) => Outcome::Unknown(Failure {
            reason: format!(
                "HTTP {status} came, but its body was lost: {}",
                failure(&error).reason
            ),
        }),
    }
}

/// Reads at most `limit` bytes of the body; `true` when that is the whole body.
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        // Read only the excerpt; dropping the response closes the connection.
        let mut bytes = Vec::new();
        while bytes.len() < Unexpected::EXCERPT_LIMIT {
            match response.chunk().await? {
                Some(chunk) => bytes.extend_from_slice(&chunk),
                None => break,
            }
        }
        return Ok((bytes, false));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > limit {
            let room = limit - bytes.len();
            bytes.extend_from_slice(&chunk[..room]);
            return Ok((bytes, false));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, true))
}

/// What an answer means: a documented success or error body, or something unexpected.
pub(crate) fn classify(
    status: u16,
    body: &[u8],
    complete: bool,
    retry_after: Option<Duration>,
) -> Outcome {
    if complete {
        match Response::from_slice(body) {
            Ok(Response::Accepted(success)) if (200..300).contains(&status) => {
                return Outcome::Accepted(Accepted {
                    message_id: success.data.message_id,
                    code: success.code,
                    http_status: status,
                });
            }
            Ok(Response::Error(error)) if !(200..300).contains(&status) => {
                return Outcome::Rejected(Rejected {
                    retryable: error.kind().is_retryable(),
                    error,
                    http_status: status,
                    retry_after,
                });
            }
            _ => {}
        }
    }
    let mut end = body.len().min(Unexpected::EXCERPT_LIMIT);
    // Cut at a character boundary when the body is UTF-8 (at most 3 bytes back).
    while end > 0 && end < body.len() && (body[end] & 0xC0) == 0x80 && body.len() - end < 4 {
        end -= 1;
    }
    Outcome::Unexpected(Unexpected {
        http_status: status,
        excerpt: String::from_utf8_lossy(&body[..end]).into_owned(),
        truncated: !complete || end < body.len(),
        retry_after,
    })
}

/// The `Retry-After` an answer carried, if any.
pub(crate) fn retry_after(outcome: &Outcome) -> Option<Duration> {
    match outcome {
        Outcome::Rejected(r) => r.retry_after,
        Outcome::Unexpected(u) => u.retry_after,
        Outcome::Accepted(_) | Outcome::NotSent(_) | Outcome::Unknown(_) => None,
    }
}

/// A transport error's description with its causes, without the URL.
fn failure(error: &reqwest::Error) -> Failure {
    let mut reason = error.to_string();
    if let Some(url) = error.url() {
        reason = reason.replace(&format!(" for url ({url})"), "");
    }
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !reason.contains(&text) {
            reason.push_str(": ");
            reason.push_str(&text);
        }
        source = cause.source();
    }
    Failure { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_bodies_and_statuses() {
        let ok = br#"{"code":"WA202","message":"Request Accepted","data":{"message_id":"A1"},"error":{}}"#;
        assert_eq!(classify(202, ok, true, None).message_id(), Some("A1"));
        // A success body with an error status is not an acceptance.
        assert!(matches!(
            classify(500, ok, true, None),
            Outcome::Unexpected(_)
        ));
        let wa500 = br#"{"code":"WA500","message":"Please try again later","data":{},"error":{"error":"Internal server error"}}"#;
        let Outcome::Rejected(r) = classify(500, wa500, true, None) else {
            panic!("WA500 is a rejection")
        };
        assert!(r.retryable);
        // The documented success sample is not JSON (commas are missing).
        let sample = b"{\n\"code\":\"WA202\"\n\"message\":\"Request Accepted\",\n\"data\":{\n  \"message_id\":\"AXXXXXXXXXXXXXXXXXXX\"\n}\n\"error\":{}\n}";
        let Outcome::Unexpected(u) = classify(202, sample, true, None) else {
            panic!("the malformed sample is unexpected")
        };
        assert!(!u.truncated);
        assert_eq!(u.excerpt.as_bytes(), sample);
    }

    #[test]
    fn excerpts_are_cut_at_a_character_boundary() {
        let body = "é".repeat(600);
        let Outcome::Unexpected(u) = classify(502, body.as_bytes(), true, None) else {
            panic!("not a documented body")
        };
        assert!(u.truncated);
        assert_eq!(u.excerpt, "é".repeat(256));
    }
}
