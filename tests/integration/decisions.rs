//! One test per decision where the sources disagree; the README's `## Decisions` table names
//! each test. Changing a decision means changing its test and its README row together.

use std::path::Path;

use kaleyra_wa::{ErrorData, ErrorKind, Pod, Response, Rule, SendRequest, WaSource};
use serde_json::{Value, json};

/// A valid payload: the documented sample with a real number.
fn payload() -> Value {
    json!({
        "messaging_object": {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "919876543210",
            "type": "interactive",
            "interactive": {
                "type": "product",
                "body": {"text": "Your order has been shipped."},
                "footer": {"text": "Shipment from Kaleyra."},
                "action": {"catalog_id": "103449", "product_retailer_id": "17026"}
            }
        },
        "extra_info": {"ref": "customer1", "ref1": "marketing", "ref2": "dictionary", "wa_source": "api"}
    })
}

/// The payload with the member at `pointer` set (its parent must exist).
fn with(pointer: &str, new: Value) -> Value {
    let mut value = payload();
    let at = pointer.rfind('/').unwrap();
    value
        .pointer_mut(&pointer[..at])
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {pointer}"))
        .insert(pointer[at + 1..].to_owned(), new);
    value
}

/// The payload without the member at `pointer`.
fn without(pointer: &str) -> Value {
    let mut value = payload();
    let at = pointer.rfind('/').unwrap();
    value
        .pointer_mut(&pointer[..at])
        .and_then(Value::as_object_mut)
        .unwrap()
        .remove(&pointer[at + 1..])
        .unwrap_or_else(|| panic!("no member {pointer}"));
    value
}

/// Every error of a JSON text, as (pointer, rule): the parse error, or the report's errors.
fn errors_of_text(text: &str) -> Vec<(String, Rule)> {
    match kaleyra_wa::from_str(text) {
        Err(e) => vec![(e.pointer().to_owned(), e.rule())],
        Ok(request) => request
            .validate()
            .errors()
            .map(|v| (v.pointer.clone(), v.rule))
            .collect(),
    }
}

fn errors(value: &Value) -> Vec<(String, Rule)> {
    errors_of_text(&serde_json::to_string(value).unwrap())
}

fn rejected_at(value: &Value, pointer: &str, rule: Rule) {
    assert_eq!(errors(value), [(pointer.to_owned(), rule)], "{value}");
}

fn accepted(value: &Value) {
    assert_eq!(errors(value), [], "{value}");
}

fn warnings(value: &Value) -> Vec<(String, Rule)> {
    kaleyra_wa::from_str(&value.to_string())
        .unwrap()
        .validate()
        .warnings()
        .map(|v| (v.pointer.clone(), v.rule))
        .collect()
}

fn response(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/responses")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn error_response(body: &[u8]) -> kaleyra_wa::ErrorResponse {
    match Response::from_slice(body).unwrap() {
        Response::Error(error) => error,
        other => panic!("not an error: {other:?}"),
    }
}

const TO: &str = "/messaging_object/to";
const FOOTER: &str = "/messaging_object/interactive/footer/text";

#[test]
fn characters_are_code_points() {
    // 60 code points: 60 emoji (120 UTF-16 units, 240 bytes) and 30 thumbs with skin tone
    // (30 graphemes) are both exactly at the footer limit.
    accepted(&with(FOOTER, json!("😀".repeat(60))));
    accepted(&with(FOOTER, json!("👍🏽".repeat(30))));
    rejected_at(&with(FOOTER, json!("😀".repeat(61))), FOOTER, Rule::TooLong);
    rejected_at(
        &with(FOOTER, json!(format!("{}👍", "👍🏽".repeat(30)))),
        FOOTER,
        Rule::TooLong,
    );
    // Parse error columns count code points too.
    let e = kaleyra_wa::from_str("{\"extra_info\": {\"ref\": \"😀😀\" x").unwrap_err();
    // `x` is the 29th code point (the 35th byte, the 31st UTF-16 unit).
    assert_eq!((e.line(), e.column()), (1, 29));
}

#[test]
fn to_accepts_plus_and_digits_only_7_to_15_digits_comma_separated() {
    for ok in [
        "919876543210",                            // Kaleyra's samples: digits only
        "+16505551234",                            // Meta's examples: leading +
        "1234567",                                 // 7 digits
        "123456789012345",                         // 15 digits
        "919876543210,+16505551234,4915112345678", // Kaleyra: several, commas
    ] {
        accepted(&with(TO, json!(ok)));
    }
    for bad in [
        "123456",
        "1234567890123456",
        "0919876543210",
        "919876543210, 16505551234",
        "919876543210,",
        "+91 98765 43210",
        "91-9876543210",
        "",
    ] {
        rejected_at(&with(TO, json!(bad)), TO, Rule::Phone);
    }
    // Each bad recipient of a list is reported, with its place in the value.
    let request =
        kaleyra_wa::from_str(&with(TO, json!("919876543210,0123456789,+1 650,12")).to_string())
            .unwrap();
    let ranges: Vec<_> = request
        .validate()
        .errors()
        .map(|v| v.range_in_value.clone().unwrap())
        .collect();
    assert_eq!(ranges, [13..23, 24..30, 31..33]);
}

#[test]
fn recipient_type_is_individual_only() {
    let pointer = "/messaging_object/recipient_type";
    rejected_at(&with(pointer, json!("group")), pointer, Rule::Constant);
    // Optional: absent is accepted and stays absent on a round trip.
    let value = without(pointer);
    accepted(&value);
    let request = kaleyra_wa::from_str(&value.to_string()).unwrap();
    assert_eq!(request.messaging_object.recipient_type, None);
    assert_eq!(serde_json::to_value(&request).unwrap(), value);
}

#[test]
fn messaging_product_is_lowercase_whatsapp() {
    // The page's table says "WhatsApp"; its samples and Meta send "whatsapp".
    let pointer = "/messaging_object/messaging_product";
    rejected_at(&with(pointer, json!("WhatsApp")), pointer, Rule::Constant);
    accepted(&with(pointer, json!("whatsapp")));
}

#[test]
fn message_type_is_mandatory() {
    // The page: "If omitted, defaults to text" (Meta's default) yet "Mandatory: Yes"; a text
    // message is not a product message, so the member is required.
    rejected_at(
        &without("/messaging_object/type"),
        "/messaging_object",
        Rule::Missing,
    );
    rejected_at(
        &with("/messaging_object/type", json!("text")),
        "/messaging_object/type",
        Rule::Constant,
    );
}

#[test]
fn header_is_rejected_on_product_messages() {
    // Meta's OpenAPI schema accepts a header here; Meta's reference says it cannot be set.
    let pointer = "/messaging_object/interactive/header";
    let value = with(pointer, json!({"type": "text", "text": "New arrival"}));
    rejected_at(&value, pointer, Rule::Header);
    let e = kaleyra_wa::from_str(&value.to_string()).unwrap_err();
    assert_eq!(
        e.message(),
        "headers are not allowed on single-product messages"
    );
}

#[test]
fn catalog_id_and_product_retailer_id_are_mandatory() {
    // Meta's OpenAPI schema accepts a product message without product_retailer_id.
    for member in ["catalog_id", "product_retailer_id"] {
        let pointer = format!("/messaging_object/interactive/action/{member}");
        rejected_at(
            &without(&pointer),
            "/messaging_object/interactive/action",
            Rule::Missing,
        );
        rejected_at(&with(&pointer, json!("")), &pointer, Rule::Empty);
    }
}

#[test]
fn success_codes_wa202_and_wa200() {
    for code in ["WA202", "WA200"] {
        let body = format!(
            r#"{{"code": "{code}", "message": "Request Accepted", "data": {{"message_id": "A1"}}, "error": {{}}}}"#
        );
        match Response::from_slice(body.as_bytes()).unwrap() {
            Response::Accepted(ok) => assert_eq!(
                (ok.code.as_str(), ok.data.message_id.as_str()),
                (code, "A1")
            ),
            other => panic!("{code}: {other:?}"),
        }
    }
    assert_eq!(Response::SUCCESS_CODES, ["WA202", "WA200"]);
}

#[test]
fn success_sample_is_repaired() {
    // As printed, two commas are missing; the fixture adds exactly those.
    assert!(Response::from_slice(&response("wa202-success.verbatim.txt")).is_err());
    assert!(matches!(
        Response::from_slice(&response("wa202-success.json")).unwrap(),
        Response::Accepted(_)
    ));
}

#[test]
fn error_data_array_or_object() {
    assert_eq!(
        error_response(&response("rbc001.json")).data,
        ErrorData::Array(vec![])
    );
    assert_eq!(
        error_response(&response("wa401.json")).data,
        ErrorData::Object(Default::default())
    );
    // Absent is tolerated too.
    let error = error_response(br#"{"code": "WA400", "message": "x"}"#);
    assert_eq!(error.data, ErrorData::Object(Default::default()));
}

#[test]
fn e110_is_http_400() {
    let error = error_response(&response("e110.json"));
    assert_eq!(error.kind(), ErrorKind::LowBalance);
    assert_eq!(error.kind().http_status(), Some(400));
    assert!(!error.kind().is_retryable());
}

#[test]
fn wa_401_two_meanings_told_apart_by_message() {
    let account = error_response(&response("wa-401-account.json"));
    let version = error_response(&response("wa-401-version.json"));
    assert_eq!(
        (account.code.as_str(), version.code.as_str()),
        ("WA-401", "WA-401")
    );
    assert_eq!(account.kind(), ErrorKind::AccountNotAllowed);
    assert_eq!(version.kind(), ErrorKind::WrongApiVersion);
    assert_eq!(account.kind().http_status(), Some(401));
    assert_eq!(version.kind().http_status(), Some(401));
}

#[test]
fn wav2101_is_included_and_only_wa500_is_retried() {
    let error = error_response(
        br#"{"code": "WAV2101", "message": "Account daily limit reached", "data": {}, "error": {}}"#,
    );
    assert_eq!(error.kind(), ErrorKind::DailyLimitReached);
    assert_eq!(error.kind().http_status(), None);
    let retryable: Vec<_> = [
        "RBC001", "WA401", "WA400", "WA500", "E110", "WA-401", "WAV2101", "X1",
    ]
    .into_iter()
    .filter(|code| ErrorKind::classify(code, "").is_retryable())
    .collect();
    assert_eq!(retryable, ["WA500"]);
}

#[test]
fn pods_follow_the_reference_page() {
    assert_eq!(Pod::Sg.api_domain(), "api.kaleyra.io");
    assert_ne!(Pod::Sg.api_domain(), "api.ap.kaleyra.io");
    assert_eq!(Pod::Na.api_domain(), "api.na.kaleyra.ai");
    assert_eq!(Pod::In.api_domain(), "api.in.kaleyra.io");
    assert_eq!(Pod::Eu.api_domain(), "api.eu.kaleyra.io");
    assert_eq!(Pod::ALL.len(), 4);
}

#[test]
fn unknown_wa_source_is_kept_with_a_warning() {
    let pointer = "/extra_info/wa_source";
    let value = with(pointer, json!("website"));
    accepted(&value);
    assert_eq!(
        warnings(&value),
        [(pointer.to_owned(), Rule::UnknownWaSource)]
    );
    let mut request = kaleyra_wa::from_str(&value.to_string()).unwrap();
    let source = request
        .extra_info
        .as_ref()
        .unwrap()
        .wa_source
        .clone()
        .unwrap();
    assert_eq!(source, WaSource::from("website"));
    assert_eq!(source.effective(), WaSource::Api);
    // Kept verbatim on a round trip; `normalize` does what the server does.
    assert_eq!(serde_json::to_value(&request).unwrap(), value);
    request.normalize();
    assert_eq!(request.extra_info.unwrap().wa_source, Some(WaSource::Api));
    // Case matters: "API" is not documented.
    assert_eq!(
        warnings(&with(pointer, json!("API"))),
        [(pointer.to_owned(), Rule::UnknownWaSource)]
    );
}

#[test]
fn refs_over_255_warn_and_normalize_truncates() {
    let value = with("/extra_info/ref1", json!("é".repeat(300)));
    accepted(&value);
    assert_eq!(
        warnings(&value),
        [("/extra_info/ref1".to_owned(), Rule::RefTruncated)]
    );
    let mut request = kaleyra_wa::from_str(&value.to_string()).unwrap();
    assert_eq!(request.normalize().len(), 1);
    assert_eq!(request.extra_info.unwrap().ref1.unwrap(), "é".repeat(255));
}

#[test]
fn null_is_not_absent() {
    for pointer in [
        "/extra_info",
        "/extra_info/ref",
        "/extra_info/wa_source",
        "/messaging_object/recipient_type",
        "/messaging_object/interactive/body",
        "/messaging_object/interactive/footer",
        "/messaging_object/context",
        "/messaging_object/biz_opaque_callback_data",
    ] {
        rejected_at(&with(pointer, Value::Null), pointer, Rule::Type);
        accepted(&without_or_absent(pointer));
    }
}

/// The payload without the member at `pointer`, if present.
fn without_or_absent(pointer: &str) -> Value {
    let mut value = payload();
    let at = pointer.rfind('/').unwrap();
    if let Some(object) = value
        .pointer_mut(&pointer[..at])
        .and_then(Value::as_object_mut)
    {
        object.remove(&pointer[at + 1..]);
    }
    value
}

#[test]
fn empty_texts_are_rejected() {
    for pointer in [
        "/messaging_object/interactive/body/text",
        FOOTER,
        "/messaging_object/interactive/action/catalog_id",
        "/messaging_object/interactive/action/product_retailer_id",
    ] {
        rejected_at(&with(pointer, json!("")), pointer, Rule::Empty);
    }
    // A body or footer object without its text is a missing member, not an empty one.
    rejected_at(
        &with("/messaging_object/interactive/body", json!({})),
        "/messaging_object/interactive/body",
        Rule::Missing,
    );
}

#[test]
fn unknown_members_are_rejected() {
    let typo = with(
        "/messaging_object/interactive/action/catalogue_id",
        json!("103449"),
    );
    rejected_at(
        &typo,
        "/messaging_object/interactive/action/catalogue_id",
        Rule::Unknown,
    );
    rejected_at(
        &with("/extra_info/ref3", json!("x")),
        "/extra_info/ref3",
        Rule::Unknown,
    );
    rejected_at(
        &with("/messaging_object/preview_url", json!("x")),
        "/messaging_object/preview_url",
        Rule::Unknown,
    );
}

#[test]
fn duplicate_keys_are_rejected() {
    let text = payload().to_string().replace(
        r#""catalog_id":"103449""#,
        r#""catalog_id":"103449","catalog_id":"103450""#,
    );
    assert_eq!(
        errors_of_text(&text),
        [(
            "/messaging_object/interactive/action/catalog_id".to_owned(),
            Rule::DuplicateKey
        )]
    );
    let text =
        payload()
            .to_string()
            .replacen(r#""extra_info":"#, r#""extra_info":{},"extra_info":"#, 1);
    assert_eq!(
        errors_of_text(&text),
        [("/extra_info".to_owned(), Rule::DuplicateKey)]
    );
}

#[test]
fn meta_fields_context_and_biz_opaque_callback_data_are_accepted() {
    let mut value = with(
        "/messaging_object/context",
        json!({"message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI"}),
    );
    value["messaging_object"]["biz_opaque_callback_data"] = json!("order-42");
    accepted(&value);
    let request = kaleyra_wa::from_str(&value.to_string()).unwrap();
    assert_eq!(serde_json::to_value(&request).unwrap(), value);
    rejected_at(
        &with("/messaging_object/context", json!({"message_id": ""})),
        "/messaging_object/context/message_id",
        Rule::Empty,
    );
    rejected_at(
        &with("/messaging_object/context", json!({})),
        "/messaging_object/context",
        Rule::Missing,
    );
    let built = SendRequest::builder()
        .to("919876543210")
        .catalog_id("1")
        .product_retailer_id("2")
        .reply_to("wamid.1")
        .biz_opaque_callback_data("x")
        .build()
        .unwrap();
    assert_eq!(
        built.messaging_object.context.unwrap().message_id,
        "wamid.1"
    );
}

#[test]
fn objects_are_objects_not_arrays() {
    // serde's derive also reads a struct from an array of its members' values; the wire
    // format (and the JSON Schema) only has objects.
    for (pointer, array) in [
        ("/extra_info", json!([])),
        (
            "/messaging_object/interactive/action",
            json!(["103449", "17026"]),
        ),
        ("/messaging_object/interactive/body", json!(["Hi"])),
        ("/messaging_object/interactive/footer", json!(["Hi"])),
        ("/messaging_object/context", json!(["wamid.1"])),
    ] {
        rejected_at(&with(pointer, array), pointer, Rule::Type);
    }
    let object = payload()["messaging_object"].clone();
    assert_eq!(errors(&json!([object])), [(String::new(), Rule::Type)]);
    // And a constant is a string, never a number or an object.
    let pointer = "/messaging_object/interactive/type";
    rejected_at(&with(pointer, json!(1)), pointer, Rule::Type);
    rejected_at(
        &with(pointer, json!({"product": null})),
        pointer,
        Rule::Type,
    );
}
