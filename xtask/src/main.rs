//! Project tasks: `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask schema`: write the JSON Schemas under `schemas/`.
//! - `cargo xtask schema --check`: fail, naming each file, when `schemas/` is stale.

use std::process::ExitCode;

mod schema;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  schema [--check]   write the JSON Schemas under schemas/ (--check: only compare)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let result = match task.as_str() {
        "schema" => schema::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
