//! The lint engine behind `kaleyra-wa-lint`: every problem of every payload file at once,
//! each placed at `file:line:column` with a stable rule code, rendered for people, machines,
//! SARIF consumers, GitHub, GitLab and JUnit readers; with per-rule levels from a
//! configuration file ([`config`]) and baselines ([`baseline`]).
//!
//! The rules come from the core crate [`kaleyra_wa`]; this crate adds places, not opinions.
//!
//! ```
//! use kaleyra_wa_linter::{Options, lint_document};
//!
//! let text = br#"{"messaging_object": {"messaging_product": "whatsapp", "to": "0919876543210",
//!   "type": "interactive", "interactive": {"type": "product",
//!   "action": {"catalogue_id": "1", "product_retailer_id": "2"}}}}"#;
//! let findings = lint_document("payload.json", None, text, 1, Options::default()).findings;
//! let found: Vec<_> = findings.iter()
//!     .map(|f| (f.rule.code(), f.region.unwrap().line, f.region.unwrap().column))
//!     .collect();
//! assert_eq!(found, [("KWA009", 1, 63), ("KWA004", 3, 13), ("KWA005", 3, 14)]);
//! assert_eq!(findings[2].help.as_deref(), Some("did you mean `catalog_id`?"));
//! ```

#![warn(missing_docs)]

pub mod baseline;
mod check;
pub mod config;
mod distinct;
mod engine;
mod escape;
pub mod fingerprint;
mod levels;
mod lines;
mod locate;
mod render;

pub use engine::{
    DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_LINE_LENGTH, Document, Event, Finding, Input, InputFormat,
    Interrupted, MAX_PER_MEMBER, MAX_POINTER, MAX_SHOWN, Omitted, Options, Region, Snippet,
    Summary, bounded_pointer, discover, lint_document, run, run_prepared,
};
pub use levels::{Level, Levels};
pub use render::{Format, Prepared, RenderOptions, Reporter, Tee, prepare, reporter};
