//! What validation finds: [`Violation`]s, in a [`Report`].

use std::fmt;
use std::ops::Range;

use crate::rules::{Rule, Severity};

/// One problem found in a payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// RFC 6901 JSON pointer of the member the problem is at, with wire names
    /// (`/messaging_object/interactive/footer/text`); `""` is the whole document.
    pub pointer: String,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong, for a person.
    pub message: String,
    /// For a bad recipient of `to`: its byte range inside the (unescaped) string value.
    pub range_in_value: Option<Range<usize>>,
}

impl Violation {
    pub(crate) fn new(pointer: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Violation {
            pointer: pointer.into(),
            rule,
            message: message.into(),
            range_in_value: None,
        }
    }

    /// The severity of the rule broken.
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{} {} {}: {}",
            self.severity(),
            self.rule.code(),
            pointer,
            self.message
        )
    }
}

/// Every violation of one request, errors and warnings, in a deterministic order (by pointer,
/// then place inside the value, then rule code); of the bad recipients of `to`, the first
/// [`MAX_LISTED_RECIPIENTS`](crate::limits::MAX_LISTED_RECIPIENTS) are listed and the others counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    violations: Vec<Violation>,
    unlisted_recipients: usize,
}

impl Report {
    pub(crate) fn from_violations(
        mut violations: Vec<Violation>,
        unlisted_recipients: usize,
    ) -> Report {
        violations.sort_by(|a, b| {
            (
                &a.pointer,
                a.range_in_value.as_ref().map(|r| r.start),
                a.rule,
            )
                .cmp(&(
                    &b.pointer,
                    b.range_in_value.as_ref().map(|r| r.start),
                    b.rule,
                ))
        });
        Report {
            violations,
            unlisted_recipients,
        }
    }

    /// True when there is no error (warnings allowed): the API accepts the payload.
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }

    /// True when there is neither an error nor a warning.
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty()
    }

    /// All violations, errors and warnings (of the bad recipients of `to`, the first
    /// [`MAX_LISTED_RECIPIENTS`](crate::limits::MAX_LISTED_RECIPIENTS)).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How many bad recipients of `to` there are past the
    /// [`MAX_LISTED_RECIPIENTS`](crate::limits::MAX_LISTED_RECIPIENTS) the
    /// report lists: each is a [`Rule::Phone`] error at `/messaging_object/to`, counted but
    /// not listed.
    ///
    /// ```
    /// use kaleyra_wa::{Rule, limits::MAX_LISTED_RECIPIENTS};
    ///
    /// let to = vec!["12"; 25].join(",");
    /// let payload = format!(r#"{{"messaging_object": {{"messaging_product": "whatsapp",
    ///     "to": "{to}", "type": "interactive", "interactive": {{"type": "product",
    ///     "action": {{"catalog_id": "1", "product_retailer_id": "1"}}}}}}}}"#);
    /// let report = kaleyra_wa::from_str(&payload)?.validate();
    /// let listed = report.errors().filter(|v| v.rule == Rule::Phone).count();
    /// assert_eq!(listed, MAX_LISTED_RECIPIENTS);
    /// assert_eq!(report.unlisted_recipients(), 25 - MAX_LISTED_RECIPIENTS);
    /// # Ok::<(), kaleyra_wa::ParseError>(())
    /// ```
    pub fn unlisted_recipients(&self) -> usize {
        self.unlisted_recipients
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Violation> {
        self.violations
            .iter()
            .filter(|v| v.severity() == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Violation> {
        self.violations
            .iter()
            .filter(|v| v.severity() == Severity::Warning)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for violation in &self.violations {
            writeln!(f, "{violation}")?;
        }
        if self.unlisted_recipients > 0 {
            writeln!(
                f,
                "{} {} /messaging_object/to: {} more recipients are not E.164 phone numbers",
                Rule::Phone.severity(),
                Rule::Phone.code(),
                self.unlisted_recipients
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Report {}
