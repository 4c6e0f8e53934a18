//! The exported JSON Schemas: fresh (`schemas/` is what the crate generates), valid against
//! their meta-schemas, and giving the Rust validator's verdict on the fixture corpus
//! (`tests/fixtures/`, described in its README).
//!
//! The Rust verdict on bytes: [`kaleyra_wa::from_slice`] succeeds and the report has no error
//! (warnings are not rejections). A rejection is the parse error when parsing fails, else the
//! first error of the report (errors are sorted by pointer; each invalid fixture has exactly
//! one thing wrong).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use kaleyra_wa::Rule;
use kaleyra_wa::schema::{self, Draft};
use serde_json::Value;

/// The documented request sample (the vendor page's, verbatim; its `to` is masked).
const REQUEST_SAMPLE: &str = include_str!("../../crates/core/src/sample_request.json");

/// Keywords that JSON Schema 2020-12 (or 2019-09) introduced: none may appear in the draft-07
/// request schema.
const KEYWORDS_NOT_IN_DRAFT_07: &[&str] = &[
    "$defs",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "prefixItems",
    "unevaluatedItems",
    "unevaluatedProperties",
    "dependentRequired",
    "dependentSchemas",
    "minContains",
    "maxContains",
    "contentSchema",
];

/// Every object key of a schema document (keywords and property names alike), with the
/// pointer of the object holding it.
fn keys_with_pointers(value: &Value) -> Vec<(String, String)> {
    fn walk(value: &Value, pointer: &mut String, out: &mut Vec<(String, String)>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Value::Array(items) => (items.iter().enumerate())
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        };
        for (key, child) in children {
            if value.is_object() {
                out.push((pointer.clone(), key.clone()));
            }
            let len = pointer.len();
            kaleyra_wa::pointer::push_token(pointer, &key);
            walk(child, pointer, out);
            pointer.truncate(len);
        }
    }
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out
}

#[test]
fn schema_descriptions_are_paragraphs_without_hard_line_breaks() {
    for file in schema::all() {
        for (pointer, key) in keys_with_pointers(&file.schema) {
            if key == "description" && !pointer.ends_with("/properties") {
                let at = format!("{pointer}/description");
                let description = file.schema.pointer(&at).and_then(Value::as_str).unwrap();
                assert!(
                    !description.replace("\n\n", " ").contains('\n'),
                    "{}{at}: {description}",
                    file.file_name
                );
            }
        }
    }
}

/// Workspace root.
pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where and why the Rust side rejects bytes, or `None` when it accepts them.
pub(crate) fn rust_rejection(bytes: &[u8]) -> Option<(String, Rule)> {
    match kaleyra_wa::from_slice(bytes) {
        Err(error) => Some((error.pointer().to_owned(), error.rule())),
        Ok(request) => request
            .validate()
            .errors()
            .next()
            .map(|error| (error.pointer.clone(), error.rule)),
    }
}

/// The checked-in request schemas (what users get), compiled with the `jsonschema` crate:
/// `(file name, validator)` for 2020-12 and draft-07.
pub(crate) static REQUEST_VALIDATORS: LazyLock<Vec<(&'static str, jsonschema::Validator)>> =
    LazyLock::new(|| {
        [Draft::Draft2020_12, Draft::Draft07]
            .into_iter()
            .map(|draft| {
                let name = draft.request_file_name();
                let schema = checked_in(name);
                let validator = jsonschema::validator_for(&schema)
                    .unwrap_or_else(|e| panic!("schemas/{name} does not compile: {e}"));
                (name, validator)
            })
            .collect()
    });

/// The instance paths of the errors a request validator reports (empty: accepted).
pub(crate) fn schema_error_paths(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|error| error.instance_path().as_str().to_owned())
        .collect()
}

/// The parent of a JSON pointer (`""` for a top-level member).
pub(crate) fn parent(pointer: &str) -> &str {
    pointer.rfind('/').map_or("", |at| &pointer[..at])
}

/// Whether a schema error at `schema_path` is at the place the Rust side names: the same
/// place, or the object holding a member the Rust side names (JSON Schema reports unknown and
/// duplicate members at their object).
pub(crate) fn same_place(rust_pointer: &str, rule: Rule, schema_path: &str) -> bool {
    schema_path == rust_pointer
        || (matches!(rule, Rule::Unknown | Rule::DuplicateKey)
            && schema_path == parent(rust_pointer))
}

fn checked_in(name: &str) -> Value {
    let path = root().join("schemas").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("schemas/{name}: {e}; run `cargo xtask schema`",));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("schemas/{name}: {e}"))
}

#[test]
fn checked_in_schemas_are_fresh() {
    let mut stale = Vec::new();
    let generated = schema::all();
    for file in &generated {
        let path = root().join("schemas").join(file.file_name);
        let expected = schema::render(&file.schema);
        match std::fs::read_to_string(&path) {
            Err(e) => stale.push(format!("schemas/{}: missing ({e})", file.file_name)),
            Ok(text) if text != expected => {
                stale.push(format!("schemas/{}: stale", file.file_name))
            }
            Ok(_) => {}
        }
    }
    let names: BTreeSet<&str> = generated.iter().map(|f| f.file_name).collect();
    for entry in std::fs::read_dir(root().join("schemas")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !names.contains(name.as_str()) {
            stale.push(format!(
                "schemas/{name}: not generated by `kaleyra_wa::schema::all()`"
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nrun `cargo xtask schema` and commit schemas/",
        stale.join("\n")
    );
}

#[test]
fn rendering_is_stable() {
    for file in schema::all() {
        let text = schema::render(&file.schema);
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(reparsed, file.schema, "{}", file.file_name);
        assert_eq!(schema::render(&reparsed), text, "{}", file.file_name);
        assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
    }
}

#[test]
fn every_schema_is_valid_against_its_meta_schema() {
    let expected_meta = [
        (
            "send-request.schema.json",
            "https://json-schema.org/draft/2020-12/schema",
        ),
        (
            "send-request.draft-07.schema.json",
            "http://json-schema.org/draft-07/schema#",
        ),
        (
            "success-response.schema.json",
            "https://json-schema.org/draft/2020-12/schema",
        ),
        (
            "error-response.schema.json",
            "https://json-schema.org/draft/2020-12/schema",
        ),
    ];
    let files = schema::all();
    assert_eq!(files.len(), expected_meta.len());
    for (file, (name, meta)) in files.iter().zip(expected_meta) {
        assert_eq!(file.file_name, name);
        let schema = checked_in(name);
        assert_eq!(schema["$schema"], meta, "{name}");
        assert_eq!(
            schema["$id"],
            format!("{}{name}", schema::ID_BASE),
            "{name}"
        );
        assert!(
            schema["title"].is_string() && schema["description"].is_string(),
            "{name}"
        );
        if let Err(error) = jsonschema::meta::validate(&schema) {
            panic!(
                "{name} is not a valid schema: {error} at {}",
                error.instance_path()
            );
        }
        assert!(jsonschema::meta::is_valid(&schema), "{name}");
        // The schema's own examples pass it.
        let validator = jsonschema::validator_for(&schema).unwrap();
        let examples = schema["examples"].as_array().unwrap();
        assert!(!examples.is_empty(), "{name}");
        for example in examples {
            let errors: Vec<String> = validator
                .iter_errors(example)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{name}: its example fails: {errors:?}");
        }
    }
    // A broken schema is caught (the check can fail).
    assert!(!jsonschema::meta::is_valid(
        &serde_json::json!({"type": "text"})
    ));
}

#[test]
fn request_example_is_the_documented_sample_with_a_number() {
    let sample: Value = serde_json::from_str(REQUEST_SAMPLE).unwrap();
    let example = &checked_in("send-request.schema.json")["examples"][0];
    let mut expected = sample.clone();
    expected["messaging_object"]["to"] = "919876543210".into();
    assert_eq!(example, &expected);
    let bytes = serde_json::to_vec(example).unwrap();
    assert_eq!(rust_rejection(&bytes), None);
    // The sample verbatim (masked `to`) is rejected by both sides.
    assert_eq!(
        rust_rejection(REQUEST_SAMPLE.as_bytes()),
        Some(("/messaging_object/to".into(), Rule::Phone))
    );
    for (name, validator) in REQUEST_VALIDATORS.iter() {
        assert!(!validator.is_valid(&sample), "{name}");
    }
}

#[test]
fn draft_07_schema_uses_only_draft_07_keywords() {
    let schema = checked_in("send-request.draft-07.schema.json");
    for (pointer, key) in keys_with_pointers(&schema) {
        let is_keyword = !pointer.ends_with("/properties") && !pointer.contains("/examples");
        assert!(
            !(is_keyword && KEYWORDS_NOT_IN_DRAFT_07.contains(&key.as_str())),
            "draft-07 schema has `{key}` at {pointer:?}"
        );
        if key == "$ref" {
            let target = schema.pointer(&format!("{pointer}/$ref")).unwrap();
            assert!(
                target.as_str().unwrap().starts_with("#/definitions/"),
                "{pointer}: {target}"
            );
        }
    }
    // The 2020-12 schema does use `$defs` (the check above can fail).
    let newer = checked_in("send-request.schema.json");
    assert!(newer.get("$defs").is_some());
    assert!(newer.get("definitions").is_none());
}

#[test]
fn request_schemas_carry_every_rule() {
    for (name, validator) in REQUEST_VALIDATORS.iter() {
        let schema = checked_in(name);
        let defs = schema
            .get("$defs")
            .or_else(|| schema.get("definitions"))
            .unwrap()
            .as_object()
            .unwrap();
        // Every object forbids unknown members.
        let mut objects = 1;
        assert_eq!(schema["additionalProperties"], false, "{name}: root");
        for (def, sub) in defs {
            if sub["type"] == "object" {
                objects += 1;
                assert_eq!(sub["additionalProperties"], false, "{name}: {def}");
            }
        }
        assert_eq!(objects, 8, "{name}: every object of the request");
        for (def, constant) in [
            ("MessagingProduct", "whatsapp"),
            ("RecipientType", "individual"),
            ("MessageType", "interactive"),
            ("InteractiveType", "product"),
        ] {
            assert_eq!(defs[def]["const"], constant, "{name}: {def}");
        }
        assert_eq!(
            defs["MessagingObject"]["properties"]["to"]["pattern"],
            kaleyra_wa::TO_PATTERN,
            "{name}"
        );
        assert!(!kaleyra_wa::TO_PATTERN.contains("\\d"));
        assert_eq!(defs["Interactive"]["properties"]["header"], false, "{name}");
        let documented = defs["WaSource"]["anyOf"][0]["enum"].as_array().unwrap();
        assert_eq!(
            documented.len(),
            kaleyra_wa::WaSource::DOCUMENTED.len(),
            "{name}"
        );
        assert!(
            !schema.to_string().contains("null"),
            "{name}: null is never allowed"
        );
        // Code points, not UTF-16 units or bytes: 👍🏽 is 2 code points, 4 UTF-16 units.
        let text = "👍🏽".repeat(30);
        let mut payload: Value = serde_json::from_str(REQUEST_SAMPLE).unwrap();
        payload["messaging_object"]["to"] = "919876543210".into();
        payload["messaging_object"]["interactive"]["footer"]["text"] = text.into();
        assert!(validator.is_valid(&payload), "{name}: 60 code points");
        payload["messaging_object"]["interactive"]["footer"]["text"] =
            format!("{}!", "👍🏽".repeat(30)).into();
        assert!(!validator.is_valid(&payload), "{name}: 61 code points");
    }
}

/// One entry of `tests/fixtures/expected.json`.
#[derive(Debug, serde::Deserialize)]
struct Expected {
    pointer: String,
    code: String,
    /// `"accept"` when a JSON Schema validator, behind a parser that reads the file, accepts
    /// it anyway (duplicate keys, lone surrogates): a documented difference.
    #[serde(default)]
    schema_verdict: Option<String>,
}

fn fixtures(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures").join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

fn manifest() -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn valid_fixtures_pass_rust_and_both_schemas() {
    let files = fixtures("valid");
    assert!(files.len() >= 8, "{} valid fixtures", files.len());
    for (name, bytes) in &files {
        let request = kaleyra_wa::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = request.validate();
        assert!(report.is_valid(), "{name}:\n{report}");
        // Warnings are announced by the file name, and only there.
        assert_eq!(
            name.ends_with("-warning.json"),
            report.warnings().next().is_some(),
            "{name}:\n{report}"
        );
        let value: Value = serde_json::from_slice(bytes).unwrap();
        for (schema, validator) in REQUEST_VALIDATORS.iter() {
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{name} fails {schema}: {errors:?}");
        }
    }
}

#[test]
fn invalid_fixtures_are_rejected_where_the_manifest_says() {
    let files = fixtures("invalid");
    let manifest = manifest();
    assert!(files.len() >= 25, "{} invalid fixtures", files.len());
    let names: BTreeSet<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let listed: BTreeSet<&str> = manifest.keys().map(String::as_str).collect();
    assert_eq!(
        names, listed,
        "tests/fixtures/expected.json lists exactly invalid/*.json"
    );

    let mut failures = Vec::new();
    let mut codes = BTreeSet::new();
    for (name, bytes) in &files {
        let expected = &manifest[name];
        codes.insert(expected.code.as_str());
        let rejection = rust_rejection(bytes).map(|(pointer, rule)| (pointer, rule.code()));
        if rejection != Some((expected.pointer.clone(), expected.code.as_str())) {
            failures.push(format!(
                "{name}: Rust rejection {rejection:?}, manifest ({:?}, {})",
                expected.pointer, expected.code
            ));
        }
        let schema_accepts = match expected.schema_verdict.as_deref() {
            None | Some("reject") => false,
            Some("accept") => true,
            Some(other) => panic!("{name}: schema_verdict {other:?}"),
        };
        let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
            // serde_json, the parser in front of the Rust schema validator, rejects the file:
            // only syntax errors may do that.
            if expected.code != Rule::Syntax.code() {
                failures.push(format!(
                    "{name}: serde_json cannot parse it, yet it is not KWA001"
                ));
            }
            continue;
        };
        if expected.code == Rule::Syntax.code() {
            failures.push(format!("{name}: serde_json parses it, yet it is KWA001"));
        }
        for (schema, validator) in REQUEST_VALIDATORS.iter() {
            let paths = schema_error_paths(validator, &value);
            if paths.is_empty() != schema_accepts {
                failures.push(format!(
                    "{name}: {schema} {} it (schema errors at {paths:?})",
                    if paths.is_empty() {
                        "accepts"
                    } else {
                        "rejects"
                    }
                ));
            }
            let rule = Rule::from_code(&expected.code).unwrap();
            if !schema_accepts
                && !paths.is_empty()
                && !paths.iter().any(|p| same_place(&expected.pointer, rule, p))
            {
                failures.push(format!(
                    "{name}: {schema} rejects it at {paths:?}, not at {:?}",
                    expected.pointer
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every error rule a payload can break has a fixture. Not the linter's input rules: an
    // unreadable file, input past a limit (tested in `cli`), and the linter's own failure
    // (no payload causes it) are not payloads a schema could judge.
    for rule in Rule::ALL {
        if rule.severity() == kaleyra_wa::Severity::Error
            && ![Rule::Unreadable, Rule::Limit, Rule::Internal].contains(rule)
        {
            assert!(
                codes.contains(rule.code()),
                "no invalid fixture for {}",
                rule.code()
            );
        }
    }
}
