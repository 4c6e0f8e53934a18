//! The request model read from the **generated** request schema
//! (`kaleyra_wa::schema::request_schema`), for the tests that must follow the types rather
//! than a hand copy of them: the generators (`crate::r#gen`) and the exhaustive rule walk
//! (`crate::rules_walk`).
//!
//! The reader knows a closed set of keywords. A keyword it does not know is a rule it cannot
//! model: it panics, so adding a kind of rule to the types fails the tests until the walk
//! (and with it the fast path it checks) knows it.

use std::sync::LazyLock;

use kaleyra_wa::schema::{Draft, request_schema};
use serde_json::{Map, Value};

/// The constraints on a string member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    /// `const`: the one allowed value.
    pub constant: Option<String>,
    /// `minLength`, in code points.
    pub min_length: Option<usize>,
    /// `maxLength`, in code points.
    pub max_length: Option<usize>,
    /// `pattern` (ECMA-262, anchored).
    pub pattern: Option<String>,
    /// `not: {pattern}`: a pattern the value must not match.
    pub not_pattern: Option<String>,
    /// `anyOf: [{enum: [...]}, {type: string}]`: the documented values of an open set; any
    /// other string is accepted with a warning.
    pub documented: Option<Vec<String>>,
    /// `examples`: values that satisfy the constraints (needed for a pattern).
    pub examples: Vec<String>,
    /// `description`, from the member's doc comment.
    pub description: Option<String>,
}

/// A member's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// An object: its members in schema order (`additionalProperties: false` on every one,
    /// checked by the reader).
    Object(Vec<Member>),
    /// A string.
    Text(Text),
}

/// One member of an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Wire name.
    pub name: String,
    /// JSON pointer from the document root.
    pub pointer: String,
    /// Listed in its object's `required`.
    pub required: bool,
    /// `false` schema: the member must not be present.
    pub forbidden: bool,
    /// Its value (for a forbidden member, an empty object).
    pub node: Node,
}

/// The document root.
pub static ROOT: LazyLock<Node> = LazyLock::new(|| {
    let schema = request_schema(Draft::Draft2020_12);
    let reader = Reader { root: &schema };
    reader.node(&schema, "")
});

/// Every member, depth first, in schema order.
pub fn members() -> Vec<&'static Member> {
    fn walk<'a>(node: &'a Node, out: &mut Vec<&'a Member>) {
        if let Node::Object(members) = node {
            for member in members {
                out.push(member);
                walk(&member.node, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&ROOT, &mut out);
    out
}

/// The objects (the root included, as `""`) with their members' names (forbidden ones
/// included).
pub fn objects() -> Vec<(String, Vec<&'static str>)> {
    let root = std::iter::once(("", &*ROOT));
    let nested = (members().into_iter())
        .filter(|m| !m.forbidden)
        .map(|m| (m.pointer.as_str(), &m.node));
    root.chain(nested)
        .filter_map(|(pointer, node)| match node {
            Node::Object(members) => Some((
                pointer.to_owned(),
                members.iter().map(|m| m.name.as_str()).collect(),
            )),
            Node::Text(_) => None,
        })
        .collect()
}

/// The string members with their constraints.
pub fn texts() -> Vec<(&'static str, &'static Text)> {
    members()
        .into_iter()
        .filter_map(|m| match &m.node {
            Node::Text(text) if !m.forbidden => Some((m.pointer.as_str(), text)),
            _ => None,
        })
        .collect()
}

/// A valid value for `node`: every optional member present (so that each constraint can be
/// broken in place), every string the shortest valid one made of a two-byte character.
pub fn full_value(node: &Node) -> Value {
    match node {
        Node::Object(members) => Value::Object(
            members
                .iter()
                .filter(|m| !m.forbidden)
                .map(|m| (m.name.clone(), full_value(&m.node)))
                .collect(),
        ),
        Node::Text(text) => Value::String(valid_text(text)),
    }
}

/// The shortest valid string for `text`.
pub fn valid_text(text: &Text) -> String {
    if let Some(constant) = &text.constant {
        return constant.clone();
    }
    if let Some(documented) = &text.documented {
        return documented[0].clone();
    }
    if text.pattern.is_some() {
        return text
            .examples
            .first()
            .cloned()
            .expect("a string with a pattern has an example in the schema");
    }
    "é".repeat(text.min_length.unwrap_or(0).max(1))
}

struct Reader<'a> {
    root: &'a Value,
}

impl Reader<'_> {
    /// Follows `$ref`s (local `#/$defs/...` only).
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let target = reference
                    .strip_prefix('#')
                    .and_then(|pointer| self.root.pointer(pointer))
                    .unwrap_or_else(|| panic!("unresolved $ref {reference}"));
                self.resolve(target)
            }
            None => schema,
        }
    }

    fn node(&self, schema: &Value, pointer: &str) -> Node {
        let member = schema.as_object();
        if let Some(member) = member.filter(|m| m.contains_key("$ref")) {
            // Beside a `$ref`, annotations only: an assertion there would be missed.
            for keyword in member.keys() {
                assert!(
                    ["$ref", "description", "examples"].contains(&keyword.as_str()),
                    "{pointer}: `{keyword}` beside `$ref` is not modelled"
                );
            }
        }
        let description = member.and_then(|m| m.get("description")).cloned();
        let schema = self.resolve(schema);
        let object = schema
            .as_object()
            .unwrap_or_else(|| panic!("{pointer}: a schema object, not {schema}"));
        known_keywords(object, pointer);
        match object.get("type").and_then(Value::as_str) {
            Some("object") => self.object(object, pointer),
            Some("string") => Node::Text(text(object, pointer, description)),
            None if object.contains_key("anyOf") => Node::Text(text(object, pointer, description)),
            other => panic!("{pointer}: type {other:?} is not modelled"),
        }
    }

    fn object(&self, object: &Map<String, Value>, pointer: &str) -> Node {
        assert_eq!(
            object.get("additionalProperties"),
            Some(&Value::Bool(false)),
            "{pointer}: every object is closed"
        );
        let required: Vec<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let properties = object
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("{pointer}: an object has properties"));
        let members = properties
            .iter()
            .map(|(name, schema)| {
                let mut member_pointer = pointer.to_owned();
                kaleyra_wa::pointer::push_token(&mut member_pointer, name);
                let forbidden = *schema == Value::Bool(false);
                let node = if forbidden {
                    Node::Object(Vec::new())
                } else {
                    self.node(schema, &member_pointer)
                };
                Member {
                    name: name.clone(),
                    pointer: member_pointer,
                    required: required.contains(&name.as_str()),
                    forbidden,
                    node,
                }
            })
            .collect();
        Node::Object(members)
    }
}

/// The keywords the reader models; any other one panics.
fn known_keywords(object: &Map<String, Value>, pointer: &str) {
    const KNOWN: &[&str] = &[
        // Annotations and the document's own keywords.
        "$schema",
        "$id",
        "title",
        "description",
        "examples",
        "$defs",
        // Assertions.
        "type",
        "properties",
        "required",
        "additionalProperties",
        "const",
        "minLength",
        "maxLength",
        "pattern",
        "not",
        "anyOf",
    ];
    for keyword in object.keys() {
        assert!(
            KNOWN.contains(&keyword.as_str()),
            "{pointer}: the schema has `{keyword}`, a rule the tests do not model: teach \
             tests/integration/schema_model.rs and the rule walk (and check `is_clean`)"
        );
    }
}

fn text(object: &Map<String, Value>, pointer: &str, description: Option<Value>) -> Text {
    let length = |key: &str| {
        object
            .get(key)
            .map(|n| n.as_u64().expect("a length is an integer") as usize)
    };
    let string = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let not_pattern = object.get("not").map(|not| {
        let not = not.as_object().expect("`not` is a schema object");
        known_keywords(not, pointer);
        let keys: Vec<&str> = not.keys().map(String::as_str).collect();
        assert!(
            keys.iter()
                .all(|k| ["description", "type", "pattern"].contains(k)),
            "{pointer}: `not` is modelled as a string pattern only, not {keys:?}"
        );
        not["pattern"].as_str().expect("a pattern").to_owned()
    });
    let documented = object.get("anyOf").map(|any_of| {
        // The open enumeration: documented values, or any string.
        let branches = any_of.as_array().expect("anyOf is an array");
        assert_eq!(
            branches.len(),
            2,
            "{pointer}: anyOf is modelled as an open enum"
        );
        assert_eq!(
            branches[1],
            serde_json::json!({"type": "string"}),
            "{pointer}"
        );
        branches[0]["enum"]
            .as_array()
            .expect("the first branch enumerates the documented values")
            .iter()
            .map(|v| v.as_str().expect("a string value").to_owned())
            .collect()
    });
    Text {
        constant: string("const"),
        min_length: length("minLength"),
        max_length: length("maxLength"),
        pattern: string("pattern"),
        not_pattern,
        documented,
        examples: object
            .get("examples")
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        description: description
            .or_else(|| object.get("description").cloned())
            .and_then(|d| d.as_str().map(str::to_owned)),
    }
}
