//! The client: configuration, pacing, and the send loop.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use kaleyra_wa::{EndpointError, Pod, Report, SendRequest};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::answer;
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
pub struct ApiKey(SecretString);

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
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: String,
    sid: String,
    api_key: HeaderValue,
    retry: RetryPolicy,
    limiter: Option<DefaultDirectRateLimiter>,
    in_flight: Semaphore,
    body_limit: usize,
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

/// Configures a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    endpoint: Endpoint,
    sid: String,
    api_key: ApiKey,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    rate: Option<f64>,
    max_in_flight: usize,
    body_limit: usize,
}

/// Why a [`Client`] could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The SID cannot be put in the URL.
    Sid(EndpointError),
    /// The base URL is not an `http` or `https` URL.
    BaseUrl(String),
    /// The API key is empty or has characters a header cannot carry (the key is not shown).
    ApiKey,
    /// The rate is not a positive number of messages per second.
    Rate(f64),
    /// The TLS or HTTP stack could not be set up.
    Http(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Sid(e) => e.fmt(f),
            BuildError::BaseUrl(url) => write!(
                f,
                "base URL `{}` is not an http or https URL",
                crate::escape(url)
            ),
            BuildError::ApiKey => {
                f.write_str("the API key is empty or has characters an HTTP header cannot carry")
            }
            BuildError::Rate(rate) => {
                write!(
                    f,
                    "rate {rate} is not a positive number of messages per second"
                )
            }
            BuildError::Http(e) => write!(f, "cannot set up HTTP: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

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

impl ClientBuilder {
    /// The whole-request timeout, connection included (default 30 s). A request that times
    /// out after it was written is an [`Outcome::Unknown`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connection timeout (default 10 s). A request that cannot connect is
    /// [`Outcome::NotSent`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `kaleyra-wa-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Paces requests (retries included) to at most `per_second`, shared by every clone of
    /// the client, evenly spaced (no bursts). Default: no limit.
    pub fn rate(mut self, per_second: f64) -> Self {
        self.rate = Some(per_second);
        self
    }

    /// At most this many requests in flight at once, across clones (default 16, at least 1).
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max.max(1);
        self
    }

    /// Response bodies are read up to this many bytes (default 64 KiB); a longer body is an
    /// [`Outcome::Unexpected`] and is not read further.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        kaleyra_wa::endpoint::messages_path(&self.sid, "10000000").map_err(BuildError::Sid)?;
        let base = match &self.endpoint {
            Endpoint::Pod(pod) => format!("https://{}", pod.api_domain()),
            Endpoint::BaseUrl(url) => {
                let parsed = reqwest::Url::parse(url)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                    .filter(|u| u.query().is_none() && u.fragment().is_none())
                    .ok_or_else(|| BuildError::BaseUrl(url.clone()))?;
                parsed.as_str().trim_end_matches('/').to_owned()
            }
        };
        let mut api_key = HeaderValue::from_str(self.api_key.0.expose_secret())
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or(BuildError::ApiKey)?;
        api_key.set_sensitive(true);
        let limiter = match self.rate {
            None => None,
            Some(rate) if rate.is_finite() && rate > 0.0 => {
                let period = Duration::from_secs_f64(1.0 / rate);
                let quota = Quota::with_period(period)
                    .ok_or(BuildError::Rate(rate))?
                    .allow_burst(NonZeroU32::MIN);
                Some(RateLimiter::direct(quota))
            }
            Some(rate) => return Err(BuildError::Rate(rate)),
        };
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| BuildError::Http(e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                sid: self.sid,
                api_key,
                retry: self.retry,
                limiter,
                in_flight: Semaphore::new(self.max_in_flight),
                body_limit: self.body_limit,
            }),
        })
    }
}

/// rustls with the `ring` provider (no C toolchain beyond `cc`) and the platform's roots.
fn tls_config() -> Result<rustls::ClientConfig, BuildError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| BuildError::Http(e.to_string()))?
        .with_no_client_auth())
}

impl Client {
    /// Starts configuring a client for `endpoint`, the account `sid` and its API key.
    pub fn builder(endpoint: Endpoint, sid: impl Into<String>, api_key: ApiKey) -> ClientBuilder {
        ClientBuilder {
            endpoint,
            sid: sid.into(),
            api_key,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("kaleyra-wa-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            rate: None,
            max_in_flight: 16,
            body_limit: 64 << 10,
        }
    }

    /// The URL a message from the business number `from` is sent to.
    pub fn messages_url(&self, from: &str) -> Result<String, EndpointError> {
        let path = kaleyra_wa::endpoint::messages_path(&self.inner.sid, from)?;
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
        let report = request.check();
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
