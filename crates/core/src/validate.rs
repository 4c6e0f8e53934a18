//! Validation of a typed request: every violation at once, in a stable report.
//!
//! The checks are the `validator` attributes on [`crate::request`]; this module only turns
//! their errors (keyed by Rust field names, in hash order) into [`Violation`]s keyed by JSON
//! pointers, in a deterministic order, and adds the two warnings the server's documented
//! behaviour implies (unknown `wa_source`, refs that will be truncated).

use std::borrow::Cow;
use std::ops::Range;

use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::limits::{
    BIZ_OPAQUE_CALLBACK_DATA_MAX, BODY_TEXT_MAX, FOOTER_TEXT_MAX, MAX_LISTED_RECIPIENTS, REF_MAX,
};
use crate::pointer::push_token;
use crate::report::{Report, Violation};
use crate::request::{ExtraInfo, RECIPIENT_REGEX, SendRequest};
use crate::rules::Rule;
use crate::wa_source::WaSource;

impl SendRequest {
    /// Validates the request: every error and warning at once, each at a JSON pointer with
    /// wire names, in a stable order.
    ///
    /// This is the one validation; the derived `validator::Validate` impl the types carry
    /// is how it is computed (its errors name Rust fields, in hash order).
    ///
    /// ```
    /// let request = kaleyra_wa::from_str(r#"{"messaging_object": {
    ///     "messaging_product": "whatsapp", "to": "919876543210", "type": "interactive",
    ///     "interactive": {"type": "product", "footer": {"text": ""},
    ///         "action": {"catalog_id": "", "product_retailer_id": "17026"}}}}"#)?;
    /// let report = request.validate();
    /// let pointers: Vec<&str> = report.errors().map(|v| v.pointer.as_str()).collect();
    /// assert_eq!(pointers, [
    ///     "/messaging_object/interactive/action/catalog_id",
    ///     "/messaging_object/interactive/footer/text",
    /// ]);
    /// # Ok::<(), kaleyra_wa::ParseError>(())
    /// ```
    pub fn validate(&self) -> Report {
        validate(self)
    }
}

/// The one validation of a request: see [`SendRequest::validate`].
fn validate(request: &SendRequest) -> Report {
    // Most requests are clean: say so without `validator`'s bookkeeping (a hash map entry
    // and an allocation per nested struct, a regex over `to`), which costs as much as parsing.
    if is_clean(request) {
        // In test builds, every clean verdict is checked against the full validator.
        debug_assert!(
            Validate::validate(request).is_ok(),
            "is_clean disagrees with validator"
        );
        return Report::default();
    }
    let mut found = Found::default();
    if let Err(errors) = Validate::validate(request) {
        collect(&errors, &mut String::new(), &mut found);
    }
    warnings(request, &mut found.violations);
    // And every verdict of "not clean" against the rules: a shortcut stricter than the rules
    // would send valid requests down the slow path unnoticed.
    debug_assert!(
        !found.violations.is_empty(),
        "is_clean rejects what the validator accepts"
    );
    Report::from_violations(found.violations, found.unlisted_recipients)
}

/// True when `request` breaks no rule and earns no warning: the same verdict as the
/// attributes on [`crate::request`] and [`warnings`], checked directly, with the same limits.
fn is_clean(request: &SendRequest) -> bool {
    let object = &request.messaging_object;
    let interactive = &object.interactive;
    let action = &interactive.action;
    is_to(&object.to)
        && (object.biz_opaque_callback_data.as_deref())
            .is_none_or(|data| chars_at_most(data, BIZ_OPAQUE_CALLBACK_DATA_MAX as usize))
        && (object.context.as_ref()).is_none_or(|context| !context.message_id.is_empty())
        && (interactive.body.as_ref()).is_none_or(|body| {
            !body.text.is_empty() && chars_at_most(&body.text, BODY_TEXT_MAX as usize)
        })
        && (interactive.footer.as_ref()).is_none_or(|footer| {
            !footer.text.is_empty() && chars_at_most(&footer.text, FOOTER_TEXT_MAX as usize)
        })
        && !action.catalog_id.is_empty()
        && !action.product_retailer_id.is_empty()
        && request.extra_info.as_ref().is_none_or(|extra| {
            extra.wa_source.as_ref().is_none_or(WaSource::is_documented)
                && (extra.refs().iter())
                    .all(|(_, value)| value.is_none_or(|v| chars_at_most(v, REF_MAX)))
        })
}

/// Whether `text` has at most `max` code points (without counting them when the bytes tell).
fn chars_at_most(text: &str, max: usize) -> bool {
    text.len() <= max || text.chars().count() <= max
}

/// Whether `to` matches [`crate::TO_PATTERN`] (recipients separated by single commas): the
/// pattern as a byte loop, several times faster than the regex on long lists. Tested against
/// the regex below.
fn is_to(to: &str) -> bool {
    to.as_bytes().split(|b| *b == b',').all(|recipient| {
        let digits = recipient.strip_prefix(b"+").unwrap_or(recipient);
        (7..=15).contains(&digits.len())
            && digits[0] != b'0'
            && digits.iter().all(u8::is_ascii_digit)
    })
}

/// What [`collect`] found: the violations, and the bad recipients it counted without listing.
#[derive(Default)]
struct Found {
    violations: Vec<Violation>,
    unlisted_recipients: usize,
}

fn collect(errors: &ValidationErrors, pointer: &mut String, out: &mut Found) {
    for (field, kind) in errors.errors() {
        let len = pointer.len();
        // Rust field names are wire names (an invariant of `crate::request`), but for the
        // raw-identifier prefix.
        push_token(pointer, field.strip_prefix("r#").unwrap_or(field));
        match kind {
            ValidationErrorsKind::Struct(inner) => collect(inner, pointer, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    let len = pointer.len();
                    push_token(pointer, &index.to_string());
                    collect(inner, pointer, out);
                    pointer.truncate(len);
                }
            }
            ValidationErrorsKind::Field(field_errors) => {
                for error in field_errors {
                    field_violations(error, pointer, out);
                }
            }
        }
        pointer.truncate(len);
    }
}

fn field_violations(error: &ValidationError, pointer: &str, out: &mut Found) {
    let value = error.params.get("value").and_then(|v| v.as_str());
    match error.code.as_ref() {
        "length" => {
            let max = error.params.get("max").and_then(|v| v.as_u64());
            (out.violations).push(length_violation(pointer, value.unwrap_or_default(), max));
        }
        "phone" => {
            let (listed, unlisted) = recipient_violations(pointer, value.unwrap_or_default());
            out.violations.extend(listed);
            out.unlisted_recipients += unlisted;
        }
        other => out.violations.push(Violation::new(
            pointer,
            Rule::Type,
            format!("failed check `{other}`"),
        )),
    }
}

/// The violation of a string that broke its length rule (for the linter, which finds the
/// place itself): [`Rule::TooLong`] when it is longer
/// than `max` code points, else [`Rule::Empty`].
pub fn length_violation(pointer: &str, value: &str, max: Option<u64>) -> Violation {
    let chars = value.chars().count();
    match max {
        Some(max) if chars as u64 > max => Violation::new(
            pointer,
            Rule::TooLong,
            format!(
                "{chars} characters, more than the limit of {max} (counted in Unicode code points)"
            ),
        ),
        _ => Violation::new(pointer, Rule::Empty, "must not be empty"),
    }
}

/// For the linter: one [`Rule::Phone`] violation for each recipient of `to` that is not an
/// E.164 number, with its byte range inside `to` in [`Violation::range_in_value`], for the
/// first [`MAX_LISTED_RECIPIENTS`] of them; and how many more there are.
pub fn recipient_violations(pointer: &str, to: &str) -> (Vec<Violation>, usize) {
    let mut bad = bad_recipients(to);
    let listed = bad
        .by_ref()
        .take(MAX_LISTED_RECIPIENTS)
        .map(|(range, reason)| Violation {
            range_in_value: Some(range.clone()),
            ..Violation::new(
                pointer,
                Rule::Phone,
                format!(
                    "`{}` is not an E.164 phone number: {reason}",
                    quoted(&to[range])
                ),
            )
        })
        .collect();
    (listed, bad.count())
}

/// The recipients of a `to` value that are not E.164 numbers, with their byte ranges and a
/// reason for a person. Empty when `to` matches [`crate::TO_PATTERN`].
fn bad_recipients(to: &str) -> impl Iterator<Item = (Range<usize>, &'static str)> + '_ {
    let mut start = 0;
    to.split(',').filter_map(move |recipient| {
        let range = start..start + recipient.len();
        start = range.end + 1;
        recipient_problem(recipient).map(|reason| (range, reason))
    })
}

/// Why one recipient is not an E.164 number, or `None` when it is one.
fn recipient_problem(recipient: &str) -> Option<&'static str> {
    if RECIPIENT_REGEX.is_match(recipient) {
        return None;
    }
    let digits = recipient.strip_prefix('+').unwrap_or(recipient);
    Some(if recipient.is_empty() {
        "empty (separate recipients with single commas, none at the ends)"
    } else if digits.contains([' ', '-', '(', ')']) {
        "remove spaces, dashes and brackets"
    } else if !digits.bytes().all(|b| b.is_ascii_digit()) {
        "only digits and one leading `+` are allowed"
    } else if digits.starts_with('0') {
        "start with the country code, not with 0"
    } else if digits.len() < 7 {
        "too short (7 to 15 digits)"
    } else {
        "too long (7 to 15 digits)"
    })
}

fn warnings(request: &SendRequest, out: &mut Vec<Violation>) {
    if let Some(extra) = &request.extra_info {
        extra_info_warnings(extra, out);
    }
}

impl ExtraInfo {
    #[doc(hidden)]
    /// The warnings about this `extra_info` (refs the server will truncate, an undocumented
    /// `wa_source`), with pointers from the document root (`/extra_info/...`). They are part
    /// of [`SendRequest::validate`]'s report; this is for callers that only have the `extra_info` object.
    pub fn warnings(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        extra_info_warnings(self, &mut out);
        out
    }
}

fn extra_info_warnings(extra: &ExtraInfo, out: &mut Vec<Violation>) {
    for (name, value) in extra.refs() {
        let Some(value) = value else { continue };
        let chars = value.chars().count();
        if chars > REF_MAX {
            out.push(Violation::new(
                format!("/extra_info/{name}"),
                Rule::RefTruncated,
                format!("{chars} characters; the server keeps the first {REF_MAX}"),
            ));
        }
    }
    if let Some(source) = extra.wa_source.as_ref().filter(|s| !s.is_documented()) {
        out.push(Violation::new(
            "/extra_info/wa_source",
            Rule::UnknownWaSource,
            format!(
                "`{}` is not a documented wa_source; it will be sent as `api`",
                quoted(source.as_str())
            ),
        ));
    }
}

/// A text from a payload as a message quotes it: its first 40 code points, then `…`. The
/// messages written in our words that quote payload text (here and in the linter) go
/// through it, so that they stay short whatever the payload holds (a key of megabytes);
/// serde's messages, which parse errors pass on, still quote it whole.
#[doc(hidden)]
pub fn quoted(value: &str) -> Cow<'_, str> {
    const MAX: usize = 40;
    match value.char_indices().nth(MAX) {
        Some((end, _)) => Cow::Owned(format!("{}…", &value[..end])),
        None => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::TO_REGEX;

    #[test]
    fn bad_recipients_name_each_one_with_its_range() {
        let to = "919876543210,+91 98765,0123456789,,12";
        let bad: Vec<_> = bad_recipients(to).collect();
        let texts: Vec<&str> = bad.iter().map(|(r, _)| &to[r.clone()]).collect();
        assert_eq!(texts, ["+91 98765", "0123456789", "", "12"]);
        assert_eq!(bad[0].1, "remove spaces, dashes and brackets");
        assert_eq!(bad[1].1, "start with the country code, not with 0");
        assert!(bad[2].1.starts_with("empty"));
        assert_eq!(bad[3].1, "too short (7 to 15 digits)");
        assert_eq!(bad_recipients("919876543210,+16505551234").count(), 0);
    }

    #[test]
    fn recipient_violations_list_the_first_bad_recipients_and_count_the_rest() {
        for bad in [0, 1, MAX_LISTED_RECIPIENTS, MAX_LISTED_RECIPIENTS + 1, 1000] {
            // Good recipients between the bad ones: only the bad are listed and counted.
            let to: String = (0..bad).map(|i| format!(",{i},919876543210")).collect();
            let to = format!("919876543210{to}");
            let (listed, unlisted) = recipient_violations("/messaging_object/to", &to);
            assert_eq!(listed.len(), bad.min(MAX_LISTED_RECIPIENTS), "{bad}");
            assert_eq!(listed.len() + unlisted, bad, "{bad}");
            let texts: Vec<&str> = listed
                .iter()
                .map(|v| &to[v.range_in_value.clone().unwrap()])
                .collect();
            let first: Vec<String> = (0..listed.len()).map(|i| i.to_string()).collect();
            assert_eq!(texts, first, "the first ones, in order");
        }
    }

    #[test]
    fn is_to_agrees_with_the_pattern() {
        let fixed = [
            "",
            ",",
            "+",
            "1234567",
            "123456",
            "0123456",
            "+1234567",
            "++1234567",
            "123456789012345",
            "1234567890123456",
            "1234567,",
            ",1234567",
            "1234567,,1234567",
            "1234567,+7654321",
            "1234567 ,7654321",
            "12345678\n",
            "١٢٣٤٥٦٧",
            "１２３４５６７",
        ];
        // Random strings over the characters that matter (mostly digits), fixed seed.
        const ALPHABET: &[u8] = b"0123456789123456789+,, a";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let random = (0..20_000).map(|_| {
            let len = next() % 40;
            (0..len)
                .map(|_| char::from(ALPHABET[next() % ALPHABET.len()]))
                .collect::<String>()
        });
        let mut matched = 0;
        for to in fixed.iter().map(|s| s.to_string()).chain(random) {
            assert_eq!(is_to(&to), TO_REGEX.is_match(&to), "{to:?}");
            matched += usize::from(is_to(&to));
        }
        assert!(
            matched > 200,
            "{matched} matches: the sample must cover both verdicts"
        );
    }
}
