//! `cargo xtask test`: every test of the project, the README's one test command.
//!
//! 1. `cargo test --workspace`.
//! 2. `schemas/` and the bindings' generated code are fresh (`schema --check`,
//!    `codegen --check`).
//! 3. `agreement-cases`: generated payloads with the Rust verdict (`target/agreement/`).
//! 4. Python: a local venv (`target/bindings-test/venv`) with the pins of
//!    `bindings/python/requirements-test.txt`, `bindings/python` installed into it (a real
//!    install, not the source tree), pytest; then `.ci/cross-lang/check.py` (the schemas
//!    through Python `jsonschema`, both dialects).
//! 5. TypeScript: `npm ci` in `bindings/typescript`, the package packed and installed into
//!    `target/bindings-test/ts-consumer`, node's test runner and `tsc --strict` type tests
//!    there; then `.ci/cross-lang/check.mjs` (ajv, both dialects).
//!
//! A missing `python3`, `node` or `npm` fails the run with what to install.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::{agreement, codegen, schema, tools};

/// Runs every step, stopping at the first failure.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask test".into());
    }
    let root = tools::root();
    // Fail at once, not after the Rust tests, when a language is missing.
    tools::require("python3", "the Python bindings' tests")?;
    tools::require("node", "the TypeScript bindings' tests")?;
    tools::require("npm", "the TypeScript bindings' tests")?;

    let cases = root.join("target").join("agreement").join("cases.jsonl");
    let work = root.join("target").join("bindings-test");
    step("cargo test --workspace", || {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        tools::run(
            Command::new(cargo)
                .args(["test", "--workspace"])
                .current_dir(&root),
        )
    })?;
    step("schemas and generated bindings are fresh", || {
        schema::run(&["--check".to_owned()])?;
        codegen::run(&["--check".to_owned()])
    })?;
    step("agreement cases (kaleyra-wa's verdicts)", || {
        agreement::run(&["--out".to_owned(), cases.display().to_string()])
    })?;
    step(
        "Python bindings (pytest) and the cross-language schema check",
        || python(&root, &work, &cases),
    )?;
    step(
        "TypeScript bindings (node --test, tsc --strict) and the cross-language schema check",
        || typescript(&root, &work, &cases),
    )?;
    println!("all tests passed");
    Ok(())
}

/// Runs one step under a title, and says how long it took (for CI logs, not a test).
fn step(title: &str, run: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    println!("== {title}");
    let started = Instant::now();
    let result = run();
    println!("== {title}: {:.1} s", started.elapsed().as_secs_f64());
    result
}

fn python(root: &Path, work: &Path, cases: &Path) -> Result<(), String> {
    let package = root.join("bindings").join("python");
    let python = tools::venv(&work.join("venv"), &package.join("requirements-test.txt"))?;
    tools::run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["--no-deps", "--no-build-isolation", "--force-reinstall"])
            .arg(&package),
    )?;
    tools::run(
        Command::new(&python)
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--doctest-modules",
            ])
            .args(["tests", "--pyargs", "kaleyra_wa"])
            .env("KALEYRA_WA_AGREEMENT_CASES", cases)
            .current_dir(&package),
    )?;
    tools::run(Command::new(&python).arg(root.join(".ci").join("cross-lang").join("check.py")))
}

fn typescript(root: &Path, work: &Path, cases: &Path) -> Result<(), String> {
    let package = root.join("bindings").join("typescript");
    tools::npm_ci(&package)?;
    let consumer = work.join("ts-consumer");
    if consumer.exists() {
        fs::remove_dir_all(&consumer).map_err(|e| format!("{}: {e}", consumer.display()))?;
    }
    fs::create_dir_all(&consumer).map_err(|e| format!("{}: {e}", consumer.display()))?;
    // `npm pack` then install the tarball: what a user installs, `files` and `exports` included.
    let packed = Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&consumer)
        .current_dir(&package)
        .output()
        .map_err(|e| format!("cannot run npm pack: {e}"))?;
    if !packed.status.success() {
        return Err(format!(
            "npm pack failed: {}",
            String::from_utf8_lossy(&packed.stderr)
        ));
    }
    let tarball = String::from_utf8_lossy(&packed.stdout).trim().to_owned();
    let manifest = consumer.join("package.json");
    fs::write(&manifest, "{\"private\": true, \"type\": \"module\"}\n")
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    tools::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .arg(format!("./{tarball}"))
            .current_dir(&consumer),
    )?;
    let tests = consumer.join("test");
    copy_dir(&package.join("test"), &tests)?;
    tools::run(
        Command::new("node")
            .args(["--test", "--test-reporter=dot"])
            .arg(&tests)
            .env("KALEYRA_WA_ROOT", root)
            .env("KALEYRA_WA_AGREEMENT_CASES", cases)
            .current_dir(&consumer),
    )?;
    let tsc = package
        .join("node_modules")
        .join("typescript")
        .join("bin")
        .join("tsc");
    tools::run(
        Command::new("node")
            .arg(tsc)
            .arg("--project")
            .arg(tests.join("tsconfig.json")),
    )?;
    println!("tsc --strict: the type tests compile, and each @ts-expect-error is an error");
    let cross = root.join(".ci").join("cross-lang");
    tools::npm_ci(&cross)?;
    tools::run(Command::new("node").arg("check.mjs").current_dir(&cross))
}

/// Copies the files of `from` (not recursive: the test folder is flat) into `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        if entry.path().is_file() {
            fs::copy(entry.path(), to.join(entry.file_name()))
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}
