//! Configuring a [`Client`].

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{Quota, RateLimiter};
use kaleyra_wa::EndpointError;
use reqwest::header::HeaderValue;
use secrecy::ExposeSecret;
use tokio::sync::Semaphore;

use crate::client::{ApiKey, Client, Endpoint, Inner};
use crate::retry::RetryPolicy;

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

impl ClientBuilder {
    pub(crate) fn new(endpoint: Endpoint, sid: String, api_key: ApiKey) -> ClientBuilder {
        ClientBuilder {
            endpoint,
            sid,
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

    /// The whole-request timeout, connection included (default 30 s). A request that times
    /// out after it was written is an [`Outcome::Unknown`](crate::Outcome::Unknown).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connection timeout (default 10 s). A request that cannot connect is
    /// [`Outcome::NotSent`](crate::Outcome::NotSent).
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
    /// [`Outcome::Unexpected`](crate::Outcome::Unexpected) and is not read further.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        // The SID is checked as the URL needs it (with any valid business number).
        kaleyra_wa::messages_path(&self.sid, "10000000").map_err(BuildError::Sid)?;
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
