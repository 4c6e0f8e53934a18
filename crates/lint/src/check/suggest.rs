//! "did you mean `x`?" for a member the request does not define: the allowed name most like
//! it by Jaro-Winkler similarity, or the list of allowed names when none is close.

use serde_json::Value;

use super::schema::subschema_at;

/// The similarity from which the closest name is suggested.
const CLOSE: f64 = 0.8;

/// Slack for the rounding of [`bound`] against [`similarity`]: a name is skipped only when
/// its bound is below the best score by more than this.
const ROUNDING: f64 = 1e-9;

/// "did you mean `x`?" for an unknown member `key` of the object at `object_pointer`, or the
/// names allowed there.
pub(super) fn did_you_mean(object_pointer: &str, key: &str) -> Option<String> {
    let names = allowed_names(object_pointer)?;
    // No name can be close (a key far longer than any, say): the list, whichever is most
    // similar, without comparing (which would cost a key of megabytes a buffer as long).
    if names
        .clone()
        .all(|name| bound(name, key) < CLOSE - ROUNDING)
    {
        return Some(suggestion(names, "", 0.0));
    }
    // The last of the most similar names. A name whose bound is below the best score so far
    // cannot be it, and is not compared: the same answer for fewer comparisons.
    let mut best: Option<(&str, f64)> = None;
    for name in names.clone() {
        if let Some((_, score)) = best
            && bound(name, key) < score - ROUNDING
        {
            continue;
        }
        let score = similarity(name, key);
        if best.is_none_or(|(_, best)| score >= best) {
            best = Some((name, score));
        }
    }
    let (best, score) = best?;
    Some(suggestion(names, best, score))
}

/// The members the object at `object_pointer` allows (not those the schema forbids).
fn allowed_names(object_pointer: &str) -> Option<impl Iterator<Item = &'static str> + Clone> {
    let properties = subschema_at(object_pointer)?
        .get("properties")?
        .as_object()?;
    Some(
        properties
            .iter()
            .filter(|(_, schema)| **schema != Value::Bool(false))
            .map(|(name, _)| name.as_str()),
    )
}

/// The help for an unknown member whose most similar of the allowed `names` is `best`, at
/// `score`.
fn suggestion<'a>(names: impl Iterator<Item = &'a str>, best: &str, score: f64) -> String {
    if score >= CLOSE {
        format!("did you mean `{best}`?")
    } else {
        let names: Vec<String> = names.map(|name| format!("`{name}`")).collect();
        format!("allowed here: {}", names.join(", "))
    }
}

/// Jaro-Winkler similarity of two names: over bytes when both are ASCII (the same value,
/// counted without decoding characters again for every comparison), else over characters.
fn similarity(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() {
        strsim::generic_jaro_winkler(&Bytes(a.as_bytes()), &Bytes(b.as_bytes()))
    } else {
        strsim::jaro_winkler(a, b)
    }
}

/// An upper bound of [`similarity`] from the lengths and the common prefix alone: Jaro is
/// at most `(m/|a| + m/|b| + 1) / 3` with `m` matches, at most the shorter length, and the
/// Winkler boost (`0.1` per common leading character, up to 4) grows with it.
fn bound(a: &str, b: &str) -> f64 {
    let (a_len, b_len, prefix) = if a.is_ascii() && b.is_ascii() {
        (a.len(), b.len(), common_prefix(a.bytes(), b.bytes()))
    } else {
        (
            a.chars().count(),
            b.chars().count(),
            common_prefix(a.chars(), b.chars()),
        )
    };
    if a_len == 0 || b_len == 0 {
        return 1.0;
    }
    let matches = a_len.min(b_len) as f64;
    let jaro = (matches / a_len as f64 + matches / b_len as f64 + 1.0) / 3.0;
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

/// How many of the first 4 items of `a` and `b` are equal, as Winkler counts them.
fn common_prefix<T: PartialEq>(a: impl Iterator<Item = T>, b: impl Iterator<Item = T>) -> usize {
    a.take(4).zip(b).take_while(|(a, b)| a == b).count()
}

/// A byte string, iterated by reference as strsim's generic functions want.
struct Bytes<'s>(&'s [u8]);

impl<'s> IntoIterator for &Bytes<'s> {
    type Item = &'s u8;
    type IntoIter = std::slice::Iter<'s, u8>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The suggestion computed by comparing every name, as it was before the bound.
    fn compared_with_every_name(object_pointer: &str, key: &str) -> Option<String> {
        let names = allowed_names(object_pointer)?;
        let (best, score) = names
            .clone()
            .map(|name| (name, similarity(name, key)))
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(suggestion(names, best, score))
    }

    /// Every object of the request schema, by pointer, and its member names.
    fn objects(pointer: String, out: &mut Vec<(String, Vec<String>)>) {
        let Some(properties) = subschema_at(&pointer)
            .and_then(|schema| schema.get("properties"))
            .and_then(Value::as_object)
        else {
            return;
        };
        out.push((pointer.clone(), properties.keys().cloned().collect()));
        for name in properties.keys() {
            objects(format!("{pointer}/{name}"), out);
        }
    }

    /// Keys a careless writer could put for `name`: each character dropped, doubled or
    /// swapped with the next, its plural, its upper case, a British spelling.
    fn near_misses(name: &str) -> Vec<String> {
        let chars: Vec<char> = name.chars().collect();
        let mut keys = vec![
            format!("{name}s"),
            name.to_uppercase(),
            name.replace("og", "ogue"),
        ];
        for i in 0..chars.len() {
            let mut dropped = chars.clone();
            dropped.remove(i);
            keys.push(dropped.into_iter().collect());
            let mut doubled = chars.clone();
            doubled.insert(i, chars[i]);
            keys.push(doubled.into_iter().collect());
            if i + 1 < chars.len() {
                let mut swapped = chars.clone();
                swapped.swap(i, i + 1);
                keys.push(swapped.into_iter().collect());
            }
        }
        keys
    }

    #[test]
    fn the_bound_changes_no_suggestion_in_any_object_of_the_schema() {
        let mut all = Vec::new();
        objects(String::new(), &mut all);
        assert!(all.len() >= 8, "{all:?}");
        let mut keys: Vec<String> = all
            .iter()
            .flat_map(|(_, names)| names.iter().flat_map(|name| near_misses(name)))
            .collect();
        keys.extend(
            ["", "x", "téléphone", "messaging_objet", "wa-source", "réf"].map(String::from),
        );
        // Keys far longer than any name (no name can be close), with and without a prefix
        // in common, and one long key that is still close.
        for prefix in ["", "m", "mess", "catalog_i", "\u{7f}"] {
            keys.push(format!("{prefix}{}", "x".repeat(1_000)));
            keys.push(format!("{prefix}{}", "é".repeat(100)));
        }
        keys.push("messaging_objectt".repeat(2));
        for (pointer, _) in &all {
            for key in &keys {
                assert_eq!(
                    did_you_mean(pointer, key),
                    compared_with_every_name(pointer, key),
                    "{pointer} {key}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn the_bound_is_never_below_the_similarity(a in "\\PC{0,24}", b in "[a-z_é]{0,24}") {
            prop_assert!(similarity(&a, &b) <= bound(&a, &b) + ROUNDING);
            prop_assert!(similarity(&b, &a) <= bound(&b, &a) + ROUNDING);
        }
    }
}
