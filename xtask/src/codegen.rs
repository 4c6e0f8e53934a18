//! `cargo xtask codegen [--check]`: the generated code of the Python and TypeScript packages
//! under `bindings/`, from the exported schemas (`schemas/*.json`) and nothing else.
//!
//! - Python (`bindings/python/src/kaleyra_wa/_generated/`): pydantic v2 models by
//!   datamodel-code-generator, pinned in `xtask/codegen/requirements.txt` and installed in
//!   `target/codegen/venv`.
//! - TypeScript (`bindings/typescript/src/generated/`): types by json-schema-to-typescript and
//!   a precompiled validator by ajv's standalone code, pinned in `xtask/codegen/package-lock.json`
//!   and run by `xtask/codegen/generate.mjs`.
//!
//! Everything is generated into `target/codegen/work` first. `--check` generates twice (the
//! two runs must be byte-identical), then compares with the checked-in files and fails naming
//! each stale, missing or extra one; without it the files are written and stale ones removed. The two generated folders hold nothing else.
//! The only changes between the generators and the checked-in files are in [`adapt`].

mod adapt;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::tools;

/// The folder of the generated Python modules.
const PYTHON_DIR: &str = "bindings/python/src/kaleyra_wa/_generated";
/// The folder of the generated TypeScript types and validators.
const TS_DIR: &str = "bindings/typescript/src/generated";

/// One exported schema and the names its bindings get.
struct Binding {
    schema: &'static str,
    python_module: &'static str,
    type_name: &'static str,
    validator: &'static str,
    kind: Kind,
}

/// What a schema describes, which decides the Python model options.
#[derive(Clone, Copy)]
enum Kind {
    /// What we send: closed objects, `null` never accepted (`kaleyra_wa._base.Model`).
    Request,
    /// What the API returns: unknown members are kept (the schema leaves them open).
    Response,
}

const BINDINGS: &[Binding] = &[
    Binding {
        schema: "send-request.schema.json",
        python_module: "send_request",
        type_name: "SendRequest",
        validator: "validateSendRequest",
        kind: Kind::Request,
    },
    Binding {
        schema: "success-response.schema.json",
        python_module: "success_response",
        type_name: "SuccessResponse",
        validator: "validateSuccessResponse",
        kind: Kind::Response,
    },
    Binding {
        schema: "error-response.schema.json",
        python_module: "error_response",
        type_name: "ErrorResponse",
        validator: "validateErrorResponse",
        kind: Kind::Response,
    },
];

/// Generated files: path relative to the workspace root -> contents.
type Files = BTreeMap<String, String>;

/// Whether to write the generated files or only compare them.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Write,
    Check,
}

/// Generates the bindings and writes (or, with `--check`, compares) them.
pub fn run(args: &[String]) -> Result<(), String> {
    let mode = match args {
        [] => Mode::Write,
        [flag] if flag == "--check" => Mode::Check,
        _ => return Err("usage: cargo xtask codegen [--check]".into()),
    };
    let root = tools::root();
    let files = generate(&root)?;
    match mode {
        Mode::Check => {
            deterministic(&files, &generate(&root)?)?;
            check(&root, &files)
        }
        Mode::Write => write(&root, &files),
    }
}

/// Fails naming each file two runs of the generators wrote differently.
fn deterministic(first: &Files, second: &Files) -> Result<(), String> {
    let mut paths: Vec<&String> = first.keys().chain(second.keys()).collect();
    paths.sort();
    paths.dedup();
    let differing: Vec<&String> = paths
        .into_iter()
        .filter(|path| first.get(*path) != second.get(*path))
        .collect();
    if differing.is_empty() {
        println!("two generator runs wrote byte-identical files");
        return Ok(());
    }
    Err(format!(
        "the generators are not deterministic: two runs differ in {differing:?}"
    ))
}

/// Runs both generators on `schemas/` and returns every generated file.
pub fn generate(root: &Path) -> Result<Files, String> {
    let codegen = root.join("target").join("codegen");
    let work = codegen.join("work");
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    }
    for dir in ["python", "typescript", "out"] {
        create_dir(&work.join(dir))?;
    }
    let mut files = Files::new();
    python(root, &codegen, &work, &mut files)?;
    typescript(root, &work, &mut files)?;
    Ok(files)
}

fn python(root: &Path, codegen: &Path, work: &Path, files: &mut Files) -> Result<(), String> {
    let requirements = root.join("xtask").join("codegen").join("requirements.txt");
    let python = tools::venv(&codegen.join("venv"), &requirements)?;
    files.insert(
        format!("{PYTHON_DIR}/__init__.py"),
        format!(
            "{}\"\"\"Models generated from the JSON Schemas; import them from `kaleyra_wa`.\"\"\"\n",
            header("#", "schemas/")
        ),
    );
    for binding in BINDINGS {
        let mut schema = read_schema(root, binding.schema)?;
        adapt::drop_false_members(&mut schema)?;
        let input = work.join("python").join(binding.schema);
        write_json(&input, &schema)?;
        let output = work
            .join("out")
            .join(format!("{}.py", binding.python_module));
        let mut command = Command::new(&python);
        command
            .env("PYTHONWARNINGS", "ignore::FutureWarning")
            .args(["-m", "datamodel_code_generator", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&output)
            .args(["--input-file-type", "jsonschema"])
            .args(["--output-model-type", "pydantic_v2.BaseModel"])
            .args([
                "--target-python-version",
                "3.10",
                "--target-pydantic-version",
                "2.11",
            ])
            .args(["--formatters", "black", "isort", "--disable-timestamp"])
            .args(["--enum-field-as-literal", "all", "--use-type-alias"])
            .args([
                "--use-annotated",
                "--no-use-union-operator",
                "--use-double-quotes",
            ])
            .args(["--use-schema-description", "--use-field-description"])
            .args(["--class-name", binding.type_name]);
        match binding.kind {
            Kind::Request => command
                .args(["--extra-fields", "forbid"])
                .args(["--base-class", "kaleyra_wa._base.Model"]),
            Kind::Response => command.args(["--extra-fields", "allow"]),
        };
        tools::run(&mut command)?;
        let code = read(&output)?;
        files.insert(
            format!("{PYTHON_DIR}/{}.py", binding.python_module),
            format!(
                "{}{code}",
                header("#", &format!("schemas/{}", binding.schema))
            ),
        );
    }
    Ok(())
}

fn typescript(root: &Path, work: &Path, files: &mut Files) -> Result<(), String> {
    let generator = root.join("xtask").join("codegen");
    tools::npm_ci(&generator)?;
    let mut types = Vec::new();
    let mut schemas = Vec::new();
    let mut exports = serde_json::Map::new();
    for binding in BINDINGS {
        let original = root.join("schemas").join(binding.schema);
        let mut schema = read_schema(root, binding.schema)?;
        adapt::open_enums_as_ts_type(&mut schema)?;
        adapt::set_title(&mut schema, binding.type_name)?;
        let input = work.join("typescript").join(binding.schema);
        write_json(&input, &schema)?;
        let out = work.join("out").join(ts_types_file(binding));
        types.push(json!({"schema": input, "out": out}));
        let id = schema["$id"]
            .as_str()
            .ok_or_else(|| format!("schemas/{} has no $id", binding.schema))?;
        exports.insert(binding.validator.to_owned(), Value::from(id));
        schemas.push(original);
    }
    let validators = work.join("out").join("validators.js");
    let job = json!({
        "types": types,
        "validators": {"schemas": schemas, "exports": exports, "out": validators},
    });
    let job_path = work.join("typescript").join("job.json");
    write_json(&job_path, &job)?;
    tools::run(
        Command::new("node")
            .arg(generator.join("generate.mjs"))
            .arg(&job_path)
            .current_dir(&generator),
    )?;
    for binding in BINDINGS {
        let name = ts_types_file(binding);
        let code = read(&work.join("out").join(&name))?;
        let source = format!("schemas/{}", binding.schema);
        files.insert(
            format!("{TS_DIR}/{name}"),
            format!("{}{code}", header("//", &source)),
        );
    }
    let code = adapt::import_ajv_runtime(&read(&validators)?)?;
    files.insert(
        format!("{TS_DIR}/validators.js"),
        format!("{}{code}\n", header("//", "schemas/")),
    );
    Ok(())
}

/// `send-request.d.ts` for `send-request.schema.json`.
fn ts_types_file(binding: &Binding) -> String {
    let stem = binding.schema.trim_end_matches(".schema.json");
    format!("{stem}.d.ts")
}

/// The first line of every generated file.
fn header(comment: &str, source: &str) -> String {
    format!("{comment} Generated by `cargo xtask codegen` from {source}: do not edit.\n")
}

/// Compares `files` with the checked-in ones; fails naming each difference.
fn check(root: &Path, files: &Files) -> Result<(), String> {
    let mut problems = Vec::new();
    for (path, text) in files {
        match fs::read_to_string(root.join(path)) {
            Err(_) => problems.push(format!("{path}: missing")),
            Ok(old) if old != *text => problems.push(format!("{path}: stale")),
            Ok(_) => {}
        }
    }
    for path in extra_files(root, files)? {
        problems.push(format!("{path}: not generated (remove it)"));
    }
    if problems.is_empty() {
        println!(
            "bindings/ generated code is up to date ({} files)",
            files.len()
        );
        return Ok(());
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    Err(format!(
        "{} generated binding file(s) differ: run `cargo xtask codegen`",
        problems.len()
    ))
}

/// Writes the changed files and removes the generated folders' stale ones.
fn write(root: &Path, files: &Files) -> Result<(), String> {
    for path in extra_files(root, files)? {
        fs::remove_file(root.join(&path)).map_err(|e| format!("{path}: {e}"))?;
        println!("removed   {path}");
    }
    for (path, text) in files {
        let full = root.join(path);
        if fs::read_to_string(&full).is_ok_and(|old| old == *text) {
            println!("unchanged {path}");
            continue;
        }
        if let Some(parent) = full.parent() {
            create_dir(parent)?;
        }
        fs::write(&full, text).map_err(|e| format!("{path}: {e}"))?;
        println!("wrote     {path}");
    }
    Ok(())
}

/// Files in the generated folders that codegen does not produce.
fn extra_files(root: &Path, files: &Files) -> Result<Vec<String>, String> {
    let mut extra = Vec::new();
    for dir in [PYTHON_DIR, TS_DIR] {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("{dir}: {e}"))?;
            let path = format!("{dir}/{}", entry.file_name().to_string_lossy());
            // Python's bytecode cache is not ours to check.
            if !files.contains_key(&path) && !path.ends_with("/__pycache__") {
                extra.push(path);
            }
        }
    }
    extra.sort();
    Ok(extra)
}

fn read_schema(root: &Path, name: &str) -> Result<Value, String> {
    let path = root.join("schemas").join(name);
    serde_json::from_str(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn create_dir(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}
