//! What a send came to, typed by what the caller can do next.

use std::fmt;
use std::time::Duration;

use kaleyra_wa::ErrorResponse;

/// The result of one request (one attempt), or of the last attempt of a send.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Kaleyra accepted the message (`WA202` or `WA200`). Delivery is asynchronous: Meta's
    /// own failures arrive later, in status callbacks.
    Accepted(Accepted),
    /// Kaleyra refused the request with a documented error body.
    Rejected(Rejected),
    /// The request was never written to the server (connection refused, DNS, TLS): nothing
    /// was delivered, so sending again is safe.
    NotSent(Failure),
    /// The request may have reached the server, but no answer came (a timeout, a connection
    /// lost): the message may have been sent. Retrying it blindly can send it twice.
    Unknown(Failure),
    /// An answer that is not one of Kaleyra's documented bodies.
    Unexpected(Unexpected),
}

/// An accepted message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// Kaleyra's id of the message, echoed in reports and callbacks.
    pub message_id: String,
    /// `WA202` or `WA200`.
    pub code: String,
    /// The HTTP status (documented: 202).
    pub http_status: u16,
}

/// A documented refusal.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// The error body, typed ([`ErrorResponse::kind`] tells the documented codes apart).
    pub error: ErrorResponse,
    /// The HTTP status.
    pub http_status: u16,
    /// Whether the same request can succeed later unchanged (`WA500` only).
    pub retryable: bool,
    /// The server's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
}

/// Why a request got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The transport's description (no secret: the API key is never part of it).
    pub reason: String,
}

/// An answer that is not a documented body, or a body over the size limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unexpected {
    /// The HTTP status.
    pub http_status: u16,
    /// The start of the body, lossily decoded, at most [`Unexpected::EXCERPT_LIMIT`] bytes of it.
    pub excerpt: String,
    /// Whether the body was longer than what was read (it is never read whole past the
    /// client's body limit).
    pub truncated: bool,
    /// The server's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
}

impl Unexpected {
    /// At most this many bytes of a body are kept in [`Unexpected::excerpt`].
    pub const EXCERPT_LIMIT: usize = 512;
}

/// What a caller can do with a send's outcome: the four answers a journal needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Accepted: done.
    Accepted,
    /// Refused by the server (a documented error, or an unexpected 4xx answer other than
    /// 429): sending the same request again will not help unless it is retryable and retried
    /// later.
    Rejected,
    /// Nothing was delivered (no connection, or an HTTP 429 or 503 answer that is not a
    /// Kaleyra body): sending again is safe.
    NotSent,
    /// May or may not have been delivered: a person (or the callbacks) must decide.
    Unknown,
}

impl Outcome {
    /// What the outcome means for the caller. An unexpected answer (not a Kaleyra body) is
    /// not sent for HTTP 429 and 503 (the server declined to handle the request), rejected
    /// for another 4xx status (it refused it), and unknown otherwise (a 2xx body that cannot
    /// be read may be an acceptance; a gateway's other 5xx may have forwarded the request).
    pub fn status(&self) -> Status {
        match self {
            Outcome::Accepted(_) => Status::Accepted,
            Outcome::Rejected(_) => Status::Rejected,
            Outcome::NotSent(_) => Status::NotSent,
            Outcome::Unknown(_) => Status::Unknown,
            Outcome::Unexpected(u) => match u.http_status {
                429 | 503 => Status::NotSent,
                400..=499 => Status::Rejected,
                _ => Status::Unknown,
            },
        }
    }

    /// The HTTP status of the answer, if one came.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Outcome::Accepted(a) => Some(a.http_status),
            Outcome::Rejected(r) => Some(r.http_status),
            Outcome::Unexpected(u) => Some(u.http_status),
            Outcome::NotSent(_) | Outcome::Unknown(_) => None,
        }
    }

    /// Kaleyra's code (`WA202`, `WA500`...), if the answer had one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Outcome::Accepted(a) => Some(&a.code),
            Outcome::Rejected(r) => Some(&r.error.code),
            Outcome::NotSent(_) | Outcome::Unknown(_) | Outcome::Unexpected(_) => None,
        }
    }

    /// The message id, if accepted.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            Outcome::Accepted(a) => Some(&a.message_id),
            _ => None,
        }
    }
}

/// Shows untrusted text (server bodies, transport messages) on one line: control, line
/// breaking and bidirectional characters are escaped as `\u{..}`, so nothing can move the
/// cursor, fake a line or reorder what a terminal shows.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hostile = c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
        if hostile {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Outcome {
    /// One line; server and transport text is escaped ([`escape`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Accepted(a) => write!(
                f,
                "accepted: {} (HTTP {}), message id {}",
                escape(&a.code),
                a.http_status,
                escape(&a.message_id)
            ),
            Outcome::Rejected(r) => write!(
                f,
                "rejected: {} (HTTP {}): {}{}",
                escape(&r.error.code),
                r.http_status,
                escape(&r.error.message),
                if r.retryable { " (retryable)" } else { "" }
            ),
            Outcome::NotSent(e) => write!(f, "not sent: {}", escape(&e.reason)),
            Outcome::Unknown(e) => write!(
                f,
                "outcome unknown (the message may have been sent): {}",
                escape(&e.reason)
            ),
            Outcome::Unexpected(u) => write!(
                f,
                "unexpected answer: HTTP {}: {}{}",
                u.http_status,
                escape(&u.excerpt),
                if u.truncated { "..." } else { "" }
            ),
        }
    }
}

/// A finished send: its last outcome and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// The last attempt's outcome.
    pub outcome: Outcome,
    /// Requests made (at least 1).
    pub attempts: u32,
    /// Time from the first attempt to the end, waits included.
    pub elapsed: Duration,
    /// Why there was no further attempt.
    pub end: End,
}

/// Why a send made no further attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The outcome is final: accepted, or not safe or not useful to retry.
    Final,
    /// The outcome was retryable, but the attempts or the time allowed are used up (or the
    /// server's `Retry-After` was past the time allowed).
    Exhausted,
    /// The outcome was retryable and a retry was due, but the caller asked to stop while
    /// waiting for it: the request is not finished, and sending it again later is what the
    /// retry would have done.
    Stopped,
}
