//! When a send is tried again: only where it cannot send a message twice.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

use crate::outcome::Outcome;

/// The retry policy: which outcomes are retried, how often and how far apart.
///
/// Retried automatically: [`Outcome::NotSent`] (nothing reached the server), a retryable
/// rejection (`WA500`, the code Kaleyra documents retrying) and HTTP 429 or 503 answers.
/// A server's `Retry-After` (seconds or an HTTP date) replaces the backoff delay.
/// [`Outcome::Unknown`] is retried only with [`UnknownOutcomes::Retry`]: the request may
/// have been delivered, and the send is not idempotent.
///
/// Delays grow exponentially from [`first_delay`](Self::first_delay) (doubling, at most
/// [`max_delay`](Self::max_delay)), each with a random jitter of up to the same amount
/// again; no retry starts once [`max_total`](Self::max_total) would be passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests per send, the first included (default 4: Kaleyra's retry table retries
    /// `WA500` 3 times). 1 disables retries.
    pub max_attempts: u32,
    /// The first backoff delay (default 1 s).
    pub first_delay: Duration,
    /// The longest backoff delay (default 60 s); a `Retry-After` may be longer.
    pub max_delay: Duration,
    /// The longest time a send may take from its first attempt, waits included (default
    /// 5 minutes): a retry that would start later is not made.
    pub max_total: Duration,
    /// Whether unknown outcomes are retried (default: never).
    pub unknown: UnknownOutcomes,
}

/// What to do with an [`Outcome::Unknown`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnknownOutcomes {
    /// Return it: the caller decides (the default, and the only choice that cannot send a
    /// message twice).
    #[default]
    Return,
    /// Retry it like a not-sent request, accepting that the message may be sent twice.
    Retry,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_total: Duration::from_secs(300),
            unknown: UnknownOutcomes::Return,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn never() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Whether `outcome` may be retried under this policy.
    pub fn retries(&self, outcome: &Outcome) -> bool {
        match outcome {
            Outcome::Accepted(_) => false,
            Outcome::Rejected(r) => r.retryable || matches!(r.http_status, 429 | 503),
            Outcome::NotSent(_) => true,
            Outcome::Unknown(_) => self.unknown == UnknownOutcomes::Retry,
            Outcome::Unexpected(u) => matches!(u.http_status, 429 | 503),
        }
    }

    pub(crate) fn backoff(&self) -> ExponentialBackoff {
        ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay.max(self.first_delay))
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date (a date in the past is no
/// delay).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn backoff_grows_within_jitter_and_cap() {
        let policy = RetryPolicy {
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
            ..RetryPolicy::default()
        };
        let delays: Vec<_> = policy.backoff().take(5).collect();
        let bases = [100, 200, 400, 400, 400];
        for (delay, base) in delays.iter().zip(bases) {
            let base = Duration::from_millis(base);
            assert!(
                *delay >= base && *delay <= base * 2,
                "{delay:?} vs {base:?}"
            );
        }
    }
}
