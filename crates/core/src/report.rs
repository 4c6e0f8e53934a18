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
/// then place inside the value, then rule code).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    violations: Vec<Violation>,
}

impl Report {
    pub(crate) fn from_violations(mut violations: Vec<Violation>) -> Report {
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
        Report { violations }
    }

    /// True when there is no error (warnings allowed): the API accepts the payload.
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }

    /// True when there is neither an error nor a warning.
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty()
    }

    /// All violations, errors and warnings.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
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
        Ok(())
    }
}

impl std::error::Error for Report {}
