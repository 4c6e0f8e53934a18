//! proptest strategies for request payloads, shared by the property and differential tests.
//!
//! - [`valid`]: payloads the API accepts (`from_slice` succeeds and the report has no error),
//!   as `serde_json::Value`. Optional members present or absent, texts of multi-byte
//!   characters and emoji up to their limits, refs up to and beyond 255 code points (beyond
//!   is valid with a warning), documented and undocumented `wa_source`, one or more recipients
//!   with or without `+`, `context.message_id`.
//! - [`mutated`]: a valid payload with exactly one thing wrong, and the [`Mutation`] saying
//!   where (JSON pointer) and why ([`Rule`]) it must be rejected.
//!
//! Lengths are in Unicode code points, like the crate's limits.

#![allow(dead_code)] // Each user of this module uses a part of it.

use kaleyra_wa::Rule;
use kaleyra_wa::WaSource;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

/// `interactive.body.text` limit.
pub const BODY_MAX: usize = 1024;
/// `interactive.footer.text` limit.
pub const FOOTER_MAX: usize = 60;
/// `biz_opaque_callback_data` limit.
pub const BIZ_MAX: usize = 512;
/// Past this many code points a ref is truncated by the server (a warning, not an error).
pub const REF_MAX: usize = 255;

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
pub fn text_of(len: usize) -> BoxedStrategy<String> {
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
pub fn text(min: usize, max: usize) -> BoxedStrategy<String> {
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
pub fn recipient() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop_oneof![Just(7usize), Just(15usize), 7usize..=15],
    )
        .prop_flat_map(|(plus, len)| {
            digits(len).prop_map(move |d| if plus { format!("+{d}") } else { d })
        })
}

/// One to four recipients.
pub fn recipients() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        3 => prop::collection::vec(recipient(), 1),
        1 => prop::collection::vec(recipient(), 2..=4),
    ]
}

/// A non-empty identifier (catalog id, retailer id, message id).
pub fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9]{1,20}",
        1 => "wamid\\.[A-Za-z0-9=_-]{1,60}",
        1 => text(1, 40),
    ]
}

/// A `wa_source`: one of the 13 documented values or another string (kept, with a warning).
pub fn wa_source() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(WaSource::DOCUMENTED).prop_map(String::from),
        1 => select(&["website", "API", "Shopify", "", " api", "crm"][..]).prop_map(String::from),
        1 => text(0, 30),
    ]
}

/// A ref: up to 300 code points (over 255 is a warning).
pub fn reference() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => text(0, 40),
        1 => text(REF_MAX - 2, REF_MAX + 3),
        1 => text(0, 300),
    ]
}

fn insert(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value);
    }
}

fn text_object(text: String) -> Value {
    json!({ "text": text })
}

/// A valid `extra_info` object (possibly empty).
pub fn extra_info() -> impl Strategy<Value = Value> {
    (
        prop::option::of(reference()),
        prop::option::of(reference()),
        prop::option::of(reference()),
        prop::option::of(wa_source()),
    )
        .prop_map(|(r, r1, r2, source)| {
            let mut map = Map::new();
            insert(&mut map, "ref", r.map(Value::String));
            insert(&mut map, "ref1", r1.map(Value::String));
            insert(&mut map, "ref2", r2.map(Value::String));
            insert(&mut map, "wa_source", source.map(Value::String));
            Value::Object(map)
        })
}

/// A valid request payload.
///
/// Boxed (here and in the text strategies) to keep value trees off the stack: unboxed, the
/// nested trees overflow a test thread's 2 MiB stack in a debug build.
pub fn valid() -> BoxedStrategy<Value> {
    let interactive = (
        prop::option::of(text(1, BODY_MAX)),
        prop::option::of(text(1, FOOTER_MAX)),
        id(),
        id(),
    )
        .prop_map(|(body, footer, catalog_id, product_retailer_id)| {
            let mut map = Map::new();
            map.insert("type".into(), json!("product"));
            insert(&mut map, "body", body.map(text_object));
            insert(&mut map, "footer", footer.map(text_object));
            map.insert(
                "action".into(),
                json!({ "catalog_id": catalog_id, "product_retailer_id": product_retailer_id }),
            );
            Value::Object(map)
        })
        .boxed();
    let messaging_object = (
        any::<bool>(),
        recipients(),
        interactive,
        prop::option::of(id()),
        prop::option::of(text(0, BIZ_MAX)),
    )
        .prop_map(|(recipient_type, to, interactive, context, biz)| {
            let mut map = Map::new();
            map.insert("messaging_product".into(), json!("whatsapp"));
            if recipient_type {
                map.insert("recipient_type".into(), json!("individual"));
            }
            map.insert("to".into(), Value::String(to.join(",")));
            map.insert("type".into(), json!("interactive"));
            map.insert("interactive".into(), interactive);
            insert(
                &mut map,
                "context",
                context.map(|id| json!({ "message_id": id })),
            );
            insert(&mut map, "biz_opaque_callback_data", biz.map(Value::String));
            Value::Object(map)
        })
        .boxed();
    (messaging_object, prop::option::of(extra_info().boxed()))
        .prop_map(|(messaging_object, extra)| {
            let mut map = Map::new();
            map.insert("messaging_object".into(), messaging_object);
            insert(&mut map, "extra_info", extra);
            Value::Object(map)
        })
        .boxed()
}

/// Where and why a mutated payload must be rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutation {
    /// JSON pointer of the rejection: the member for a wrong value, an unknown member or a
    /// header; the parent object for a missing member.
    pub pointer: String,
    /// The rule broken.
    pub rule: Rule,
    /// What was done, for failure messages.
    pub what: String,
}

impl Mutation {
    fn new(pointer: &str, rule: Rule, what: impl Into<String>) -> Mutation {
        Mutation {
            pointer: pointer.to_owned(),
            rule,
            what: what.into(),
        }
    }
}

/// The object at `pointer`, created (as `{}`) if missing. Only used on object paths.
fn object_at<'a>(value: &'a mut Value, pointer: &str) -> &'a mut Map<String, Value> {
    let mut current = value;
    for token in kaleyra_wa::pointer::tokens(pointer) {
        current = current
            .as_object_mut()
            .expect("an object on the path")
            .entry(token)
            .or_insert_with(|| json!({}));
    }
    current.as_object_mut().expect("an object at the pointer")
}

/// Splits `/a/b/c` into (`/a/b`, `c`). Member names on these paths need no escaping.
fn split(pointer: &str) -> (&str, &str) {
    let at = pointer.rfind('/').expect("a member pointer");
    (&pointer[..at], &pointer[at + 1..])
}

/// Sets the member at `pointer` (creating its parents as objects).
fn set(value: &mut Value, pointer: &str, new: Value) {
    let (parent, name) = split(pointer);
    object_at(value, parent).insert(name.to_owned(), new);
}

/// The texts with limits: (pointer, limit). Setting one also makes its parent present.
pub const LIMITED: &[(&str, usize)] = &[
    ("/messaging_object/interactive/body/text", BODY_MAX),
    ("/messaging_object/interactive/footer/text", FOOTER_MAX),
    ("/messaging_object/biz_opaque_callback_data", BIZ_MAX),
];

/// Mandatory members, as pointers. A mandatory member of an optional object (`body.text`)
/// is removed from an object made present.
pub const MANDATORY: &[&str] = &[
    "/messaging_object",
    "/messaging_object/messaging_product",
    "/messaging_object/to",
    "/messaging_object/type",
    "/messaging_object/interactive",
    "/messaging_object/interactive/type",
    "/messaging_object/interactive/action",
    "/messaging_object/interactive/action/catalog_id",
    "/messaging_object/interactive/action/product_retailer_id",
    "/messaging_object/interactive/body/text",
    "/messaging_object/interactive/footer/text",
    "/messaging_object/context/message_id",
];

/// Members with one allowed value, and wrong values for each (a different case, a value
/// another source knows, another Meta type, empty).
pub const CONSTANTS: &[(&str, &[&str])] = &[
    (
        "/messaging_object/messaging_product",
        &["WhatsApp", "sms", "", "whatsapp "],
    ),
    (
        "/messaging_object/recipient_type",
        &["group", "Individual", "", "individuals"],
    ),
    (
        "/messaging_object/type",
        &["text", "template", "Interactive", ""],
    ),
    (
        "/messaging_object/interactive/type",
        &[
            "product_list",
            "catalog_message",
            "button",
            "list",
            "flow",
            "Product",
            "",
        ],
    ),
];

/// Texts that must not be empty.
pub const NON_EMPTY: &[&str] = &[
    "/messaging_object/interactive/action/catalog_id",
    "/messaging_object/interactive/action/product_retailer_id",
    "/messaging_object/context/message_id",
    "/messaging_object/interactive/body/text",
    "/messaging_object/interactive/footer/text",
];

/// The objects of a payload, with their members (to pick unknown names that are not members).
pub const OBJECTS: &[(&str, &[&str])] = &[
    ("", &["messaging_object", "extra_info"]),
    (
        "/messaging_object",
        &[
            "messaging_product",
            "recipient_type",
            "to",
            "type",
            "interactive",
            "context",
            "biz_opaque_callback_data",
        ],
    ),
    (
        "/messaging_object/interactive",
        &["type", "body", "footer", "action", "header"],
    ),
    ("/messaging_object/interactive/body", &["text"]),
    ("/messaging_object/interactive/footer", &["text"]),
    (
        "/messaging_object/interactive/action",
        &["catalog_id", "product_retailer_id"],
    ),
    ("/messaging_object/context", &["message_id"]),
    ("/extra_info", &["ref", "ref1", "ref2", "wa_source"]),
];

/// Optional members: `null` is not "absent" and is rejected.
pub const OPTIONAL: &[&str] = &[
    "/extra_info",
    "/extra_info/ref",
    "/extra_info/ref1",
    "/extra_info/ref2",
    "/extra_info/wa_source",
    "/messaging_object/recipient_type",
    "/messaging_object/context",
    "/messaging_object/biz_opaque_callback_data",
    "/messaging_object/interactive/body",
    "/messaging_object/interactive/footer",
];

/// Every member with its JSON type (`"string"` or `"object"`), for wrong-type mutations.
pub const TYPED: &[(&str, &str)] = &[
    ("/messaging_object", "object"),
    ("/messaging_object/messaging_product", "string"),
    ("/messaging_object/recipient_type", "string"),
    ("/messaging_object/to", "string"),
    ("/messaging_object/type", "string"),
    ("/messaging_object/interactive", "object"),
    ("/messaging_object/interactive/type", "string"),
    ("/messaging_object/interactive/body", "object"),
    ("/messaging_object/interactive/body/text", "string"),
    ("/messaging_object/interactive/footer", "object"),
    ("/messaging_object/interactive/footer/text", "string"),
    ("/messaging_object/interactive/action", "object"),
    ("/messaging_object/interactive/action/catalog_id", "string"),
    (
        "/messaging_object/interactive/action/product_retailer_id",
        "string",
    ),
    ("/messaging_object/context", "object"),
    ("/messaging_object/context/message_id", "string"),
    ("/messaging_object/biz_opaque_callback_data", "string"),
    ("/extra_info", "object"),
    ("/extra_info/ref", "string"),
    ("/extra_info/ref1", "string"),
    ("/extra_info/ref2", "string"),
    ("/extra_info/wa_source", "string"),
];

/// A valid value for the member at `pointer` (used to make a member present before mutating
/// it or its children).
fn valid_member(pointer: &str) -> Value {
    match pointer {
        "/messaging_object/interactive/body" | "/messaging_object/interactive/footer" => {
            json!({ "text": "é😀" })
        }
        "/messaging_object/context" => json!({ "message_id": "wamid.1" }),
        "/extra_info" => json!({}),
        "/messaging_object/recipient_type" => json!("individual"),
        "/extra_info/wa_source" => json!("api"),
        _ => json!("x"),
    }
}

/// Makes the optional objects on the way to `pointer` present.
fn make_parents(value: &mut Value, pointer: &str) {
    let (parent, _) = split(pointer);
    let mut path = String::new();
    for token in kaleyra_wa::pointer::tokens(parent) {
        let here = format!("{path}/{token}");
        let new = valid_member(&here);
        object_at(value, &path).entry(token).or_insert(new);
        path = here;
    }
}

/// Kinds of bad recipients: (text, what is wrong). None matches the recipient pattern.
pub const BAD_RECIPIENTS: &[(&str, &str)] = &[
    ("0919876543210", "leading zero"),
    ("+0919876543210", "leading zero after +"),
    ("123456", "6 digits"),
    ("+123456", "6 digits with +"),
    ("1234567890123456", "16 digits"),
    ("+91 9876543210", "space"),
    ("91-9876-543210", "dashes"),
    ("(91)9876543210", "brackets"),
    ("91987654321O", "letter O"),
    ("++919876543210", "two +"),
    ("91987+6543210", "+ inside"),
    ("", "empty (double, leading or trailing comma)"),
    (" 919876543210", "leading space"),
    ("919876543210 ", "trailing space"),
    ("９１９８７６５４３２１０", "full-width digits"),
    ("٩١٩٨٧٦٥٤٣٢١٠", "Arabic-Indic digits"),
    ("91XXXXXXXXXX", "placeholder"),
    ("919876543210;919876543211", "semicolon separator"),
];

/// Unknown member names that are typos of real ones, or need escaping in a pointer.
const UNKNOWN_NAMES: &[&str] = &[
    "catalogue_id",
    "Type",
    "text ",
    "messagingObject",
    "extra-info",
    "refs",
    "a/b",
    "m~n",
    "",
    "é😀",
    "headers",
];

#[derive(Clone, Debug)]
enum Kind {
    TooLong(usize, usize),
    Missing(usize),
    Constant(usize, usize),
    Phone(usize, usize),
    Empty(usize),
    Unknown(usize, String),
    WrongType(usize, usize),
    Null(usize),
    Header(usize),
}

fn kind() -> impl Strategy<Value = Kind> {
    let too_long = (
        0..LIMITED.len(),
        prop_oneof![4 => Just(1usize), 1 => 2usize..=20],
    )
        .prop_map(|(i, over)| Kind::TooLong(i, over));
    let constant = (0..CONSTANTS.len(), any::<prop::sample::Index>())
        .prop_map(|(i, index)| Kind::Constant(i, index.index(CONSTANTS[i].1.len())));
    let unknown = (
        0..OBJECTS.len(),
        prop_oneof![select(UNKNOWN_NAMES).prop_map(String::from), "[a-z_]{1,12}",],
    )
        .prop_filter_map("a known member", |(i, name)| {
            (!OBJECTS[i].1.contains(&name.as_str())).then_some(Kind::Unknown(i, name))
        });
    prop_oneof![
        2 => too_long,
        2 => (0..MANDATORY.len()).prop_map(Kind::Missing),
        1 => constant,
        3 => (0..BAD_RECIPIENTS.len(), 0usize..4).prop_map(|(i, at)| Kind::Phone(i, at)),
        1 => (0..NON_EMPTY.len()).prop_map(Kind::Empty),
        2 => unknown,
        2 => (0..TYPED.len(), 0usize..6).prop_map(|(i, v)| Kind::WrongType(i, v)),
        1 => (0..OPTIONAL.len()).prop_map(Kind::Null),
        1 => (0usize..3).prop_map(Kind::Header),
    ]
}

/// Values of the wrong JSON type for a member of type `ty`.
fn wrong_value(ty: &str, which: usize) -> Value {
    let candidates = match ty {
        "string" => [
            json!(919876543210u64),
            json!(1.5),
            json!(true),
            json!(["x"]),
            json!({ "text": "x" }),
            json!(-1),
        ],
        _ => [
            json!("text"),
            json!(0),
            json!(false),
            json!([]),
            json!([{}]),
            json!("{}"),
        ],
    };
    candidates[which % candidates.len()].clone()
}

fn apply(mut value: Value, kind: Kind, too_long_text: String) -> (Value, Mutation) {
    let mutation = match kind {
        Kind::TooLong(i, _) => {
            let (pointer, max) = LIMITED[i];
            make_parents(&mut value, pointer);
            let len = too_long_text.chars().count();
            set(&mut value, pointer, Value::String(too_long_text));
            Mutation::new(
                pointer,
                Rule::TooLong,
                format!("{len} code points, limit {max}"),
            )
        }
        Kind::Missing(i) => {
            let pointer = MANDATORY[i];
            make_parents(&mut value, pointer);
            let (parent, name) = split(pointer);
            object_at(&mut value, parent).remove(name);
            Mutation::new(parent, Rule::Missing, format!("removed {pointer}"))
        }
        Kind::Constant(i, j) => {
            let (pointer, wrong) = CONSTANTS[i];
            set(&mut value, pointer, json!(wrong[j]));
            Mutation::new(
                pointer,
                Rule::Constant,
                format!("{pointer} = {:?}", wrong[j]),
            )
        }
        Kind::Phone(i, at) => {
            let pointer = "/messaging_object/to";
            let (bad, what) = BAD_RECIPIENTS[i];
            let to = value["messaging_object"]["to"]
                .as_str()
                .expect("to")
                .to_owned();
            let mut list: Vec<&str> = to.split(',').collect();
            let at = at % (list.len() + 1);
            if at == list.len() {
                list.push(bad);
            } else {
                list[at] = bad;
            }
            let to = list.join(",");
            set(&mut value, pointer, Value::String(to.clone()));
            Mutation::new(pointer, Rule::Phone, format!("to = {to:?} ({what})"))
        }
        Kind::Empty(i) => {
            let pointer = NON_EMPTY[i];
            make_parents(&mut value, pointer);
            set(&mut value, pointer, json!(""));
            Mutation::new(pointer, Rule::Empty, format!("{pointer} = \"\""))
        }
        Kind::Unknown(i, name) => {
            let (object, _) = OBJECTS[i];
            if !object.is_empty() {
                make_parents(&mut value, &format!("{object}/x"));
                let (parent, member) = split(object);
                object_at(&mut value, parent)
                    .entry(member)
                    .or_insert_with(|| valid_member(object));
            }
            object_at(&mut value, object).insert(name.clone(), json!("x"));
            let mut pointer = object.to_owned();
            kaleyra_wa::pointer::push_token(&mut pointer, &name);
            Mutation::new(&pointer, Rule::Unknown, format!("added member {name:?}"))
        }
        Kind::WrongType(i, which) => {
            let (pointer, ty) = TYPED[i];
            make_parents(&mut value, pointer);
            let wrong = wrong_value(ty, which);
            let what = format!("{pointer} = {wrong}");
            set(&mut value, pointer, wrong);
            Mutation::new(pointer, Rule::Type, what)
        }
        Kind::Null(i) => {
            let pointer = OPTIONAL[i];
            make_parents(&mut value, pointer);
            set(&mut value, pointer, Value::Null);
            Mutation::new(pointer, Rule::Type, format!("{pointer} = null"))
        }
        Kind::Header(i) => {
            let pointer = "/messaging_object/interactive/header";
            let header = [
                json!({ "type": "text", "text": "Hi" }),
                json!({ "type": "image", "image": { "link": "https://example.com/a.png" } }),
                json!({}),
            ][i % 3]
                .clone();
            set(&mut value, pointer, header);
            Mutation::new(pointer, Rule::Header, "added a header")
        }
    };
    (value, mutation)
}

/// A valid payload with exactly one thing wrong, and where and why it must be rejected.
pub fn mutated() -> BoxedStrategy<(Value, Mutation)> {
    (valid(), kind())
        .prop_flat_map(|(value, kind)| {
            let long = match &kind {
                Kind::TooLong(i, over) => LIMITED[*i].1 + over,
                _ => 0,
            };
            // One past a limit: multi-byte characters, so a byte or UTF-16 count would differ.
            text_of(long).prop_map(move |text| apply(value.clone(), kind.clone(), text))
        })
        .boxed()
}
