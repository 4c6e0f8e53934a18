//! The tree the slow path checks: the document as `serde_json` parses it, less what the
//! request schema cannot see into, so that its memory follows the request's shape and not
//! the document's.
//!
//! The schema's objects are closed: a member it does not name is reported for its name
//! alone, so its value is parsed (every syntax error is still met, where it is) but not kept
//! (`null` in its place). Where the schema wants a text (or a number, a constant), an array or
//! an object is wrong for its type alone, so it is kept empty. A tree of a 256 KiB array of
//! tiny objects in an unknown member took about 150 times its size; now next to nothing (the
//! unknown-member path parses removed members the same way, [`check_value`]). A test compares
//! every finding of the slow path on this tree and on the whole one.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::schema::{resolve, subschema_at};

/// Parses `text` (or `bytes`, when they are not UTF-8) into the tree of the request schema's
/// places, with `serde_json`'s errors.
pub(super) fn parse(bytes: &[u8], text: Option<&str>) -> Result<Value, serde_json::Error> {
    #[cfg(test)]
    if WHOLE.get() {
        return match text {
            Some(text) => serde_json::from_str(text),
            None => serde_json::from_slice(bytes),
        };
    }
    let root = Shape(subschema_at(""));
    match text {
        Some(text) => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let value = root.deserialize(&mut deserializer)?;
            deserializer.end()?;
            Ok(value)
        }
        None => {
            let mut deserializer = serde_json::Deserializer::from_slice(bytes);
            let value = root.deserialize(&mut deserializer)?;
            deserializer.end()?;
            Ok(value)
        }
    }
}

/// Parses `text`, a JSON value, as the tree would (escapes, surrogates, numbers), keeping
/// nothing of it.
pub(super) fn check_value(text: &str) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    Skip.deserialize(&mut deserializer)?;
    deserializer.end()
}

#[cfg(test)]
thread_local! {
    /// In tests: parse the whole tree instead, to compare.
    pub(super) static WHOLE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A value at a place whose subschema (references followed) is the one given; `None`: a
/// place the schema says nothing of, where the value is kept whole.
#[derive(Clone, Copy)]
struct Shape(Option<&'static Value>);

impl Shape {
    /// Whether the schema here lets a value be of JSON type `kind` (if it says).
    fn allows(self, kind: &str) -> bool {
        match self.0.and_then(|schema| schema.get("type")) {
            Some(Value::String(only)) => only == kind,
            Some(Value::Array(kinds)) => kinds.iter().any(|k| k.as_str() == Some(kind)),
            _ => true,
        }
    }

    /// The members an object here may hold, when the schema names them all.
    fn closed(self) -> Option<&'static Map<String, Value>> {
        let schema = self.0?;
        (schema.get("additionalProperties") == Some(&Value::Bool(false)))
            .then(|| schema.get("properties")?.as_object())
            .flatten()
    }
}

impl<'de> DeserializeSeed<'de> for Shape {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self.0 {
            // A member that must not be there (`false`): wrong whatever it holds.
            Some(Value::Bool(false)) => {
                deserializer.deserialize_any(Skip)?;
                Ok(Value::Null)
            }
            Some(_) => deserializer.deserialize_any(self),
            None => serde::Deserialize::deserialize(deserializer),
        }
    }
}

impl<'de> Visitor<'de> for Shape {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // As `serde_json` makes it.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if !self.allows("array") {
            while seq.next_element_seed(Skip)?.is_some() {}
            return Ok(Value::Array(Vec::new()));
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        if !self.allows("object") {
            while map.next_key_seed(Skip)?.is_some() {
                map.next_value_seed(Skip)?;
            }
            return Ok(Value::Object(members));
        }
        let known = self.closed();
        while let Some(name) = map.next_key::<String>()? {
            let value = match known.map(|known| known.get(&name)) {
                // A member the schema names: its own place.
                Some(Some(property)) => map.next_value_seed(Shape(resolve(property)))?,
                // One it does not: reported by name.
                Some(None) => {
                    map.next_value_seed(Skip)?;
                    Value::Null
                }
                None => map.next_value()?,
            };
            // The last of duplicate keys, as `serde_json` keeps it.
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

/// A value parsed and not kept: strings are still read whole (escapes, surrogates) and
/// numbers as numbers, as for the tree, so that the same errors are met.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::testing::{RECORD, edit, piece};
    use super::super::{DocFinding, slow_path};
    use super::*;

    /// The slow path's findings of `text` on the shaped tree and on the whole one.
    fn both(text: &str) -> (Vec<DocFinding>, Vec<DocFinding>) {
        let shaped = slow_path(text.as_bytes(), Some(text));
        WHOLE.set(true);
        let whole = slow_path(text.as_bytes(), Some(text));
        WHOLE.set(false);
        (shaped, whole)
    }

    /// `RECORD` with `value` in place of the value of member `name` (an unknown one added
    /// to `messaging_object` when the record has none of that name).
    fn with(name: &str, value: &str) -> String {
        let key = format!("\"{name}\": ");
        match RECORD.find(&key) {
            Some(at) => {
                let start = at + key.len();
                let end = super::super::locate::value_end(RECORD.as_bytes(), start).unwrap();
                format!("{}{value}{}", &RECORD[..start], &RECORD[end..])
            }
            None => RECORD.replacen(
                "{\"messaging_product\"",
                &format!("{{\"{name}\": {value}, \"messaging_product\""),
                1,
            ),
        }
    }

    /// What the shaped tree leaves out changes no finding: values of every type, and broken
    /// ones, in unknown members, at members that hold texts, objects or constants, and as the
    /// whole document.
    #[test]
    fn the_shaped_tree_gives_the_whole_tree_s_findings() {
        let values = [
            "[]",
            "[0, [1, {\"a\": 2}], \"x\"]",
            "{}",
            "{\"a\": {\"b\": [true, null]}, \"a\": 1}",
            "{\"to\": 1, \"zz\": [1e400]}",
            "[1e400, -1e309]",
            "\"\\ud800\"",
            "[\"\\ud800\"]",
            "{\"\\ud800\": 1}",
            "[1, 2",
            "{\"a\" 1}",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            "null",
            "0",
            "\"whatsapp\"",
            "{\"text\": \"x\", \"zz\": {}}",
        ];
        let names = [
            "zz",
            "to",
            "messaging_product",
            "interactive",
            "body",
            "text",
            "action",
            "extra_info",
            "wa_source",
            "ref",
            "header",
        ];
        let mut documents: Vec<String> = Vec::new();
        for name in names {
            for value in values {
                documents.push(with(name, value));
            }
        }
        documents.extend(values.iter().map(|value| value.to_string()));
        // A member that must not be there (`header`, `false` in the schema), once and twice.
        for value in values {
            let header = format!("\"interactive\": {{\"header\": {value}, ");
            let once = RECORD.replacen("\"interactive\": {", &header, 1);
            assert_ne!(once, RECORD);
            documents.push(once.replacen("\"interactive\": {", &header, 1));
            documents.push(once);
        }
        for text in &documents {
            let (shaped, whole) = both(text);
            assert_eq!(shaped, whole, "{text}");
        }
    }

    /// Edits of the record's structure, and members holding what the tree leaves out.
    const PIECES: &[&str] = &[
        "\"zz\": [1, {\"a\": []}]",
        "\"to\": {}",
        "\"text\": []",
        "\"header\": [1]",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Whatever a few edits do to a record, the shaped tree gives the whole tree's
        /// findings.
        #[test]
        fn edited_records_get_the_same_findings_from_both_trees(
            edits in prop::collection::vec((any::<prop::sample::Index>(), piece(PIECES), 0..3usize), 1..4),
        ) {
            let mut text = RECORD.to_owned();
            edit(&mut text, &edits);
            let (shaped, whole) = both(&text);
            prop_assert_eq!(shaped, whole, "{}", text);
        }
    }
}
