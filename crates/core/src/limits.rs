//! The documented limits, in Unicode code points (the unit of JSON Schema's `maxLength`).
//!
//! Each is used by the attributes on the request types, which the validator and the schema
//! both read; the ref limit is used by the warnings and [`SendRequest::normalize`](crate::SendRequest::normalize).

/// `interactive.body.text`: at most 1024 characters.
pub const BODY_TEXT_MAX: u64 = 1024;
/// `interactive.footer.text`: at most 60 characters.
pub const FOOTER_TEXT_MAX: u64 = 60;
/// `messaging_object.biz_opaque_callback_data`: at most 512 characters (Meta).
pub const BIZ_OPAQUE_CALLBACK_DATA_MAX: u64 = 512;
/// `extra_info.ref`, `ref1`, `ref2`: the server keeps the first 255 characters.
pub const REF_MAX: usize = 255;

/// A [`Report`](crate::Report) lists at most this many bad recipients of `to`, the first
/// ones; it counts the others ([`Report::unlisted_recipients`](crate::Report::unlisted_recipients)).
/// A `to` of megabytes may hold millions of bad recipients: listing each would cost far more
/// memory than the payload.
pub const MAX_LISTED_RECIPIENTS: usize = 10;

/// The deepest nesting accepted (arrays and objects inside each other); deeper, a document is
/// rejected ([`crate::Rule::Limit`]) instead of parsed. It is serde_json's recursion limit,
/// which keeps the parser's stack bounded. A request nests four levels deep.
pub const MAX_DEPTH: usize = 127;

/// The message for a document nested deeper than [`MAX_DEPTH`], where parsing stops.
pub(crate) fn too_deep_message() -> String {
    format!("nesting is deeper than {MAX_DEPTH} levels; parsing stopped here")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_depth_is_serde_jsons_recursion_limit_and_the_rule_says_it() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(serde_json::from_str::<serde_json::Value>(&nested(MAX_DEPTH)).is_ok());
        let error = serde_json::from_str::<serde_json::Value>(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert!(error.to_string().starts_with("recursion limit exceeded"));
        let described = crate::Rule::Limit.description().replace("\n ", " ");
        let text = format!("deeper than {MAX_DEPTH} levels");
        assert!(described.contains(&text), "{described}");
    }
}
