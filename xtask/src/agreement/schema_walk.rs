//! Reading the request schema: `$ref`s, members, limits; and valid payloads built from it.

use serde_json::{Map, Value};

use super::Lcg;

/// Characters of generated text: 1 to 4 UTF-8 bytes, 1 or 2 UTF-16 units, escapes, a
/// combining mark, a zero-width joiner, an emoji modifier.
const CHARS: &[char] = &[
    'a', 'Z', '7', ' ', '*', '_', 'é', 'ß', 'ह', '中', '\u{301}', '\u{200d}', '😀', '👍', '🏽',
    '📦', '\n', '"', '\\', '\u{0}', '\u{feff}',
];

/// The request schema, with `#/$defs/…` references resolved on demand.
pub struct Schema<'a> {
    root: &'a Value,
}

impl<'a> Schema<'a> {
    pub fn new(root: &'a Value) -> Result<Self, String> {
        if root.get("$defs").is_none() {
            return Err("the request schema has no $defs".into());
        }
        Ok(Schema { root })
    }

    pub fn root(&self) -> &'a Value {
        self.root
    }

    /// `node`, or what its `$ref` points to (repeatedly).
    pub fn resolve(&self, mut node: &'a Value) -> Result<&'a Value, String> {
        while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let name = reference
                .strip_prefix("#/$defs/")
                .ok_or_else(|| format!("unsupported $ref {reference}"))?;
            node = self
                .root
                .pointer(&format!("/$defs/{name}"))
                .ok_or_else(|| format!("dangling $ref {reference}"))?;
        }
        Ok(node)
    }

    /// A valid payload; with `full`, every optional member is present.
    pub fn generate(&self, rng: &mut Lcg, full: bool) -> Result<Value, String> {
        self.value(self.root, rng, full)
    }

    fn value(&self, node: &'a Value, rng: &mut Lcg, full: bool) -> Result<Value, String> {
        let node = self.resolve(node)?;
        if let Some(constant) = node.get("const") {
            return Ok(constant.clone());
        }
        if let Some(known) = open_enum(node) {
            return Ok(if rng.one_in(4) {
                Value::from(text(rng, 0, 20))
            } else {
                rng.pick(known).clone()
            });
        }
        match node.get("type").and_then(Value::as_str) {
            Some("object") => {
                let mut object = Map::new();
                let required = required(node);
                for (name, member) in properties(node) {
                    if *member == Value::Bool(false) {
                        continue;
                    }
                    if full || required.contains(&name.as_str()) || rng.one_in(2) {
                        object.insert(name.clone(), self.value(member, rng, full)?);
                    }
                }
                Ok(Value::Object(object))
            }
            Some("string") if node.get("pattern").is_some() => phone_numbers(node, rng),
            Some("string") => {
                let (min, max) = lengths(node);
                // Without a limit, mostly short, now and then past the 255 a ref keeps.
                let max = max.unwrap_or(if rng.one_in(8) { 300 } else { 40 });
                let len = match rng.below(8) {
                    0 => max,
                    1 => min,
                    _ => min + rng.below(max - min + 1),
                };
                Ok(Value::from(text(rng, len, len)))
            }
            other => Err(format!(
                "no generator for a schema of type {other:?}: {node}"
            )),
        }
    }
}

/// The members of an object schema, in schema order.
pub fn properties(node: &Value) -> Vec<(&String, &Value)> {
    node.get("properties")
        .and_then(Value::as_object)
        .map(|members| members.iter().collect())
        .unwrap_or_default()
}

/// The required members of an object schema.
pub fn required(node: &Value) -> Vec<&str> {
    node.get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// `minLength` (default 0) and `maxLength` of a string schema, in code points.
pub fn lengths(node: &Value) -> (usize, Option<usize>) {
    let get = |key| {
        node.get(key)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    (get("minLength").unwrap_or(0), get("maxLength"))
}

/// The documented values of an open enum (`anyOf`: a string `enum`, any string).
pub fn open_enum(node: &Value) -> Option<&Vec<Value>> {
    let branches = node.get("anyOf")?.as_array()?;
    let known = branches.iter().find_map(|b| b.get("enum"))?.as_array()?;
    let any = branches
        .iter()
        .any(|b| *b == serde_json::json!({"type": "string"}));
    any.then_some(known)
}

/// Text of `min..=max` code points drawn from [`CHARS`].
pub fn text(rng: &mut Lcg, min: usize, max: usize) -> String {
    let len = min + rng.below(max - min + 1);
    (0..len).map(|_| *rng.pick(CHARS)).collect()
}

/// One to three recipients, each 7 to 15 digits, some with `+`: valid for the `to` pattern,
/// which must be the crate's `TO_PATTERN` (the only pattern this generator knows).
fn phone_numbers(node: &Value, rng: &mut Lcg) -> Result<Value, String> {
    let pattern = node.get("pattern").and_then(Value::as_str);
    if pattern != Some(kaleyra_wa::TO_PATTERN) {
        return Err(format!("no generator for the pattern {pattern:?}"));
    }
    let count = if rng.one_in(5) { 1 + rng.below(3) } else { 1 };
    let numbers: Vec<String> = (0..count)
        .map(|_| {
            let digits = 7 + rng.below(9);
            phone_number(rng, digits)
        })
        .collect();
    Ok(Value::from(numbers.join(",")))
}

/// A number of `digits` digits (no leading zero), with `+` one time in three.
pub fn phone_number(rng: &mut Lcg, digits: usize) -> String {
    let mut number = String::from(if rng.one_in(3) { "+" } else { "" });
    number.push(char::from(b'1' + rng.below(9) as u8));
    for _ in 1..digits {
        number.push(char::from(b'0' + rng.below(10) as u8));
    }
    number
}
