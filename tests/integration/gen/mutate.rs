//! Mutations: a valid payload with exactly one thing wrong, and where and why it must be
//! rejected. The members to mutate come from the model (`crate::schema_model`).

use std::sync::LazyLock;

use kaleyra_wa::Rule;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

use super::strings::text_of;
use super::valid;
use crate::schema_model::{self, Node, full_value};

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
            .entry(token.into_owned())
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

/// The model, from the generated schema.
struct Model {
    /// The texts with a `maxLength`: (pointer, limit).
    limited: Vec<(&'static str, usize)>,
    /// Required members (a required member of an optional object, such as `body.text`, is
    /// removed from an object made present).
    mandatory: Vec<&'static str>,
    /// Members with one allowed value, and wrong values for each.
    constants: Vec<(&'static str, Vec<String>)>,
    /// Texts with a `minLength`.
    non_empty: Vec<&'static str>,
    /// The objects with their members (to pick unknown names that are not members).
    objects: Vec<(String, Vec<&'static str>)>,
    /// Optional members: `null` is not "absent" and is rejected.
    optional: Vec<&'static str>,
    /// Every member with its JSON type (`"string"` or `"object"`), for wrong-type mutations.
    typed: Vec<(&'static str, &'static str)>,
    /// The texts with a recipient `pattern`.
    patterned: Vec<&'static str>,
    /// Members that must not be present.
    forbidden: Vec<&'static str>,
}

static MODEL: LazyLock<Model> = LazyLock::new(|| {
    let members = schema_model::members();
    let texts = schema_model::texts();
    let allowed = || members.iter().filter(|m| !m.forbidden);
    let constant_values: Vec<&str> = texts
        .iter()
        .filter_map(|(_, t)| t.constant.as_deref())
        .collect();
    Model {
        limited: (texts.iter())
            .filter_map(|(pointer, t)| t.max_length.map(|max| (*pointer, max)))
            .collect(),
        mandatory: allowed()
            .filter(|m| m.required)
            .map(|m| m.pointer.as_str())
            .collect(),
        constants: (texts.iter())
            .filter_map(|(pointer, t)| {
                let constant = t.constant.as_deref()?;
                Some((*pointer, wrong_constants(constant, &constant_values)))
            })
            .collect(),
        non_empty: (texts.iter())
            .filter(|(_, t)| t.min_length.is_some_and(|min| min > 0))
            .map(|(pointer, _)| *pointer)
            .collect(),
        objects: schema_model::objects(),
        optional: allowed()
            .filter(|m| !m.required)
            .map(|m| m.pointer.as_str())
            .collect(),
        typed: allowed()
            .map(|m| {
                let ty = match m.node {
                    Node::Object(_) => "object",
                    Node::Text(_) => "string",
                };
                (m.pointer.as_str(), ty)
            })
            .collect(),
        patterned: (texts.iter())
            .filter(|(_, t)| t.pattern.is_some())
            .map(|(pointer, _)| *pointer)
            .collect(),
        forbidden: (members.iter())
            .filter(|m| m.forbidden)
            .map(|m| m.pointer.as_str())
            .collect(),
    }
});

/// Wrong values for a constant: another case, a space, a plural, empty, the other constants,
/// and other Meta message and interactive types.
fn wrong_constants(constant: &str, others: &[&str]) -> Vec<String> {
    let mut capitalized = constant.to_owned();
    capitalized[..1].make_ascii_uppercase();
    let mut wrong = vec![
        capitalized,
        constant.to_uppercase(),
        format!("{constant} "),
        format!("{constant}s"),
        String::new(),
    ];
    wrong.extend(others.iter().map(|other| (*other).to_owned()));
    wrong.extend(
        [
            "sms",
            "group",
            "text",
            "template",
            "product_list",
            "catalog_message",
            "button",
            "list",
            "flow",
        ]
        .map(String::from),
    );
    wrong.retain(|value| value != constant);
    wrong
}

/// A valid value for the member at `pointer` (used to make a member present before mutating
/// it or its children).
fn valid_member(pointer: &str) -> Value {
    let member = schema_model::members()
        .into_iter()
        .find(|m| m.pointer == pointer)
        .unwrap_or_else(|| panic!("{pointer} is a member of the model"));
    full_value(&member.node)
}

/// Makes the optional objects on the way to `pointer` present.
fn make_parents(value: &mut Value, pointer: &str) {
    let (parent, _) = split(pointer);
    let mut path = String::new();
    for token in kaleyra_wa::pointer::tokens(parent) {
        let here = format!("{path}/{token}");
        let new = valid_member(&here);
        object_at(value, &path)
            .entry(token.into_owned())
            .or_insert(new);
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
    Phone(usize, usize, usize),
    Empty(usize),
    Unknown(usize, String),
    WrongType(usize, usize),
    Null(usize),
    Forbidden(usize, usize),
}

fn kind() -> impl Strategy<Value = Kind> {
    let too_long = (
        0..MODEL.limited.len(),
        prop_oneof![4 => Just(1usize), 1 => 2usize..=20],
    )
        .prop_map(|(i, over)| Kind::TooLong(i, over));
    let constant = (0..MODEL.constants.len(), any::<prop::sample::Index>())
        .prop_map(|(i, index)| Kind::Constant(i, index.index(MODEL.constants[i].1.len())));
    let unknown = (
        0..MODEL.objects.len(),
        prop_oneof![select(UNKNOWN_NAMES).prop_map(String::from), "[a-z_]{1,12}",],
    )
        .prop_filter_map("a known member", |(i, name)| {
            (!MODEL.objects[i].1.contains(&name.as_str())).then_some(Kind::Unknown(i, name))
        });
    prop_oneof![
        2 => too_long,
        2 => (0..MODEL.mandatory.len()).prop_map(Kind::Missing),
        1 => constant,
        3 => (0..MODEL.patterned.len(), 0..BAD_RECIPIENTS.len(), 0usize..4)
            .prop_map(|(p, i, at)| Kind::Phone(p, i, at)),
        1 => (0..MODEL.non_empty.len()).prop_map(Kind::Empty),
        2 => unknown,
        2 => (0..MODEL.typed.len(), 0usize..6).prop_map(|(i, v)| Kind::WrongType(i, v)),
        1 => (0..MODEL.optional.len()).prop_map(Kind::Null),
        1 => (0..MODEL.forbidden.len(), 0usize..3).prop_map(|(f, i)| Kind::Forbidden(f, i)),
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
            let (pointer, max) = MODEL.limited[i];
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
            let pointer = MODEL.mandatory[i];
            make_parents(&mut value, pointer);
            let (parent, name) = split(pointer);
            object_at(&mut value, parent).remove(name);
            Mutation::new(parent, Rule::Missing, format!("removed {pointer}"))
        }
        Kind::Constant(i, j) => {
            let (pointer, wrong) = &MODEL.constants[i];
            set(&mut value, pointer, json!(wrong[j]));
            Mutation::new(
                pointer,
                Rule::Constant,
                format!("{pointer} = {:?}", wrong[j]),
            )
        }
        Kind::Phone(p, i, at) => {
            let pointer = MODEL.patterned[p];
            let (bad, what) = BAD_RECIPIENTS[i];
            make_parents(&mut value, pointer);
            let to = match value.pointer(pointer) {
                Some(Value::String(to)) => to.clone(),
                _ => valid_member(pointer).as_str().expect("a string").to_owned(),
            };
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
            let pointer = MODEL.non_empty[i];
            make_parents(&mut value, pointer);
            set(&mut value, pointer, json!(""));
            Mutation::new(pointer, Rule::Empty, format!("{pointer} = \"\""))
        }
        Kind::Unknown(i, name) => {
            let object = MODEL.objects[i].0.as_str();
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
            let (pointer, ty) = MODEL.typed[i];
            make_parents(&mut value, pointer);
            let wrong = wrong_value(ty, which);
            let what = format!("{pointer} = {wrong}");
            set(&mut value, pointer, wrong);
            Mutation::new(pointer, Rule::Type, what)
        }
        Kind::Null(i) => {
            let pointer = MODEL.optional[i];
            make_parents(&mut value, pointer);
            set(&mut value, pointer, Value::Null);
            Mutation::new(pointer, Rule::Type, format!("{pointer} = null"))
        }
        Kind::Forbidden(f, i) => {
            let pointer = MODEL.forbidden[f];
            let header = [
                json!({ "type": "text", "text": "Hi" }),
                json!({ "type": "image", "image": { "link": "https://example.com/a.png" } }),
                json!({}),
            ][i % 3]
                .clone();
            set(&mut value, pointer, header);
            // The one forbidden member is the header, whose rule is its own.
            Mutation::new(pointer, Rule::Header, format!("added {pointer}"))
        }
    };
    (value, mutation)
}

/// A valid payload with exactly one thing wrong, and where and why it must be rejected.
pub fn mutated() -> BoxedStrategy<(Value, Mutation)> {
    (valid(), kind())
        .prop_flat_map(|(value, kind)| {
            let long = match &kind {
                Kind::TooLong(i, over) => MODEL.limited[*i].1 + over,
                _ => 0,
            };
            // One past a limit: multi-byte characters, so a byte or UTF-16 count would differ.
            text_of(long).prop_map(move |text| apply(value.clone(), kind.clone(), text))
        })
        .boxed()
}
