//! The outside tools the binding tasks run: Python (in local virtual environments under
//! `target/`) and Node (npm packages installed from checked-in lock files). Nothing is
//! installed globally, every version is pinned, and a missing `python3`, `node` or `npm` is
//! an error that says what to install, never a silent skip.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the parent of this crate).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Runs `command`, failing with its command line when it cannot start or exits non-zero.
pub fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(command)))
    }
}

/// The command line of `command`, for messages.
fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Fails with a clear message when `program` is not on `PATH`.
pub fn require(program: &str, why: &str) -> Result<(), String> {
    match Command::new(program).arg("--version").output() {
        Ok(output) if output.status.success() => Ok(()),
        _ => Err(format!(
            "`{program}` is not installed or not on PATH: {why} need it (Rust, Python 3.9+ and Node 20+ are required)"
        )),
    }
}

/// A Python virtual environment at `dir` holding exactly the pins of `requirements`
/// (a full `pip freeze`, installed with `--no-deps`). It is (re)built only when the
/// requirements changed since the last install.
pub fn venv(dir: &Path, requirements: &Path) -> Result<PathBuf, String> {
    require("python3", "the Python bindings")?;
    let python = dir.join("bin").join("python");
    let pins =
        fs::read_to_string(requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    let stamp = dir.join("installed-requirements.txt");
    if python.exists() && fs::read_to_string(&stamp).is_ok_and(|old| old == pins) {
        return Ok(python);
    }
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(dir))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--no-deps", "--requirement"])
        .arg(requirements))?;
    fs::write(&stamp, pins).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(python)
}

/// `npm ci` in `dir` (a folder with `package.json` and `package-lock.json`), skipped when
/// `node_modules` was installed from the same lock file.
pub fn npm_ci(dir: &Path) -> Result<(), String> {
    require("node", "the TypeScript bindings")?;
    require("npm", "the TypeScript bindings")?;
    let lock_path = dir.join("package-lock.json");
    let lock =
        fs::read_to_string(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
    let stamp = dir
        .join("node_modules")
        .join(".kaleyra-wa-installed-lock.json");
    if fs::read_to_string(&stamp).is_ok_and(|old| old == lock) {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir))?;
    fs::write(&stamp, lock).map_err(|e| format!("{}: {e}", stamp.display()))
}
