//! Strategies for the strings of a payload: texts of code points (multi-byte and escaped
//! characters), recipients, identifiers, `wa_source`s and refs.

use proptest::prelude::*;
use proptest::sample::select;

/// Past this many code points a ref is truncated by the server (a warning, not an error).
const REF_MAX: usize = kaleyra_wa::limits::REF_MAX;

/// Characters the texts are made of: ASCII, 2-, 3- and 4-byte UTF-8, characters JSON must
/// escape, a zero-width joiner and a skin-tone modifier.
const SPECIAL: &[&str] = &[
    "é",
    "ñ",
    "ß",
    "中",
    "文",
    "€",
    "😀",
    "👍",
    "🛍",
    "\u{1F3FD}",
    "\u{200D}",
    "\"",
    "\\",
    "/",
    "\n",
    "\t",
    "\u{1}",
    "\u{7F}",
    "\u{FEFF}",
    "👍🏽", // 2 code points, 1 grapheme
    "👩‍👩‍👧", // 5 code points
];

/// One unit of text: 1 to 5 code points.
fn unit() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 .,!?]".prop_map(String::from),
        3 => select(SPECIAL).prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ]
}

/// A text of exactly `len` code points (multi-byte units may be cut by the final count,
/// which leaves valid code points).
pub(crate) fn text_of(len: usize) -> BoxedStrategy<String> {
    prop::collection::vec(unit(), len)
        .prop_map(move |units| {
            let text: String = units.concat().chars().take(len).collect();
            debug_assert_eq!(text.chars().count(), len);
            text
        })
        .boxed()
}

/// A text of `min..=max` code points, biased to the ends of the range (the limit itself
/// comes up often).
pub(crate) fn text(min: usize, max: usize) -> BoxedStrategy<String> {
    let short_max = max.min(min + 12);
    prop_oneof![
        3 => min..=short_max,
        2 => min..=max,
        2 => Just(max),
        1 => Just(min),
        1 => max.saturating_sub(3).max(min)..=max,
    ]
    .prop_flat_map(text_of)
    .boxed()
}

/// A digit string of `len` digits whose first digit is not 0.
fn digits(len: usize) -> impl Strategy<Value = String> {
    (1u8..=9, prop::collection::vec(0u8..=9, len - 1)).prop_map(|(first, rest)| {
        std::iter::once(first)
            .chain(rest)
            .map(|d| char::from(b'0' + d))
            .collect()
    })
}

/// One E.164 recipient: 7 to 15 digits, no leading zero, with or without `+`.
pub(crate) fn recipient() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop_oneof![Just(7usize), Just(15usize), 7usize..=15],
    )
        .prop_flat_map(|(plus, len)| {
            digits(len).prop_map(move |d| if plus { format!("+{d}") } else { d })
        })
}

/// One to four recipients.
pub(crate) fn recipients() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        3 => prop::collection::vec(recipient(), 1),
        1 => prop::collection::vec(recipient(), 2..=4),
    ]
}

/// A non-empty identifier (catalog id, retailer id, message id).
pub(crate) fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9]{1,20}",
        1 => "wamid\\.[A-Za-z0-9=_-]{1,60}",
        1 => text(1, 40),
    ]
}

/// A value of an open enumeration (`wa_source`): one of the documented values or another
/// string (kept, with a warning).
pub(crate) fn open_enum(documented: Vec<String>) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(documented),
        1 => select(&["website", "API", "Shopify", "", " api", "crm"][..]).prop_map(String::from),
        1 => text(0, 30),
    ]
}

/// A ref: up to 300 code points (over 255 is a warning).
pub(crate) fn reference() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(0, 40),
        1 => text(REF_MAX - 2, REF_MAX + 3),
        1 => text(0, 300),
    ]
}
