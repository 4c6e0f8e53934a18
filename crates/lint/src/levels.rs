//! Per-rule levels: a rule's findings as errors, as warnings, or not reported at all.
//!
//! A run's [`Levels`] start as every rule's own severity; a configuration file changes some.
//! The engine applies them where it counts and places findings, so the summary, the caps on
//! findings shown and the exit status all follow the effective level.

use std::fmt;

use kaleyra_wa::{Rule, Severity};

/// What a rule's findings are in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Reported as errors (exit status 1).
    Error,
    /// Reported as warnings (exit status 0 unless `--deny-warnings`).
    Warning,
    /// Not reported, not counted.
    Off,
}

impl Level {
    /// Every level, in the order the configuration file lists them.
    pub const ALL: [Level; 3] = [Level::Error, Level::Warning, Level::Off];

    /// `"error"`, `"warning"` or `"off"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Off => "off",
        }
    }

    /// The level named `name` (`error`, `warning`, `off`).
    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.as_str() == name)
    }

    /// The severity of findings at this level; `None` for [`Level::Off`].
    pub const fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Off => None,
        }
    }
}

impl From<Severity> for Level {
    fn from(severity: Severity) -> Level {
        match severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that width and alignment (`{:<7}`) apply.
        f.pad(self.as_str())
    }
}

/// Room for this many rules (there are 15); checked at compile time.
const ROOM: usize = 32;
const _: () = assert!(Rule::ALL.len() <= ROOM);

/// The effective level of every rule: its own severity unless [`set`](Levels::set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Levels {
    set: [Option<Level>; ROOM],
}

impl Default for Levels {
    fn default() -> Self {
        Levels { set: [None; ROOM] }
    }
}

/// A rule whose level cannot be changed: see [`Levels::set`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixed(pub Rule);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) cannot be configured: it says an input was not checked, which is always an error",
            self.0.code(),
            self.0.name()
        )
    }
}

impl std::error::Error for Fixed {}

impl Levels {
    /// Whether a rule's level can be changed. The rules saying that an input was not checked
    /// (unreadable, past a limit, an internal error) cannot: turning them off or down would
    /// let unchecked input pass.
    pub fn configurable(rule: Rule) -> bool {
        !matches!(rule, Rule::Unreadable | Rule::Limit | Rule::Internal)
    }

    /// Sets `rule`'s level; an error for a rule that is not [`configurable`](Levels::configurable).
    pub fn set(&mut self, rule: Rule, level: Level) -> Result<(), Fixed> {
        if !Levels::configurable(rule) {
            return Err(Fixed(rule));
        }
        if let Some(slot) = index(rule).and_then(|at| self.set.get_mut(at)) {
            *slot = Some(level);
        }
        Ok(())
    }

    /// `rule`'s effective level.
    pub fn get(&self, rule: Rule) -> Level {
        self.changed(rule)
            .unwrap_or_else(|| Level::from(rule.severity()))
    }

    /// `rule`'s level when it was set, `None` when it is the rule's own.
    pub fn changed(&self, rule: Rule) -> Option<Level> {
        index(rule).and_then(|at| self.set.get(at).copied().flatten())
    }

    /// The severity of `rule`'s findings; `None` when the rule is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        self.get(rule).severity()
    }
}

fn index(rule: Rule) -> Option<usize> {
    Rule::ALL.iter().position(|r| *r == rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_default_to_the_rules_and_can_be_changed() {
        let mut levels = Levels::default();
        assert_eq!(levels.get(Rule::Phone), Level::Error);
        assert_eq!(levels.get(Rule::UnknownWaSource), Level::Warning);
        levels.set(Rule::Phone, Level::Off).unwrap();
        levels.set(Rule::UnknownWaSource, Level::Error).unwrap();
        assert_eq!(levels.severity(Rule::Phone), None);
        assert_eq!(
            levels.severity(Rule::UnknownWaSource),
            Some(Severity::Error)
        );
        assert_eq!(levels.changed(Rule::Syntax), None);
        assert_eq!(
            levels.set(Rule::Unreadable, Level::Off),
            Err(Fixed(Rule::Unreadable))
        );
        assert_eq!(levels.get(Rule::Unreadable), Level::Error);
    }
}
