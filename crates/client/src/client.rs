//! The client: configuration, pacing, and the send loop.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use governor::DefaultDirectRateLimiter;
use kaleyra_wa::{EndpointError, Pod, Report, SendRequest};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use secrecy::SecretString;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::answer;
use crate::builder::ClientBuilder;
use crate::outcome::{Delivery, End, Outcome};
use crate::retry::RetryPolicy;

/// Where requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A Kaleyra pod: `https://<api_domain>`.
    Pod(Pod),
    /// Another base URL (a proxy, a test server), such as `http://127.0.0.1:8080`; the path
    /// `/v2/<sid>/whatsapp/<from>/messages` is appended to it.
    BaseUrl(String),
}

/// The API key. It never shows in `Debug` output, errors or logs, and its header is marked
/// sensitive.
#[derive(Clone)]
pub struct ApiKey(pub(crate) SecretString);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(SecretString::from(key.into()))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// A client of the send endpoint. Cloning it is cheap; clones share the connection pool,
/// the rate limit and the in-flight limit.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) sid: String,
    pub(crate) api_key: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<DefaultDirectRateLimiter>,
    pub(crate) in_flight: Semaphore,
    pub(crate) body_limit: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field("sid", &self.inner.sid)
            .field("api_key", &"***")
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Why a request was not sent at all.
#[derive(Debug)]
#[non_exhaustive]
pub enum SendError {
    /// The payload breaks a rule (the report lists every error): it is never sent.
    Invalid(Report),
    /// The business number cannot be put in the URL.
    From(EndpointError),
    /// Asked to stop before the first attempt: nothing was sent.
    Stopped,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Invalid(report) => write!(f, "invalid request, not sent:\n{report}"),
            SendError::From(e) => e.fmt(f),
            SendError::Stopped => f.write_str("stopped before sending"),
        }
    }
}

impl std::error::Error for SendError {}

impl Client {
    /// Starts configuring a client for `endpoint`, the account `sid` and its API key.
    pub fn builder(endpoint: Endpoint, sid: impl Into<String>, api_key: ApiKey) -> ClientBuilder {
        ClientBuilder::new(endpoint, sid.into(), api_key)
    }

    /// The URL a message from the business number `from` is sent to.
    pub fn messages_url(&self, from: &str) -> Result<String, EndpointError> {
        let path = kaleyra_wa::messages_path(&self.inner.sid, from)?;
        Ok(format!("{}{path}", self.inner.base))
    }

    /// Validates `request` (an invalid one is never sent), sends it from the business number
    /// `from`, and retries as the [`RetryPolicy`] allows.
    pub async fn send(&self, request: &SendRequest, from: &str) -> Result<Delivery, SendError> {
        self.send_until(request, from, &CancellationToken::new())
            .await
    }

    /// [`send`](Self::send), stopping early when `stop` is cancelled: before the first
    /// attempt ([`SendError::Stopped`]: nothing sent) or while waiting to retry
    /// ([`End::Stopped`]). A request in flight is never abandoned: it finishes or times out.
    pub async fn send_until(
        &self,
        request: &SendRequest,
        from: &str,
        stop: &CancellationToken,
    ) -> Result<Delivery, SendError> {
        let report = request.validate();
        if !report.is_valid() {
            return Err(SendError::Invalid(report));
        }
        let url = self.messages_url(from).map_err(SendError::From)?;
        // Serializing strings and JSON maps into a vector cannot fail.
        let body = serde_json::to_vec(request).expect("a SendRequest serializes");
        let reference = request
            .extra_info
            .as_ref()
            .and_then(|info| info.r#ref.as_deref())
            .unwrap_or("");
        let span = tracing::info_span!("kaleyra_send", reference, sid = %self.inner.sid);
        self.send_loop(&url, body, stop).instrument(span).await
    }

    async fn send_loop(
        &self,
        url: &str,
        body: Vec<u8>,
        stop: &CancellationToken,
    ) -> Result<Delivery, SendError> {
        let inner = &*self.inner;
        let started = Instant::now();
        let mut backoff = inner.retry.backoff();
        let mut attempts = 0;
        let mut last: Option<Outcome> = None;
        loop {
            let stopped = |last: Option<Outcome>, attempts| match last {
                None => Err(SendError::Stopped),
                Some(outcome) => Ok(Delivery {
                    outcome,
                    attempts,
                    elapsed: started.elapsed(),
                    end: End::Stopped,
                }),
            };
            if let Some(limiter) = &inner.limiter {
                tokio::select! {
                    biased;
                    () = stop.cancelled() => return stopped(last, attempts),
                    () = limiter.until_ready() => {}
                }
            }
            let permit = tokio::select! {
                biased;
                () = stop.cancelled() => return stopped(last, attempts),
                // The semaphore is never closed.
                permit = inner.in_flight.acquire() => permit.expect("the semaphore is open"),
            };
            attempts += 1;
            let begun = Instant::now();
            let outcome = answer::attempt(
                &inner.http,
                &inner.api_key,
                inner.body_limit,
                url,
                body.clone(),
            )
            .await;
            drop(permit);
            tracing::info!(
                attempt = attempts,
                http_status = outcome.http_status(),
                code = outcome.code(),
                message_id = outcome.message_id(),
                elapsed_ms = begun.elapsed().as_millis() as u64,
                status = ?outcome.status(),
                "answer"
            );
            let finish = |outcome, end| {
                Ok(Delivery {
                    outcome,
                    attempts,
                    elapsed: started.elapsed(),
                    end,
                })
            };
            if !inner.retry.retries(&outcome) {
                return finish(outcome, End::Final);
            }
            let delay = answer::retry_after(&outcome).or_else(|| backoff.next());
            let Some(delay) = delay.filter(|_| attempts < inner.retry.max_attempts) else {
                return finish(outcome, End::Exhausted);
            };
            if started.elapsed() + delay > inner.retry.max_total {
                return finish(outcome, End::Exhausted);
            }
            tracing::info!(delay_ms = delay.as_millis() as u64, "retrying");
            tokio::select! {
                biased;
                () = stop.cancelled() => return stopped(Some(outcome), attempts),
                () = tokio::time::sleep(delay) => {}
            }
            last = Some(outcome);
        }
    }
}

/// The headers of the vendor's sample request, besides `api-key`.
pub(crate) const HEADERS: [(reqwest::header::HeaderName, &str); 2] = [
    (CONTENT_TYPE, "application/json"),
    (CACHE_CONTROL, "no-cache"),
];
