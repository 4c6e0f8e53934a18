//! The core crate against the vendor page's samples: the request sample, the eight response
//! samples (`tests/fixtures/responses/`), the endpoint, the builder and `normalize`.

use std::path::Path;

use kaleyra_wa::{EndpointError, ErrorData, ErrorKind, Pod, Response, Rule, SendRequest, WaSource};
use serde_json::{Value, json};

/// The request sample of the vendor page, verbatim (4-space indentation as printed).
const SAMPLE: &str = include_str!("../../crates/core/src/sample_request.json");

/// Serializes with the sample's 4-space indentation.
fn pretty4(value: &impl serde::Serialize) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer).unwrap();
    String::from_utf8(out).unwrap()
}

/// Member names of every object, depth first, in document order (for order comparisons
/// that do not depend on serde_json's map type).
fn member_order(text: &str) -> Vec<String> {
    // A `"name":` at the start of a trimmed line is a member in these pretty-printed texts.
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let rest = line.strip_prefix('"')?;
            let end = rest.find('"')?;
            rest[end + 1..]
                .trim_start()
                .starts_with(':')
                .then(|| rest[..end].to_owned())
        })
        .collect()
}

#[test]
fn sample_request_parses_and_serializes_back_verbatim() {
    let request = kaleyra_wa::from_str(SAMPLE).expect("the documented sample parses");
    let mo = &request.messaging_object;
    assert_eq!(mo.to, "91XXXXXXXXXX");
    assert_eq!(mo.interactive.action.catalog_id, "103xxxx49");
    assert_eq!(mo.interactive.action.product_retailer_id, "17xxxxxxx26");
    assert_eq!(
        mo.interactive.footer.as_ref().unwrap().text,
        "Shipment from Kaleyra."
    );
    let extra = request.extra_info.as_ref().unwrap();
    assert_eq!(extra.wa_source, Some(WaSource::Api));
    assert_eq!(extra.ref2.as_deref(), Some("dictionary"));

    // Same members, same values, same order: the text itself comes back.
    let back = pretty4(&request);
    assert_eq!(back, SAMPLE.trim_end());
    let expected_order = [
        "messaging_object",
        "messaging_product",
        "recipient_type",
        "to",
        "type",
        "interactive",
        "type",
        "body",
        "text",
        "footer",
        "text",
        "action",
        "catalog_id",
        "product_retailer_id",
        "extra_info",
        "ref",
        "ref1",
        "ref2",
        "wa_source",
    ];
    assert_eq!(member_order(SAMPLE), expected_order);
    assert_eq!(member_order(&back), expected_order);
    let compact: Value = serde_json::from_str(&serde_json::to_string(&request).unwrap()).unwrap();
    assert_eq!(compact, serde_json::from_str::<Value>(SAMPLE).unwrap());
}

/// The checked-in sample is the one on the vendor page, which `../shared/spec/` (beside the
/// clone) holds verbatim: without it this test fails rather than pass unchecked.
#[test]
fn sample_request_is_the_vendor_pages() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/spec/kaleyra-send-single-product-message.txt");
    let page = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the vendor page must be beside the clone to check the sample",
            path.display()
        )
    });
    let start = page
        .find("Sample Request Format")
        .expect("the sample section");
    let body = &page[start..];
    let from = body.find("-d  '").expect("the curl body") + "-d  '".len();
    let to = from + body[from..].find("}'").expect("the end of the body") + 1;
    assert_eq!(&body[from..to], SAMPLE.trim_end());
}

#[test]
fn sample_request_report() {
    let request = kaleyra_wa::from_str(SAMPLE).unwrap();
    let report = request.validate();
    // The placeholder number is the only problem.
    let errors: Vec<_> = report
        .errors()
        .map(|v| (v.pointer.as_str(), v.rule))
        .collect();
    assert_eq!(errors, [("/messaging_object/to", Rule::Phone)]);
    assert_eq!(report.warnings().count(), 0);
    assert_eq!(report.violations()[0].range_in_value, Some(0..12));
    insta::assert_snapshot!(report.to_string());

    // With a real number the sample is clean.
    let mut fixed = request;
    fixed.messaging_object.to = "919876543210".into();
    assert!(fixed.validate().is_clean());
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/responses")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The success sample as printed misses two commas (after `"code":"WA202"` and after the
/// `data` object). `wa202-success.json` is the verbatim text with exactly those two commas
/// added, nothing else changed.
#[test]
fn success_sample_as_printed_is_not_json_and_the_repair_is_two_commas() {
    let verbatim = fixture("wa202-success.verbatim.txt");
    let err = Response::from_slice(&verbatim).unwrap_err();
    assert!(err.is_syntax(), "{err}");
    assert_eq!(err.line(), 3, "{err}");
    assert!(serde_json::from_slice::<Value>(&verbatim).is_err());

    let repaired = fixture("wa202-success.json");
    let verbatim = String::from_utf8(verbatim).unwrap();
    let repaired_text = String::from_utf8(repaired.clone()).unwrap();
    assert_eq!(
        repaired_text,
        verbatim
            .replacen("\"WA202\"\n", "\"WA202\",\n", 1)
            .replacen("}\n\"error\"", "},\n\"error\"", 1)
    );
    assert_eq!(repaired_text.len(), verbatim.len() + 2);
}

/// Every documented response: file, the HTTP status the page prints with it, the kind.
const RESPONSES: &[(&str, u16, Option<ErrorKind>)] = &[
    ("wa202-success.json", 202, None),
    ("rbc001.json", 401, Some(ErrorKind::InvalidCredentials)),
    ("wa401.json", 401, Some(ErrorKind::UnknownPhoneNumber)),
    ("wa400.json", 400, Some(ErrorKind::InvalidPayload)),
    ("wa500.json", 500, Some(ErrorKind::InternalError)),
    ("e110.json", 400, Some(ErrorKind::LowBalance)),
    (
        "wa-401-account.json",
        401,
        Some(ErrorKind::AccountNotAllowed),
    ),
    ("wa-401-version.json", 401, Some(ErrorKind::WrongApiVersion)),
];

#[test]
fn documented_responses_parse_into_the_right_variant() {
    let mut summary = Vec::new();
    for (file, status, kind) in RESPONSES {
        let response =
            Response::from_slice(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        match (&response, kind) {
            (Response::Accepted(ok), None) => {
                assert_eq!(ok.code, "WA202");
                assert_eq!(ok.data.message_id, "AXXXXXXXXXXXXXXXXXXX");
                assert!(ok.error.is_empty());
                summary.push(json!({
                    "file": file, "status": status, "variant": "Accepted",
                    "code": ok.code, "message_id": ok.data.message_id,
                }));
            }
            (Response::Error(error), Some(kind)) => {
                assert_eq!(&error.kind(), kind, "{file}");
                assert_eq!(error.kind().code(), error.code, "{file}");
                assert_eq!(error.kind().http_status(), Some(*status), "{file}");
                assert_eq!(
                    error.kind().is_retryable(),
                    *kind == ErrorKind::InternalError,
                    "{file}"
                );
                assert!(!error.message.is_empty());
                assert_eq!(error.error.len(), 1, "{file}");
                summary.push(json!({
                    "file": file, "status": status, "variant": "Error",
                    "code": error.code, "kind": format!("{:?}", error.kind()),
                    "http_status": error.kind().http_status(),
                    "retryable": error.kind().is_retryable(),
                    "data": error.data, "error": error.error,
                }));
            }
            _ => panic!("{file}: wrong variant {response:?}"),
        }
    }
    insta::assert_json_snapshot!(summary);
}

#[test]
fn both_wa_401_meanings_are_told_apart_by_message() {
    let Response::Error(account) = Response::from_slice(&fixture("wa-401-account.json")).unwrap()
    else {
        panic!("an error")
    };
    let Response::Error(version) = Response::from_slice(&fixture("wa-401-version.json")).unwrap()
    else {
        panic!("an error")
    };
    assert_eq!(account.code, version.code);
    assert_ne!(account.kind(), version.kind());
    assert_eq!(account.kind(), ErrorKind::AccountNotAllowed);
    assert_eq!(version.kind(), ErrorKind::WrongApiVersion);
    // WA401 (no dash) is a third, different error.
    assert_eq!(
        ErrorKind::classify("WA401", &version.message),
        ErrorKind::UnknownPhoneNumber
    );
}

#[test]
fn error_data_is_an_object_or_an_array() {
    let Response::Error(rbc) = Response::from_slice(&fixture("rbc001.json")).unwrap() else {
        panic!("an error")
    };
    assert_eq!(rbc.data, ErrorData::Array(vec![]));
    let Response::Error(wa400) = Response::from_slice(&fixture("wa400.json")).unwrap() else {
        panic!("an error")
    };
    assert_eq!(wa400.data, ErrorData::Object(Default::default()));
    // Serialized back as received.
    assert_eq!(serde_json::to_value(&rbc).unwrap()["data"], json!([]));
    assert_eq!(serde_json::to_value(&wa400).unwrap()["data"], json!({}));
}

#[test]
fn unknown_codes_are_kept_verbatim_and_not_retried() {
    let body = br#"{"code": "WA999", "message": "Something new", "data": {}, "error": {}}"#;
    let Response::Error(error) = Response::from_slice(body).unwrap() else {
        panic!("an error")
    };
    assert_eq!(error.kind(), ErrorKind::Other("WA999".into()));
    assert_eq!(error.kind().code(), "WA999");
    assert_eq!(error.kind().http_status(), None);
    assert!(!error.kind().is_retryable());
    // No code at all is not a response of this API.
    assert!(Response::from_slice(br#"{"message": "x"}"#).is_err());
}

#[test]
fn pods_have_the_reference_pages_domains() {
    let urls: Vec<String> = Pod::ALL
        .iter()
        .map(|pod| {
            pod.messages_url("HXAP16XXXXXX97IN", "919876543210")
                .unwrap()
        })
        .collect();
    assert_eq!(
        urls,
        [
            "https://api.in.kaleyra.io/v2/HXAP16XXXXXX97IN/whatsapp/919876543210/messages",
            "https://api.kaleyra.io/v2/HXAP16XXXXXX97IN/whatsapp/919876543210/messages",
            "https://api.eu.kaleyra.io/v2/HXAP16XXXXXX97IN/whatsapp/919876543210/messages",
            "https://api.na.kaleyra.ai/v2/HXAP16XXXXXX97IN/whatsapp/919876543210/messages",
        ]
    );
    let names: Vec<String> = Pod::ALL.iter().map(Pod::to_string).collect();
    assert_eq!(names, ["IN", "SG", "EU", "NA"]);
    assert_eq!(
        Pod::Eu.base_url("HXEU1").unwrap(),
        "https://api.eu.kaleyra.io/v2/HXEU1"
    );
    // A leading `+` on the business number is dropped.
    assert_eq!(
        Pod::Sg.messages_url("HX1", "+6591234567").unwrap(),
        "https://api.kaleyra.io/v2/HX1/whatsapp/6591234567/messages"
    );
}

#[test]
fn endpoint_rejects_bad_sids_and_numbers() {
    let long = "H".repeat(65);
    for sid in [
        "",
        "HX/../IN",
        "HX AP",
        "HX?x=1",
        "HXé",
        long.as_str(),
        "HX#1",
    ] {
        assert_eq!(
            Pod::In.messages_url(sid, "919876543210"),
            Err(EndpointError::Sid(sid.to_owned())),
            "{sid:?}"
        );
        assert!(Pod::In.base_url(sid).is_err());
    }
    assert!(Pod::In.base_url(&"H".repeat(64)).is_ok());
    for number in [
        "",
        "+",
        "0919876543210",
        "123456",
        "1234567890123456",
        "91 9876543210",
        "++919876543210",
        "919876543210,919876543211",
        "91XXXXXXXXXX",
        "9198765/../43210",
    ] {
        let err = Pod::In.messages_url("HX1", number).unwrap_err();
        assert_eq!(err, EndpointError::PhoneNumber(number.to_owned()));
        assert!(err.to_string().contains("E.164"), "{err}");
    }
    // The SID is checked first.
    assert!(matches!(
        Pod::In.messages_url("", "0"),
        Err(EndpointError::Sid(_))
    ));
}

#[test]
fn builder_fills_the_constants_and_serializes_in_wire_order() {
    let request = SendRequest::builder()
        .to("919876543210,+16505551234")
        .catalog_id("103449")
        .product_retailer_id("17026")
        .body("Your order has been shipped. 📦")
        .footer("Shipment from Kaleyra.")
        .reply_to("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI")
        .biz_opaque_callback_data("order-42")
        .r#ref("customer1")
        .wa_source(WaSource::Shopify)
        .build()
        .unwrap();
    insta::assert_snapshot!(pretty4(&request));
    // What the builder built is what parsing its JSON gives.
    let json = serde_json::to_vec(&request).unwrap();
    assert_eq!(kaleyra_wa::from_slice(&json).unwrap(), request);
}

#[test]
fn builder_omits_extra_info_when_nothing_is_set() {
    let request = SendRequest::builder()
        .to("919876543210")
        .catalog_id("1")
        .product_retailer_id("2")
        .build()
        .unwrap();
    let value = serde_json::to_value(&request).unwrap();
    assert!(value.get("extra_info").is_none());
    let interactive = &value["messaging_object"]["interactive"];
    assert!(interactive.get("body").is_none() && interactive.get("footer").is_none());
    assert_eq!(value["messaging_object"]["recipient_type"], "individual");
}

#[test]
fn builder_refuses_errors_but_builds_with_warnings() {
    let report = SendRequest::builder()
        .to("919876543210,")
        .catalog_id("1")
        .product_retailer_id("")
        .body("")
        .biz_opaque_callback_data("é".repeat(513))
        .build()
        .unwrap_err();
    insta::assert_snapshot!(report.to_string());
    assert_eq!(report.errors().count(), 4);

    let request = SendRequest::builder()
        .to("919876543210")
        .catalog_id("1")
        .product_retailer_id("2")
        .r#ref("😀".repeat(256))
        .wa_source("website")
        .build()
        .expect("warnings do not stop the build");
    let warnings: Vec<_> = request
        .validate()
        .warnings()
        .map(|v| (v.pointer.clone(), v.rule))
        .collect();
    assert_eq!(
        warnings,
        [
            ("/extra_info/ref".to_owned(), Rule::RefTruncated),
            ("/extra_info/wa_source".to_owned(), Rule::UnknownWaSource),
        ]
    );
}

#[test]
fn normalize_reports_what_it_changed() {
    let mut request = SendRequest::builder()
        .to("919876543210")
        .catalog_id("1")
        .product_retailer_id("2")
        .r#ref("a".repeat(255))
        .ref1("😀".repeat(300))
        .ref2(format!("{}👍🏽", "b".repeat(254)))
        .wa_source("website")
        .build()
        .unwrap();
    let changes = request.normalize();
    let summary: Vec<_> = changes
        .iter()
        .map(|c| {
            (
                c.pointer.as_str(),
                c.rule,
                c.before.chars().count(),
                c.after.chars().count(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("/extra_info/ref1", Rule::RefTruncated, 300, 255),
            ("/extra_info/ref2", Rule::RefTruncated, 256, 255),
            ("/extra_info/wa_source", Rule::UnknownWaSource, 7, 3),
        ]
    );
    let extra = request.extra_info.as_ref().unwrap();
    // Cut on a code point boundary: 255 whole emoji, 4 bytes each.
    assert_eq!(extra.ref1.as_deref(), Some("😀".repeat(255).as_str()));
    assert_eq!(extra.ref1.as_ref().unwrap().len(), 255 * 4);
    // 👍🏽 is two code points: the 255th (👍) is kept, the skin tone (the 256th) is not.
    assert_eq!(
        extra.ref2.as_deref(),
        Some(format!("{}👍", "b".repeat(254)).as_str())
    );
    // ref at exactly 255 is untouched.
    assert_eq!(extra.r#ref.as_ref().unwrap().len(), 255);
    assert_eq!(changes[2].before, "website");
    assert_eq!(changes[2].after, "api");
    assert_eq!(extra.wa_source, Some(WaSource::Api));

    // Normalized, the request has nothing left to warn about, and normalize is idempotent.
    assert!(request.validate().is_clean(), "{}", request.validate());
    assert!(request.normalize().is_empty());
}

#[test]
fn normalize_leaves_a_clean_request_alone() {
    let mut request = kaleyra_wa::from_str(SAMPLE).unwrap();
    let before = request.clone();
    assert!(request.normalize().is_empty());
    assert_eq!(request, before);
    let mut bare = SendRequest::builder()
        .to("919876543210")
        .catalog_id("1")
        .product_retailer_id("2")
        .build()
        .unwrap();
    assert!(bare.normalize().is_empty());
}
