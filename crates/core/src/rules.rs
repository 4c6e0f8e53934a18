//! The rules a payload is checked against, each with a stable code.
//!
//! Codes never change meaning once published: tools and CI configurations match on them.
//! The limits themselves live on the request types (see [`crate::limits`]); this module
//! names the rules and documents them.

use std::fmt;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The API rejects the payload, or the message cannot be delivered as written.
    Error,
    /// The API accepts the payload but changes it (truncates, replaces a value).
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that width and alignment (`{:<7}`) apply.
        f.pad(self.as_str())
    }
}

macro_rules! rules {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = ($code:literal, $name:literal, $severity:ident, $summary:literal,
            bad: $bad:literal, good: $good:literal);
    )*) => {
        /// A rule a payload is checked against.
        ///
        /// Each rule has a stable [`code`](Rule::code) (`KWA001`…), a short kebab-case
        /// [`name`](Rule::name), a [`severity`](Rule::severity), and documentation with a
        /// bad and a good example ([`explain`](Rule::explain)).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Rule {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Rule {
            /// Every rule, in code order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable code, e.g. `"KWA007"`.
            pub const fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }

            /// The kebab-case name, e.g. `"too-long"`.
            pub const fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* }
            }

            /// Whether a finding of this rule is an error or a warning.
            pub const fn severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }

            /// One line saying what the rule checks.
            pub const fn summary(self) -> &'static str {
                match self { $(Rule::$variant => $summary,)* }
            }

            /// A payload (fragment) that breaks the rule.
            pub const fn bad_example(self) -> &'static str {
                match self { $(Rule::$variant => $bad,)* }
            }

            /// The same payload (fragment) written correctly.
            pub const fn good_example(self) -> &'static str {
                match self { $(Rule::$variant => $good,)* }
            }

            /// The longer documentation of the rule (its doc comment).
            pub const fn description(self) -> &'static str {
                match self { $(Rule::$variant => concat!($($doc, "\n",)*),)* }
            }
        }
    };
}

rules! {
    /// The file is not well-formed JSON (RFC 8259), or is not UTF-8. The API answers
    /// `WA400 Incorrect payload format`.
    Syntax = ("KWA001", "syntax", Error, "the payload is not well-formed JSON",
        bad: r#"{"messaging_object": {"to": "919876543210",}}"#,
        good: r#"{"messaging_object": {"to": "919876543210"}}"#);
    /// An object has the same key twice. Parsers disagree on which one wins (most keep the
    /// last, some the first, some reject): the request may not mean what it says.
    DuplicateKey = ("KWA002", "duplicate-key", Error, "an object has the same key twice",
        bad: r#"{"catalog_id": "1034", "catalog_id": "1035"}"#,
        good: r#"{"catalog_id": "1035"}"#);
    /// A member has the wrong JSON type: every member of this API is a string or an object.
    Type = ("KWA003", "type", Error, "a member has the wrong JSON type",
        bad: r#"{"catalog_id": 103449}"#,
        good: r#"{"catalog_id": "103449"}"#);
    /// A mandatory member is missing. Mandatory: `messaging_object`, and in it
    /// `messaging_product`, `to`, `type`, `interactive`; `interactive.type` and
    /// `interactive.action` with `catalog_id` and `product_retailer_id`; `text` in a `body`
    /// or `footer` that is present.
    Missing = ("KWA004", "missing-member", Error, "a mandatory member is missing",
        bad: r#"{"action": {"catalog_id": "103449"}}"#,
        good: r#"{"action": {"catalog_id": "103449", "product_retailer_id": "17026"}}"#);
    /// A member the API does not define. Usually a typo (`catalogue_id`); the API would
    /// reject or silently ignore it.
    Unknown = ("KWA005", "unknown-member", Error, "a member the API does not define",
        bad: r#"{"action": {"catalogue_id": "103449", "product_retailer_id": "17026"}}"#,
        good: r#"{"action": {"catalog_id": "103449", "product_retailer_id": "17026"}}"#);
    /// A member that has one allowed value has another: `messaging_product` must be
    /// `whatsapp`, `recipient_type` `individual`, `type` `interactive`, `interactive.type`
    /// `product`.
    Constant = ("KWA006", "constant", Error, "a member has a value other than its one allowed value",
        bad: r#"{"interactive": {"type": "product_list"}}"#,
        good: r#"{"interactive": {"type": "product"}}"#);
    /// A text is longer than its limit, counted in Unicode code points: `body.text` 1024,
    /// `footer.text` 60, `biz_opaque_callback_data` 512.
    TooLong = ("KWA007", "too-long", Error, "a text is longer than its limit (in Unicode code points)",
        bad: r#"{"footer": {"text": "A footer that goes on and on for far more than sixty characters"}}"#,
        good: r#"{"footer": {"text": "Shipment from Kaleyra."}}"#);
    /// A text that must not be empty is empty: `catalog_id`, `product_retailer_id`,
    /// `body.text`, `footer.text`, `context.message_id`.
    Empty = ("KWA008", "empty", Error, "a text that must not be empty is empty",
        bad: r#"{"action": {"catalog_id": "", "product_retailer_id": "17026"}}"#,
        good: r#"{"action": {"catalog_id": "103449", "product_retailer_id": "17026"}}"#);
    /// A recipient in `to` is not an E.164 number: country code first (no leading zero),
    /// 7 to 15 digits, an optional leading `+`, no spaces or dashes. Several recipients are
    /// separated by commas, with no spaces.
    Phone = ("KWA009", "phone-number", Error, "a recipient is not an E.164 phone number",
        bad: r#"{"to": "+91 98765-43210,09876543210"}"#,
        good: r#"{"to": "+919876543210,919876543211"}"#);
    /// `interactive.header` is set. Meta: "You cannot set a header if your interactive object
    /// is of product type."
    Header = ("KWA010", "header-not-allowed", Error, "headers are not allowed on single-product messages",
        bad: r#"{"interactive": {"type": "product", "header": {"type": "text", "text": "Hi"}}}"#,
        good: r#"{"interactive": {"type": "product", "body": {"text": "Hi"}}}"#);
    /// A file could not be read at all (missing, a permission error, not a file).
    Unreadable = ("KWA011", "unreadable", Error, "a file could not be read",
        bad: "missing.json (no such file)",
        good: "payload.json");
    /// An input is past one of the linter's limits, so it was not checked: nesting deeper
    /// than 127 levels (any file), a JSON file larger than `--max-file-size` (default
    /// 256 KiB), or a JSON Lines line longer than `--max-line-length` (default 256 KiB). A
    /// request is a few kilobytes; such input is almost always a wrong file.
    Limit = ("KWA012", "limit", Error, "an input is past a limit (nesting depth, file size, line length)",
        bad: "[[[[[[ ... 200 levels ... ]]]]]]",
        good: r#"{"messaging_object": {"to": "919876543210"}}"#);
    /// The linter itself failed on a document (a bug in the linter, not in the payload). The
    /// document's other findings are lost, the other documents are still checked; please
    /// report it with the document.
    Internal = ("KWA013", "internal", Error, "the linter failed on a document (a linter bug)",
        bad: "(no payload causes this on purpose)",
        good: r#"{"messaging_object": {"to": "919876543210"}}"#);
    /// `extra_info.wa_source` is not one of the 13 documented values; the server replaces it
    /// with `api`.
    UnknownWaSource = ("KWA101", "unknown-wa-source", Warning, "wa_source is not a documented value and will be sent as api",
        bad: r#"{"extra_info": {"wa_source": "website"}}"#,
        good: r#"{"extra_info": {"wa_source": "api"}}"#);
    /// `extra_info.ref`, `ref1` or `ref2` is longer than 255 code points; the server keeps
    /// only the first 255.
    RefTruncated = ("KWA102", "ref-truncated", Warning, "a ref is longer than 255 characters and will be truncated",
        bad: r#"{"extra_info": {"ref": "<300 characters>"}}"#,
        good: r#"{"extra_info": {"ref": "customer1"}}"#);
}

impl Rule {
    /// Looks a rule up by its code (`KWA007`) or its name (`too-long`), ignoring ASCII case.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| {
            rule.code().eq_ignore_ascii_case(code) || rule.name().eq_ignore_ascii_case(code)
        })
    }

    /// The rule's documentation as Markdown: summary, description, and both examples.
    pub fn explain(self) -> String {
        format!(
            "# {code} {name} ({severity})\n\n{summary}.\n\n{description}\n## Bad\n\n```json\n{bad}\n```\n\n## Good\n\n```json\n{good}\n```\n",
            code = self.code(),
            name = self.name(),
            severity = self.severity(),
            summary = self.summary(),
            description = self.description().replace("\n ", "\n").trim_start(),
            bad = self.bad_example(),
            good = self.good_example(),
        )
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::{
        BIZ_OPAQUE_CALLBACK_DATA_MAX, BODY_TEXT_MAX, FOOTER_TEXT_MAX, MAX_DEPTH, REF_MAX,
    };

    /// The limits a rule's prose states are the constants.
    #[test]
    fn the_limits_in_the_rule_docs_are_the_constants() {
        let prose = |rule: Rule| {
            format!(
                "{} {}",
                rule.summary(),
                rule.description().replace("\n ", " ")
            )
        };
        let too_long = prose(Rule::TooLong);
        for stated in [
            format!("`body.text` {BODY_TEXT_MAX}"),
            format!("`footer.text` {FOOTER_TEXT_MAX}"),
            format!("`biz_opaque_callback_data` {BIZ_OPAQUE_CALLBACK_DATA_MAX}"),
        ] {
            assert!(too_long.contains(&stated), "{stated}: {too_long}");
        }
        let truncated = prose(Rule::RefTruncated);
        assert!(
            truncated.contains(&format!("longer than {REF_MAX} characters")),
            "{truncated}"
        );
        assert!(
            truncated.contains(&format!("first {REF_MAX}")),
            "{truncated}"
        );
        let limit = prose(Rule::Limit);
        assert!(
            limit.contains(&format!("deeper than {MAX_DEPTH} levels")),
            "{limit}"
        );
        // Every number in the prose is one of the constants (or a count of documented values
        // or digits, pinned by the tests of the pattern and of `WaSource`).
        let known: Vec<String> = [BODY_TEXT_MAX, FOOTER_TEXT_MAX, BIZ_OPAQUE_CALLBACK_DATA_MAX]
            .iter()
            .map(u64::to_string)
            // 256: the linter's default input limits in KiB, pinned by the linter's tests.
            .chain([REF_MAX, MAX_DEPTH, 13, 7, 15, 1, 256].map(|n| n.to_string()))
            .collect();
        for rule in Rule::ALL {
            let text = format!("{} {}", rule.summary(), rule.description());
            let numbers = text
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty());
            for number in numbers {
                // Codes (`KWA007`, the API's `WA400`), E.164, RFC and section numbers, `ref1`
                // and `ref2` are not limits.
                let is_reference = text.contains(&format!("RFC {number}"))
                    || text.contains(&format!("section {number}"))
                    || text.contains(&format!("WA{number}"))
                    || text.contains(&format!("E.{number}"))
                    || text.contains(&format!("ref{number}"));
                assert!(
                    known.contains(&number.to_owned()) || is_reference,
                    "{}: `{number}` is not a constant",
                    rule.code()
                );
            }
        }
    }

    #[test]
    fn codes_and_names_are_unique_and_found() {
        for (i, a) in Rule::ALL.iter().enumerate() {
            for b in &Rule::ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
                assert_ne!(a.name(), b.name());
            }
            assert_eq!(Rule::from_code(a.code()), Some(*a));
            assert_eq!(Rule::from_code(&a.name().to_uppercase()), Some(*a));
            assert!(a.explain().contains("## Bad"));
        }
        assert_eq!(Rule::from_code("KWA999"), None);
        assert!(
            Rule::ALL
                .iter()
                .all(|rule| !rule.explain().contains("kaleyra-wa-lint")),
            "the rules do not name a tool"
        );
        assert_eq!(format!("[{:<7}]", Severity::Error), "[error  ]");
    }
}
