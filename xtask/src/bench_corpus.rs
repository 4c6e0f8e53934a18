//! `cargo xtask bench-corpus [--out DIR] [--files N] [--jsonl-mb M]`: the benchmark corpora.
//!
//! Deterministic (a fixed-seed LCG): the same bytes on every machine and every run.
//!
//! - `DIR/files/req-NNNNN.json`: `N` (default 10,000) pretty-printed requests of about 4 KB.
//! - `DIR/requests.jsonl`: about `M` MB (default 500) of the same requests, one per line.
//!
//! In both, 90% of the requests are valid and clean (no warning) and 10% have exactly one
//! error, of a kind picked from [`ERRORS`]. `DIR` defaults to `target/bench-corpus` at the
//! workspace root; the corpus is never committed.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const USAGE: &str = "usage: cargo xtask bench-corpus [--out DIR] [--files N] [--jsonl-mb M]";

/// Writes the corpora and reports what it wrote.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut out = default_out();
    let mut files = 10_000usize;
    let mut jsonl_mb = 500usize;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| USAGE.to_owned());
        match flag.as_str() {
            "--out" => out = PathBuf::from(value()?),
            "--files" => files = value()?.parse().map_err(|_| USAGE.to_owned())?,
            "--jsonl-mb" => jsonl_mb = value()?.parse().map_err(|_| USAGE.to_owned())?,
            _ => return Err(USAGE.to_owned()),
        }
    }
    let dir = out.join("files");
    // Start clean, so a smaller `--files` leaves no stale files behind.
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;

    let mut generator = Generator::new(0x6b61_6c65_7972_6121);
    let (mut bytes, mut invalid) = (0usize, 0usize);
    for i in 0..files {
        let request = generator.request(Layout::Pretty);
        invalid += usize::from(request.invalid);
        bytes += request.text.len();
        let path = dir.join(format!("req-{i:05}.json"));
        fs::write(&path, &request.text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!(
        "wrote {files} files ({invalid} invalid, {:.0} bytes on average) in {}",
        bytes as f64 / files.max(1) as f64,
        dir.display()
    );

    let path = out.join("requests.jsonl");
    let file = fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    let target = jsonl_mb * 1_000_000;
    let (mut bytes, mut records, mut invalid) = (0usize, 0usize, 0usize);
    let mut generator = Generator::new(0x6a73_6f6e_6c69_6e65);
    while bytes < target {
        let request = generator.request(Layout::Compact);
        writer
            .write_all(request.text.as_bytes())
            .and_then(|()| writer.write_all(b"\n"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        bytes += request.text.len() + 1;
        records += 1;
        invalid += usize::from(request.invalid);
    }
    writer
        .flush()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "wrote {records} records ({invalid} invalid, {bytes} bytes) in {}",
        path.display()
    );
    Ok(())
}

/// `target/bench-corpus` at the workspace root (the parent of this crate).
fn default_out() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or(manifest)
        .join("target")
        .join("bench-corpus")
}

/// A tiny deterministic generator (Knuth's MMIX LCG); no dependency needed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `range`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// Four-space indentation, one member per line (a `.json` file).
    Pretty,
    /// One line (a JSON Lines record).
    Compact,
}

/// A JSON value, with members in writing order (duplicates allowed, on purpose).
enum Json {
    Object(Vec<(String, Json)>),
    String(String),
    Number(u64),
}

impl Json {
    fn object(members: Vec<(&str, Json)>) -> Json {
        Json::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    fn string(text: impl Into<String>) -> Json {
        Json::String(text.into())
    }

    fn members(&mut self) -> &mut Vec<(String, Json)> {
        match self {
            Json::Object(members) => members,
            _ => panic!("not an object"),
        }
    }

    /// The member `name` of this object.
    fn get(&mut self, name: &str) -> &mut Json {
        let members = self.members();
        let at = members.iter().position(|(k, _)| k == name);
        &mut members[at.expect("member exists")].1
    }

    fn write(&self, layout: Layout, depth: usize, out: &mut String) {
        match self {
            Json::String(text) => out.push_str(&serde_json::to_string(text).expect("a string")),
            Json::Number(n) => out.push_str(&n.to_string()),
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if layout == Layout::Pretty {
                        out.push('\n');
                        out.push_str(&"    ".repeat(depth + 1));
                    }
                    out.push_str(&serde_json::to_string(key).expect("a string"));
                    out.push_str(": ");
                    value.write(layout, depth + 1, out);
                }
                if layout == Layout::Pretty && !members.is_empty() {
                    out.push('\n');
                    out.push_str(&"    ".repeat(depth));
                }
                out.push('}');
            }
        }
    }
}

/// One generated request.
struct Request {
    text: String,
    invalid: bool,
}

/// The kinds of the one error an invalid request has.
const ERRORS: &[&str] = &[
    "phone-leading-zero",
    "phone-space",
    "footer-too-long",
    "body-empty",
    "unknown-member",
    "missing-product-retailer-id",
    "header",
    "constant",
    "type",
    "duplicate-key",
    "syntax",
];

/// English and Hindi words, markdown and emojis: 1 to 4 bytes per character, as in real
/// messages to Indian numbers.
const WORDS: &[&str] = &[
    "your",
    "order",
    "has",
    "been",
    "shipped",
    "and",
    "will",
    "arrive",
    "soon",
    "track",
    "it",
    "with",
    "the",
    "link",
    "below",
    "thank",
    "you",
    "for",
    "shopping",
    "café",
    "size",
    "fresh",
    "deal",
    "today",
    "*bold*",
    "_italic_",
    "✅",
    "🚚",
    "📦",
    "आपका",
    "ऑर्डर",
    "भेज",
    "दिया",
    "गया",
    "है",
    "धन्यवाद",
    "जल्द",
    "पहुँचेगा",
    "नया",
    "ऑफ़र",
    "आज",
    "केवल",
];

struct Generator {
    rng: Lcg,
}

impl Generator {
    fn new(seed: u64) -> Generator {
        Generator { rng: Lcg(seed) }
    }

    /// Words up to `max_chars` code points (and at least a few).
    fn text(&mut self, min_chars: usize, max_chars: usize) -> String {
        let target = self.rng.between(min_chars, max_chars);
        let mut text = String::new();
        loop {
            let word = WORDS[self.rng.below(WORDS.len())];
            let len = text.chars().count();
            let extra = word.chars().count() + usize::from(!text.is_empty());
            if len + extra > target {
                return text;
            }
            if !text.is_empty() {
                // Now and then a line break, written `\n` in the JSON text.
                text.push(if self.rng.below(12) == 0 { '\n' } else { ' ' });
            }
            text.push_str(word);
        }
    }

    fn digits(&mut self, len: usize) -> String {
        let mut number = String::with_capacity(len);
        number.push(char::from(b'1' + self.rng.below(9) as u8));
        while number.len() < len {
            number.push(char::from(b'0' + self.rng.below(10) as u8));
        }
        number
    }

    fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(CHARS[self.rng.below(CHARS.len())]))
            .collect()
    }

    /// A valid, clean request of about 4 KB (pretty-printed).
    fn valid(&mut self) -> Json {
        // Mostly one recipient, sometimes a few, now and then a long list.
        let recipients = match self.rng.below(20) {
            0 => self.rng.between(20, 50),
            1..=3 => self.rng.between(2, 5),
            _ => 1,
        };
        let to: Vec<String> = (0..recipients)
            .map(|_| {
                let plus = if self.rng.below(4) == 0 { "+" } else { "" };
                let len = self.rng.between(10, 13);
                format!("{plus}{}", self.digits(len))
            })
            .collect();
        let interactive = Json::object(vec![
            ("type", Json::string("product")),
            (
                "body",
                Json::object(vec![("text", Json::string(self.text(800, 1020)))]),
            ),
            (
                "footer",
                Json::object(vec![("text", Json::string(self.text(20, 60)))]),
            ),
            (
                "action",
                Json::object(vec![
                    ("catalog_id", Json::string(self.digits(15))),
                    ("product_retailer_id", Json::string(self.alnum(12))),
                ]),
            ),
        ]);
        let wamid = format!("wamid.{}", self.alnum(56));
        let messaging_object = Json::object(vec![
            ("messaging_product", Json::string("whatsapp")),
            ("recipient_type", Json::string("individual")),
            ("to", Json::string(to.join(","))),
            ("type", Json::string("interactive")),
            ("interactive", interactive),
            (
                "context",
                Json::object(vec![("message_id", Json::string(wamid))]),
            ),
            (
                "biz_opaque_callback_data",
                Json::string(self.text(400, 510)),
            ),
        ]);
        let sources = ["api", "shopify", "clevertap", "zoho", "hubspot"];
        let extra_info = Json::object(vec![
            ("ref", Json::string(self.text(200, 255))),
            ("ref1", Json::string(self.text(180, 255))),
            ("ref2", Json::string(self.text(180, 255))),
            (
                "wa_source",
                Json::string(sources[self.rng.below(sources.len())]),
            ),
        ]);
        Json::object(vec![
            ("messaging_object", messaging_object),
            ("extra_info", extra_info),
        ])
    }

    /// The next request: valid 9 times in 10, else with one error.
    fn request(&mut self, layout: Layout) -> Request {
        let mut json = self.valid();
        let invalid = self.rng.below(10) == 0;
        let error = invalid.then(|| ERRORS[self.rng.below(ERRORS.len())]);
        let object = json.get("messaging_object");
        match error {
            Some("phone-leading-zero") => {
                *object.get("to") = Json::string(format!("0{}", self.digits(11)))
            }
            Some("phone-space") => *object.get("to") = Json::string("+91 98765 43210"),
            Some("footer-too-long") => {
                *object.get("interactive").get("footer").get("text") =
                    Json::string("x".repeat(61 + self.rng.below(40)))
            }
            Some("body-empty") => {
                *object.get("interactive").get("body").get("text") = Json::string("")
            }
            Some("unknown-member") => {
                let action = object.get("interactive").get("action").members();
                action.push(("catalogue_id".to_owned(), Json::string("103449")));
            }
            Some("missing-product-retailer-id") => {
                object.get("interactive").get("action").members().pop();
            }
            Some("header") => object.get("interactive").members().insert(
                1,
                (
                    "header".to_owned(),
                    Json::object(vec![
                        ("type", Json::string("text")),
                        ("text", Json::string("New arrival")),
                    ]),
                ),
            ),
            Some("constant") => *object.get("messaging_product") = Json::string("sms"),
            Some("type") => {
                *object.get("interactive").get("action").get("catalog_id") =
                    Json::Number(self.rng.next())
            }
            Some("duplicate-key") => {
                let action = object.get("interactive").get("action").members();
                let again = Json::string(self.digits(15));
                action.push(("catalog_id".to_owned(), again));
            }
            _ => {}
        }
        let mut text = String::with_capacity(5000);
        json.write(layout, 0, &mut text);
        if error == Some("syntax") {
            // A missing comma between two members of `action`.
            let at = text.find("\"product_retailer_id\"").expect("member exists");
            let comma = text[..at].rfind(',').expect("a comma before");
            text.remove(comma);
        }
        if layout == Layout::Pretty {
            text.push('\n');
        }
        Request { text, invalid }
    }
}
