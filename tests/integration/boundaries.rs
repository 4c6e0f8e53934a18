//! Every length limit at the limit and one past it, with multi-byte characters: limits count
//! Unicode code points, not bytes, not UTF-16 units, not graphemes.

use kaleyra_wa::{Report, Rule, SendRequest};
use serde_json::{Value, json};

/// 2 bytes in UTF-8, 1 UTF-16 unit.
const E_ACUTE: &str = "é";
/// 4 bytes in UTF-8, 2 UTF-16 units (a surrogate pair).
const GRIN: &str = "😀";
/// Thumbs up with a skin tone: 2 code points, 8 bytes, 4 UTF-16 units, 1 grapheme.
const THUMBS: &str = "👍🏽";

/// A valid payload with every optional text member present.
fn base() -> Value {
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
            },
            "biz_opaque_callback_data": "tracking"
        },
        "extra_info": {"ref": "customer1", "ref1": "marketing", "ref2": "dictionary", "wa_source": "api"}
    })
}

/// Parses and validates the base payload with `text` at `pointer`.
fn check_with(pointer: &str, text: &str) -> (SendRequest, Report) {
    let mut value = base();
    *value
        .pointer_mut(pointer)
        .expect("a member of the base payload") = json!(text);
    let request = kaleyra_wa::from_slice(&serde_json::to_vec(&value).unwrap())
        .unwrap_or_else(|e| panic!("{pointer}: {e}"));
    let report = request.validate();
    (request, report)
}

fn findings(report: &Report) -> Vec<(String, Rule)> {
    report
        .violations()
        .iter()
        .map(|v| (v.pointer.clone(), v.rule))
        .collect()
}

/// `text` (counted in code points) passes at `pointer` with no finding at all.
fn passes(pointer: &str, text: &str) {
    let (_, report) = check_with(pointer, text);
    assert!(
        report.is_clean(),
        "{pointer} with {} code points: {report}",
        text.chars().count()
    );
}

/// `text` fails at `pointer` with exactly one error, too-long, naming the code point count.
fn too_long(pointer: &str, text: &str, limit: usize) {
    let (_, report) = check_with(pointer, text);
    assert_eq!(
        findings(&report),
        [(pointer.to_owned(), Rule::TooLong)],
        "{report}"
    );
    let message = &report.violations()[0].message;
    let count = text.chars().count();
    assert!(
        message.starts_with(&format!(
            "{count} characters, more than the limit of {limit}"
        )),
        "{message}"
    );
}

fn units_utf16(text: &str) -> usize {
    text.encode_utf16().count()
}

const BODY: &str = "/messaging_object/interactive/body/text";
const FOOTER: &str = "/messaging_object/interactive/footer/text";
const BIZ: &str = "/messaging_object/biz_opaque_callback_data";

#[test]
fn body_1024_passes_1025_fails() {
    for c in [E_ACUTE, GRIN, "中", "a"] {
        passes(BODY, &c.repeat(1024));
        too_long(BODY, &c.repeat(1025), 1024);
    }
    // 512 thumbs with skin tone: 1024 code points (2048 UTF-16 units, 512 graphemes).
    let thumbs = THUMBS.repeat(512);
    assert_eq!(units_utf16(&thumbs), 2048);
    passes(BODY, &thumbs);
    too_long(BODY, &format!("{thumbs}{E_ACUTE}"), 1024);
    // The lower bound: one character; empty is its own error.
    passes(BODY, GRIN);
    let (_, report) = check_with(BODY, "");
    assert_eq!(findings(&report), [(BODY.to_owned(), Rule::Empty)]);
}

#[test]
fn footer_60_passes_61_fails() {
    // 60 emoji pass though UTF-16 counts 120 units and UTF-8 240 bytes.
    let sixty = GRIN.repeat(60);
    assert_eq!((units_utf16(&sixty), sixty.len()), (120, 240));
    passes(FOOTER, &sixty);
    too_long(FOOTER, &GRIN.repeat(61), 60);
    passes(FOOTER, &E_ACUTE.repeat(60));
    too_long(FOOTER, &E_ACUTE.repeat(61), 60);
    // 30 skin-toned thumbs are 60 code points (30 graphemes): the limit exactly.
    passes(FOOTER, &THUMBS.repeat(30));
    too_long(FOOTER, &format!("{}{E_ACUTE}", THUMBS.repeat(30)), 60);
    // 31 graphemes, 61 code points: a grapheme count (31 ≤ 60) would wrongly pass it.
    too_long(FOOTER, &format!("{}👍", THUMBS.repeat(30)), 60);
    let (_, report) = check_with(FOOTER, "");
    assert_eq!(findings(&report), [(FOOTER.to_owned(), Rule::Empty)]);
}

#[test]
fn biz_opaque_callback_data_512_passes_513_fails() {
    for c in [E_ACUTE, GRIN, "中"] {
        passes(BIZ, &c.repeat(512));
        too_long(BIZ, &c.repeat(513), 512);
    }
    passes(BIZ, &THUMBS.repeat(256));
    too_long(BIZ, &format!("{}x", THUMBS.repeat(256)), 512);
    // No lower bound is documented: empty passes.
    passes(BIZ, "");
}

#[test]
fn limits_count_escaped_surrogate_pairs_as_one_code_point() {
    // JSON text with `\ud83d\ude00` escapes: 60 of them are 60 code points.
    let mut value = base();
    value["messaging_object"]["interactive"]["footer"]["text"] = json!("FOOTER");
    let text = serde_json::to_string(&value).unwrap();
    for (n, ok) in [(60, true), (61, false)] {
        let escaped = text.replace("FOOTER", &"\\ud83d\\ude00".repeat(n));
        let request = kaleyra_wa::from_str(&escaped).unwrap();
        let footer = &request
            .messaging_object
            .interactive
            .footer
            .as_ref()
            .unwrap()
            .text;
        assert_eq!(footer.chars().count(), n);
        assert_eq!(request.validate().is_valid(), ok, "{n}");
    }
}

#[test]
fn refs_warn_past_255_and_normalize_truncates() {
    for name in ["ref", "ref1", "ref2"] {
        let pointer = format!("/extra_info/{name}");
        for c in [E_ACUTE, GRIN] {
            // 255: no warning, and normalize leaves it alone.
            let (mut request, report) = check_with(&pointer, &c.repeat(255));
            assert!(report.is_clean(), "{report}");
            assert!(request.normalize().is_empty());

            // 256: valid, one warning, normalize keeps the first 255 code points.
            let (mut request, report) = check_with(&pointer, &c.repeat(256));
            assert!(report.is_valid());
            assert_eq!(findings(&report), [(pointer.clone(), Rule::RefTruncated)]);
            assert_eq!(
                report.violations()[0].message,
                "256 characters; the server keeps the first 255"
            );
            let changes = request.normalize();
            assert_eq!(changes.len(), 1);
            assert_eq!(changes[0].pointer, pointer);
            assert_eq!(changes[0].after, c.repeat(255));
            assert_eq!(changes[0].before, c.repeat(256));
            let extra = request.extra_info.as_ref().unwrap();
            let value = extra
                .refs()
                .into_iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v)
                .unwrap();
            assert_eq!(value, c.repeat(255));
            assert!(request.validate().is_clean());
        }
    }
    // 254 ASCII + 👍🏽: 256 code points; the cut falls between 👍 and its skin tone.
    let (mut request, report) =
        check_with("/extra_info/ref", &format!("{}{THUMBS}", "a".repeat(254)));
    assert_eq!(report.warnings().count(), 1);
    request.normalize();
    assert_eq!(
        request.extra_info.unwrap().r#ref.unwrap(),
        format!("{}👍", "a".repeat(254))
    );
}

#[test]
fn builder_enforces_the_same_limits() {
    let builder = || {
        SendRequest::builder()
            .to("919876543210")
            .catalog_id("1")
            .product_retailer_id("2")
    };
    assert!(builder().footer(GRIN.repeat(60)).build().is_ok());
    assert!(builder().footer(GRIN.repeat(61)).build().is_err());
    assert!(builder().body(THUMBS.repeat(512)).build().is_ok());
    assert!(
        builder()
            .body(format!("{}a", THUMBS.repeat(512)))
            .build()
            .is_err()
    );
    assert!(
        builder()
            .biz_opaque_callback_data("中".repeat(512))
            .build()
            .is_ok()
    );
    assert!(
        builder()
            .biz_opaque_callback_data("中".repeat(513))
            .build()
            .is_err()
    );
    // A ref past 255 only warns: the request is built.
    assert!(builder().r#ref(GRIN.repeat(256)).build().is_ok());
}
