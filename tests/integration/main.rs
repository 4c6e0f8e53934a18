//! The one integration test binary (ripgrep style): every test that crosses crate
//! boundaries or runs the built binary lives in a module here.
mod baseline;
mod boundaries;
mod ci_formats;
mod cli;
mod config;
mod decisions;
mod differential;
mod formats;
mod r#gen; // `gen` is a reserved keyword in edition 2024: use it as `crate::r#gen`
mod hostile;
mod injection;
mod inputs;
mod invocation;
mod model;
mod props;
mod rules_walk;
mod schema;
mod schema_model;
mod schema_text;
mod util;
