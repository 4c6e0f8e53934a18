//! `cargo xtask schema [--check]`: the JSON Schemas under `schemas/`.

use std::fs;
use std::path::{Path, PathBuf};

use kaleyra_wa::schema;

/// Writes every schema (or, with `--check`, compares them) and reports what it did.
pub fn run(args: &[String]) -> Result<(), String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err("usage: cargo xtask schema [--check]".into()),
    };
    let dir = schemas_dir();
    if check {
        let stale = stale_files(&dir);
        if stale.is_empty() {
            println!("schemas/ is up to date ({} files)", schema::all().len());
            return Ok(());
        }
        for (name, why) in &stale {
            eprintln!("schemas/{name}: {why}");
        }
        return Err(format!(
            "{} schema file(s) stale: run `cargo xtask schema`",
            stale.len()
        ));
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for file in schema::all() {
        let path = dir.join(file.file_name);
        let text = schema::render(&file.schema);
        let unchanged = fs::read_to_string(&path).is_ok_and(|old| old == text);
        if unchanged {
            println!("unchanged schemas/{}", file.file_name);
        } else {
            fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote     schemas/{}", file.file_name);
        }
    }
    Ok(())
}

/// The files of `dir` that are missing or differ from what the crate generates, with why.
fn stale_files(dir: &Path) -> Vec<(&'static str, &'static str)> {
    schema::all()
        .into_iter()
        .filter_map(|file| {
            match fs::read_to_string(dir.join(file.file_name)) {
                Err(_) => Some("missing"),
                Ok(text) if text != schema::render(&file.schema) => Some("stale"),
                Ok(_) => None,
            }
            .map(|why| (file.file_name, why))
        })
        .collect()
}

/// `schemas/` at the workspace root (the parent of this crate).
fn schemas_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("schemas")
}
