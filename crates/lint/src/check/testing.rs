//! What the tests of the shortcuts share: a record, and edits made to it.

use proptest::prelude::*;
use proptest::sample::Index;

/// A valid record with every member the request defines but `context`.
pub(super) const RECORD: &str = r#"{"messaging_object": {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "919876543210,919876543211", "type": "interactive", "interactive": {"type": "product", "body": {"text": "Hi Priya, the shoes are back."}, "footer": {"text": "Reply STOP to opt out."}, "action": {"catalog_id": "1034567849", "product_retailer_id": "SKU-RUN-0042"}}}, "extra_info": {"ref": "crm-000123", "ref1": "campaign", "wa_source": "api"}}"#;

/// Makes each edit of `edits` to `text` in turn: from the character boundary `at` picks,
/// `removed` bytes (up to the next boundary) replaced by `piece`.
pub(super) fn edit(text: &mut String, edits: &[(Index, impl AsRef<str>, usize)]) {
    for (at, piece, removed) in edits {
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let start = *at.get(&bounds);
        let end = bounds
            .iter()
            .copied()
            .find(|&b| b >= start + removed)
            .unwrap_or(text.len());
        text.replace_range(start..end, piece.as_ref());
    }
}

/// Bytes that make or break JSON around members, and `more` of a test's own.
pub(super) fn piece(more: &[&'static str]) -> impl Strategy<Value = String> + use<> {
    let mut pieces = vec![
        "\"",
        "\\",
        ",",
        ":",
        "{",
        "}",
        "[",
        "]",
        " ",
        "\n",
        "0",
        "01",
        "1e400",
        "-",
        "tru",
        "null",
        "\\u0074",
        "\\ud800",
        "\"zz\": 1",
        "\"to\": \"1\"",
        "é",
    ];
    pieces.extend_from_slice(more);
    prop::sample::select(pieces).prop_map(str::to_owned)
}
