//! An async client for Kaleyra's WhatsApp v2 **Send Single-Product Message** endpoint that
//! never sends a message twice on its own: every send ends in a typed [`Outcome`] saying
//! what the caller can do next, and only what cannot have been delivered is retried.
//!
//! ```
//! use std::time::Duration;
//! use kaleyra_wa::SendRequest;
//! use kaleyra_wa_client::{ApiKey, Client, Endpoint, Outcome, RetryPolicy, Status};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // `Endpoint::Pod(kaleyra_wa::Pod::In)` in production; here, a local port nothing listens on.
//! let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! let base = format!("http://{}", listener.local_addr()?);
//! drop(listener);
//! let client = Client::builder(Endpoint::BaseUrl(base), "HXAP16XXXXXX97IN", ApiKey::new("secret"))
//!     .timeout(Duration::from_secs(10))
//!     .rate(20.0) // messages per second, shared by every clone
//!     .retry(RetryPolicy { max_attempts: 2, first_delay: Duration::from_millis(10), ..RetryPolicy::default() })
//!     .build()?;
//!
//! let request = SendRequest::builder()
//!     .to("919876543210")
//!     .catalog_id("103449")
//!     .product_retailer_id("17026")
//!     .r#ref("order-1")
//!     .build()?;
//! let delivery = client.send(&request, "+919812345678").await?;
//! match &delivery.outcome {
//!     Outcome::Accepted(accepted) => println!("sent: {}", accepted.message_id),
//!     Outcome::Rejected(rejected) => println!("refused: {}", rejected.error.code),
//!     // Nothing reached the server (here: connection refused, tried twice): safe to resend.
//!     Outcome::NotSent(_) => assert_eq!(delivery.attempts, 2),
//!     // May have been delivered: never resent automatically.
//!     Outcome::Unknown(_) | Outcome::Unexpected(_) => println!("check callbacks: {}", delivery.outcome),
//! }
//! assert_eq!(delivery.outcome.status(), Status::NotSent);
//! # Ok(())
//! # }
//! ```
//!
//! - [`Client::send`] validates with [`kaleyra_wa`] first: an invalid payload is a
//!   [`SendError::Invalid`], never a request.
//! - [`RetryPolicy`]: retries [`Outcome::NotSent`], `WA500` and HTTP 429/503 (honouring
//!   `Retry-After`) with exponential backoff and jitter, bounded in attempts and time;
//!   [`Outcome::Unknown`] only if the caller opts in ([`UnknownOutcomes::Retry`]).
//! - Pacing: [`ClientBuilder::rate`] (a `governor` rate limiter shared by clones) and
//!   [`ClientBuilder::max_in_flight`].
//! - The [`ApiKey`] never shows in `Debug`, errors or `tracing` events; its header is marked
//!   sensitive. Each send is a `kaleyra_send` span (the `extra_info.ref`, the SID) with one
//!   event per answer (attempt, HTTP status, code, message id, milliseconds).

#![warn(missing_docs)]

mod answer;
mod builder;
mod client;
mod outcome;
mod retry;

pub use builder::{BuildError, ClientBuilder};
pub use client::{ApiKey, Client, Endpoint, SendError};
pub use outcome::{
    Accepted, Delivery, End, Failure, Outcome, Rejected, Status, Unexpected, escape,
};
pub use retry::{RetryPolicy, UnknownOutcomes};
pub use tokio_util::sync::CancellationToken;
