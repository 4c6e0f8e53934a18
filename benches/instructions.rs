//! Instruction counts, for a machine shared with other work: `benches/instructions.sh` runs
//! this under `valgrind --tool=callgrind` and prints instructions per call of each routine and
//! their ratios to the valid path. Instruction counts do not move with the machine's load, so
//! they back the wall-clock ratios of `diagnostics` where those are noisy.
//!
//! `MODE` picks the routine (see `main`), `N` the number of calls (default 1,000); the
//! script runs each mode with `N=0` and `N=1000` and subtracts, which leaves the calls alone.

use std::hint::black_box;

/// The binary's allocator, so that what is counted is what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use kaleyra_wa::SendRequest;
use kaleyra_wa_linter::{Options, lint_document};

const RECORD: &str = include_str!("data/record-500.json");
const DOCUMENT: &str = include_str!("data/request-4k.json");

fn main() {
    let mode = std::env::var("MODE").unwrap_or_default();
    let calls: usize = std::env::var("N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    // `record-phone+snippets`: with the excerpts the human format shows.
    let (mode, snippets) = match mode.strip_suffix("+snippets") {
        Some(mode) => (mode.to_owned(), true),
        None => (mode.clone(), false),
    };
    let options = Options {
        snippets,
        ..Options::default()
    };
    let (base, error) = mode.split_once('-').unwrap_or((mode.as_str(), "valid"));
    let base = if base == "document" { DOCUMENT } else { RECORD };
    let text = match error {
        "phone" => base.replacen("\"to\": \"", "\"to\": \"0", 1),
        "unknown" => base.replacen(
            "\"catalog_id\"",
            "\"catalogue_id\": \"1\", \"catalog_id\"",
            1,
        ),
        "syntax" => base.replacen("\"catalog_id\":", "\"catalog_id\"", 1),
        "constant" => base.replacen("\"product\"", "\"products\"", 1),
        // A missing member, a number for a text (`catalog_id`, in either layout).
        "missing" => base
            .replacen("\"catalog_id\": \"1034567849\", ", "", 1)
            .replacen(
                "\"catalog_id\": \"390094641019515\",\n                ",
                "",
                1,
            ),
        "type" => base.replacen("\"1034567849\"", "1034567849", 1).replacen(
            "\"390094641019515\"",
            "390094641019515",
            1,
        ),
        "footer_syntax" => base.replacen("\"footer\":", "\"footer\"", 1),
        "too_long" => {
            // 70 more characters at the start of the footer's text (limit 60).
            let footer = base.find("\"footer\"").expect("a footer");
            let text = footer + base[footer..].find("\"text\": \"").expect("a text") + 9;
            format!("{}{}{}", &base[..text], "x".repeat(70), &base[text..])
        }
        _ => base.to_owned(),
    };
    let bare = error == "bare";
    // Once before counting: the schema's validator is built on first use.
    black_box(lint_document("r.json", None, text.as_bytes(), 1, options));
    for _ in 0..calls {
        if bare {
            black_box(serde_json::from_slice::<SendRequest>(text.as_bytes()).is_ok());
        } else {
            black_box(lint_document("r.json", None, text.as_bytes(), 1, options));
        }
    }
}
