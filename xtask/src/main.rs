//! Project tasks: `cargo xtask <task> [args]` (an alias in `.cargo/config.toml`).
//!
//! Each task is a module with `run(&[String]) -> Result<(), String>`, listed once in [`TASKS`].

use std::process::ExitCode;

mod agreement;
mod bench_corpus;
mod codegen;
mod schema;
mod test;
mod tools;

/// A task: its name, its entry point, and its usage line.
type Task = (
    &'static str,
    fn(&[String]) -> Result<(), String>,
    &'static str,
);

/// Every task. Adding one: a `mod` line above and a row here.
const TASKS: &[Task] = &[
    (
        "test",
        test::run,
        "test   every test: cargo test, freshness checks, agreement cases, the Python and TypeScript bindings' suites",
    ),
    (
        "schema",
        schema::run,
        "schema [--check]   write the JSON Schemas under schemas/ (--check: fail, naming each stale file)",
    ),
    (
        "codegen",
        codegen::run,
        "codegen [--check]   write the generated code of bindings/python and bindings/typescript from schemas/ (--check: fail, naming each stale file)",
    ),
    (
        "agreement-cases",
        agreement::run,
        "agreement-cases [--out FILE] [--bases N]   write request payloads with the Rust verdict (default target/agreement/cases.jsonl)",
    ),
    (
        "bench-corpus",
        bench_corpus::run,
        "bench-corpus [--out DIR] [--files N] [--jsonl-mb M]   generate the benchmark corpora (default target/bench-corpus)",
    ),
];

fn usage() -> String {
    let mut text = String::from("usage: cargo xtask <task> [args]\n\ntasks:\n");
    for (_, _, line) in TASKS {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, rest)) = args.split_first() else {
        eprint!("{}", usage());
        return ExitCode::FAILURE;
    };
    if matches!(name.as_str(), "-h" | "--help" | "help") {
        print!("{}", usage());
        return ExitCode::SUCCESS;
    }
    let result = match TASKS.iter().find(|(task, _, _)| task == name) {
        Some((_, run, _)) => run(rest),
        None => Err(format!("unknown task `{name}`\n\n{}", usage())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
