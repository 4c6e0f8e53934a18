//! The one integration test binary (ripgrep style): every test that crosses crate
//! boundaries or runs the built binary lives in a module here.
mod boundaries;
mod cli;
mod decisions;
mod differential;
mod r#gen; // `gen` is a reserved keyword in edition 2024: use it as `crate::r#gen`
mod hostile;
mod hostile_props;
mod injection;
mod invocation;
mod model;
mod props;
mod rules_walk;
mod schema;
mod schema_model;
mod schema_text;
