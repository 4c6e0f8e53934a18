//! The client against a mock Kaleyra on 127.0.0.1: every documented answer, the retries that
//! are safe, the ones that are not, bounded bodies, pacing, and secrets kept out of sight.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kaleyra_wa::{ErrorKind, SendRequest};
use kaleyra_wa_client::{
    ApiKey, CancellationToken, Client, ClientBuilder, End, Endpoint, Outcome, RetryPolicy,
    SendError, Status, Unexpected, UnknownOutcomes,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "Ak3y-that-must-never-show-0123456789";
const SID: &str = "HXAP16XXXXXX97IN";
const FROM: &str = "919812345678";
const PATH: &str = "/v2/HXAP16XXXXXX97IN/whatsapp/919812345678/messages";

fn request(reference: &str) -> SendRequest {
    SendRequest::builder()
        .to("919876543210")
        .catalog_id("103449")
        .product_retailer_id("17026")
        .r#ref(reference)
        .build()
        .expect("a valid request")
}

/// Fast retries for tests: 50 ms apart, 3 attempts.
fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(50),
        max_total: Duration::from_secs(5),
        unknown: UnknownOutcomes::Return,
    }
}

fn builder(base: &str) -> ClientBuilder {
    Client::builder(Endpoint::BaseUrl(base.to_owned()), SID, ApiKey::new(KEY))
        .timeout(Duration::from_millis(500))
        .retry(fast())
}

fn body(code: &str, message: &str, data: &str, error: &str) -> String {
    format!(r#"{{"code":"{code}","message":"{message}","data":{data},"error":{error}}}"#)
}

fn accepted(code: &str) -> ResponseTemplate {
    ResponseTemplate::new(202).set_body_string(body(
        code,
        "Request Accepted",
        r#"{"message_id":"AXXXXXXXXXXXXXXXXXXX"}"#,
        "{}",
    ))
}

fn wa500() -> ResponseTemplate {
    ResponseTemplate::new(500).set_body_string(body(
        "WA500",
        "Please try again later",
        "{}",
        r#"{"error":"Internal server error"}"#,
    ))
}

async fn mount(server: &MockServer, answer: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(answer);
    match times {
        Some(n) => mock.up_to_n_times(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

async fn requests_seen(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

#[tokio::test]
async fn accepted_with_the_vendor_headers_and_body() {
    for code in ["WA202", "WA200"] {
        let server = MockServer::start().await;
        let req = request("order-1");
        Mock::given(method("POST"))
            .and(path(PATH))
            .and(header("api-key", KEY))
            .and(header("content-type", "application/json"))
            .and(header("cache-control", "no-cache"))
            .and(body_json(&req))
            .respond_with(accepted(code))
            .mount(&server)
            .await;
        let client = builder(&server.uri()).build().unwrap();
        let delivery = client.send(&req, &format!("+{FROM}")).await.unwrap();
        assert_eq!(delivery.outcome.status(), Status::Accepted, "{code}");
        assert_eq!(delivery.outcome.message_id(), Some("AXXXXXXXXXXXXXXXXXXX"));
        assert_eq!(delivery.outcome.code(), Some(code));
        assert_eq!((delivery.attempts, delivery.end), (1, End::Final));
    }
}

#[tokio::test]
async fn documented_errors_are_typed_and_only_wa500_is_retried() {
    let cases = [
        (
            401,
            "RBC001",
            "Incorrect SID or API key.",
            "[]",
            ErrorKind::InvalidCredentials,
        ),
        (
            401,
            "WA401",
            "Phone number is not present or does not belong to the account.",
            "{}",
            ErrorKind::UnknownPhoneNumber,
        ),
        (
            400,
            "WA400",
            "Refer to correct payload format",
            "{}",
            ErrorKind::InvalidPayload,
        ),
        (
            400,
            "E110",
            "Please check your balance, You have a low balance!",
            "{}",
            ErrorKind::LowBalance,
        ),
        (
            401,
            "WA-401",
            "API is not available for given customer.Please contact support for more info",
            "{}",
            ErrorKind::AccountNotAllowed,
        ),
        (
            401,
            "WA-401",
            "The phone number you're using is associated with different Version of our WA API. Please use the appropriate endpoint.",
            "{}",
            ErrorKind::WrongApiVersion,
        ),
        (
            400,
            "WAV2101",
            "Account daily limit reached",
            "{}",
            ErrorKind::DailyLimitReached,
        ),
        (
            500,
            "WA500",
            "Please try again later",
            "{}",
            ErrorKind::InternalError,
        ),
    ];
    for (status, code, message, data, kind) in cases {
        let server = MockServer::start().await;
        let answer = ResponseTemplate::new(status).set_body_string(body(
            code,
            message,
            data,
            r#"{"error":"x"}"#,
        ));
        mount(&server, answer, None).await;
        let client = builder(&server.uri()).build().unwrap();
        let delivery = client.send(&request("r"), FROM).await.unwrap();
        let Outcome::Rejected(rejected) = &delivery.outcome else {
            panic!("{code}: {:?}", delivery.outcome)
        };
        assert_eq!(rejected.error.kind(), kind, "{code}");
        assert_eq!(rejected.http_status, status);
        let retryable = code == "WA500";
        assert_eq!(rejected.retryable, retryable, "{code}");
        let (attempts, end) = if retryable {
            (3, End::Exhausted)
        } else {
            (1, End::Final)
        };
        assert_eq!((delivery.attempts, delivery.end), (attempts, end), "{code}");
        assert_eq!(requests_seen(&server).await, attempts as usize, "{code}");
    }
}

#[tokio::test]
async fn wa500_then_success_is_retried() {
    let server = MockServer::start().await;
    mount(&server, wa500(), Some(1)).await;
    mount(&server, accepted("WA202"), None).await;
    let delivery = builder(&server.uri())
        .build()
        .unwrap()
        .send(&request("r"), FROM)
        .await
        .unwrap();
    assert_eq!(delivery.outcome.status(), Status::Accepted);
    assert_eq!(delivery.attempts, 2);
}

#[tokio::test]
async fn the_documented_malformed_success_sample_is_unexpected_and_not_retried() {
    let sample = "{\n\"code\":\"WA202\"\n\"message\":\"Request Accepted\",\n\"data\":{\n  \"message_id\":\"AXXXXXXXXXXXXXXXXXXX\"\n}\n\"error\":{}\n}";
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(202).set_body_string(sample),
        None,
    )
    .await;
    let delivery = builder(&server.uri())
        .build()
        .unwrap()
        .send(&request("r"), FROM)
        .await
        .unwrap();
    let Outcome::Unexpected(u) = &delivery.outcome else {
        panic!("{:?}", delivery.outcome)
    };
    assert_eq!(
        (u.http_status, u.excerpt.as_str(), u.truncated),
        (202, sample, false)
    );
    // A 2xx that cannot be read may be an acceptance: unknown, never resent.
    assert_eq!(delivery.outcome.status(), Status::Unknown);
    assert_eq!(requests_seen(&server).await, 1);
}

#[tokio::test]
async fn retry_after_is_honoured_and_bounded_by_the_total_time() {
    // The backoff alone (60 s) would pass the 5 s allowed: only `Retry-After: 1` retries.
    let slow = RetryPolicy {
        first_delay: Duration::from_secs(60),
        max_delay: Duration::from_secs(60),
        ..fast()
    };
    let server = MockServer::start().await;
    let busy = ResponseTemplate::new(429)
        .insert_header("retry-after", "1")
        .set_body_string("slow down");
    mount(&server, busy, Some(1)).await;
    mount(&server, accepted("WA202"), None).await;
    let client = builder(&server.uri()).retry(slow).build().unwrap();
    let delivery = client.send(&request("r"), FROM).await.unwrap();
    assert_eq!(delivery.outcome.status(), Status::Accepted);
    assert_eq!(delivery.attempts, 2);
    assert!(
        delivery.elapsed >= Duration::from_secs(1),
        "{:?}",
        delivery.elapsed
    );

    // A `Retry-After` past the time allowed ends the send at once.
    let server = MockServer::start().await;
    let later = ResponseTemplate::new(503).insert_header("retry-after", "3600");
    mount(&server, later, None).await;
    let client = builder(&server.uri()).build().unwrap();
    let delivery = client.send(&request("r"), FROM).await.unwrap();
    let Outcome::Unexpected(u) = &delivery.outcome else {
        panic!("{:?}", delivery.outcome)
    };
    assert_eq!(u.retry_after, Some(Duration::from_secs(3600)));
    // The server declined to handle it: nothing was delivered.
    assert_eq!(delivery.outcome.status(), Status::NotSent);
    assert_eq!((delivery.attempts, delivery.end), (1, End::Exhausted));
}

#[tokio::test]
async fn connection_refused_is_not_sent_and_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let delivery = builder(&base)
        .build()
        .unwrap()
        .send(&request("r"), FROM)
        .await
        .unwrap();
    assert!(
        matches!(delivery.outcome, Outcome::NotSent(_)),
        "{:?}",
        delivery.outcome
    );
    assert_eq!((delivery.attempts, delivery.end), (3, End::Exhausted));
}

#[tokio::test]
async fn a_stall_after_the_body_is_unknown_and_never_retried_by_default() {
    let server = MockServer::start().await;
    mount(
        &server,
        accepted("WA202").set_delay(Duration::from_secs(3)),
        None,
    )
    .await;
    let client = builder(&server.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let delivery = client.send(&request("r"), FROM).await.unwrap();
    assert!(
        matches!(delivery.outcome, Outcome::Unknown(_)),
        "{:?}",
        delivery.outcome
    );
    assert_eq!((delivery.attempts, delivery.end), (1, End::Final));
    assert_eq!(requests_seen(&server).await, 1);

    // Only when asked.
    let opt_in = RetryPolicy {
        unknown: UnknownOutcomes::Retry,
        max_attempts: 2,
        ..fast()
    };
    let client = builder(&server.uri())
        .timeout(Duration::from_millis(200))
        .retry(opt_in)
        .build()
        .unwrap();
    let delivery = client.send(&request("r"), FROM).await.unwrap();
    assert_eq!(delivery.attempts, 2);
    assert_eq!(requests_seen(&server).await, 3);
}

#[tokio::test]
async fn a_huge_body_is_not_read_whole() {
    let server = MockServer::start().await;
    let huge = "x".repeat(8 << 20);
    mount(
        &server,
        ResponseTemplate::new(200).set_body_string(huge),
        None,
    )
    .await;
    let client = builder(&server.uri()).body_limit(4096).build().unwrap();
    let delivery = client.send(&request("r"), FROM).await.unwrap();
    let Outcome::Unexpected(u) = &delivery.outcome else {
        panic!("{:?}", delivery.outcome)
    };
    assert!(u.truncated);
    assert!(
        u.excerpt.len() <= Unexpected::EXCERPT_LIMIT,
        "{}",
        u.excerpt.len()
    );
    assert!(u.excerpt.starts_with("xxxx"));
}

#[tokio::test]
async fn an_invalid_request_is_never_sent() {
    let server = MockServer::start().await;
    mount(&server, accepted("WA202"), None).await;
    let mut bad = request("r");
    bad.messaging_object.to = "0919876543210".into();
    let client = builder(&server.uri()).build().unwrap();
    let error = client.send(&bad, FROM).await.unwrap_err();
    let SendError::Invalid(report) = error else {
        panic!("{error:?}")
    };
    assert_eq!(
        report.errors().next().unwrap().pointer,
        "/messaging_object/to"
    );
    assert!(matches!(
        client.send(&request("r"), "12").await,
        Err(SendError::From(_))
    ));
    assert_eq!(requests_seen(&server).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_share_the_rate() {
    let server = MockServer::start().await;
    mount(&server, accepted("WA202"), None).await;
    let client = builder(&server.uri()).rate(20.0).build().unwrap();
    let started = Instant::now();
    let sends = (0..6).map(|i| {
        let client = client.clone();
        tokio::spawn(async move { client.send(&request(&i.to_string()), FROM).await })
    });
    for send in sends.collect::<Vec<_>>() {
        assert_eq!(
            send.await.unwrap().unwrap().outcome.status(),
            Status::Accepted
        );
    }
    // 6 sends at 20 per second, no burst: the last starts 5/20 s after the first at the
    // earliest (a lower bound only; how much later depends on the machine).
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_stop_during_a_retry_wait_leaves_the_request_unfinished() {
    let server = MockServer::start().await;
    mount(&server, wa500(), None).await;
    let long_wait = RetryPolicy {
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(30),
        max_total: Duration::from_secs(120),
        ..fast()
    };
    let client = builder(&server.uri()).retry(long_wait).build().unwrap();
    let stop = CancellationToken::new();
    let cancel = stop.clone();
    let server_ref = &server;
    let req = request("r");
    let (delivery, ()) = tokio::join!(client.send_until(&req, FROM, &stop), async move {
        while requests_seen(server_ref).await == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        cancel.cancel();
    });
    let delivery = delivery.unwrap();
    assert_eq!((delivery.attempts, delivery.end), (1, End::Stopped));
    assert!(matches!(&delivery.outcome, Outcome::Rejected(r) if r.retryable));
    // Stopped before the first attempt: nothing sent.
    assert!(matches!(
        client.send_until(&request("r"), FROM, &stop).await,
        Err(SendError::Stopped)
    ));
    assert_eq!(requests_seen(&server).await, 1);
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_api_key_shows_nowhere() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    mount(&server, wa500(), Some(1)).await;
    mount(&server, accepted("WA202"), None).await;
    let builder = builder(&server.uri());
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let delivery = client.send(&request("order-7"), FROM).await.unwrap();
    let bad_key = Client::builder(
        Endpoint::BaseUrl(server.uri()),
        SID,
        ApiKey::new(format!("{KEY}\n")),
    )
    .build()
    .unwrap_err();

    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("kaleyra_send") && log.contains("order-7"),
        "{log}"
    );
    assert!(log.contains("AXXXXXXXXXXXXXXXXXXX"), "{log}");
    for text in [
        log,
        builder_debug,
        format!("{client:?}"),
        format!("{delivery:?}"),
        format!("{}", delivery.outcome),
        bad_key.to_string(),
        format!("{bad_key:?}"),
    ] {
        assert!(!text.contains(KEY), "{text}");
    }
}
