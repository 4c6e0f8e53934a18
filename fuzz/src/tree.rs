//! Structure-aware mutations of valid payloads, for the `mutate_valid` target.
//!
//! A payload is held as a [`Node`] tree that, unlike `serde_json::Value`, keeps member order
//! and duplicate keys. [`Plan`] (derived with `arbitrary`) is a base document, a list of tree
//! mutations and a list of text edits; [`Plan::apply`] turns it into the bytes to check.

use arbitrary::Arbitrary;
use serde_json::Value;

/// A JSON value that keeps member order and duplicate keys; numbers are kept as their text.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (may be invalid JSON: `inf`, `NaN`).
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in order, duplicates allowed.
    Object(Vec<(String, Node)>),
}

impl From<&Value> for Node {
    fn from(value: &Value) -> Node {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.to_string()),
            Value::String(s) => Node::String(s.clone()),
            Value::Array(items) => Node::Array(items.iter().map(Node::from).collect()),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::from(v)))
                    .collect(),
            ),
        }
    }
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

impl Node {
    /// Writes the node as JSON text: compact, or indented by `indent` spaces per level.
    pub fn write(&self, out: &mut String, indent: Option<usize>, depth: usize) {
        let newline = |out: &mut String, depth: usize| {
            if let Some(width) = indent {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', width * depth));
            }
        };
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Number(n) => out.push_str(n),
            Node::String(s) => out.push_str(&quote(s)),
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write(out, indent, depth + 1);
                }
                if !items.is_empty() {
                    newline(out, depth);
                }
                out.push(']');
            }
            Node::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    out.push_str(&quote(key));
                    out.push_str(if indent.is_some() { ": " } else { ":" });
                    value.write(out, indent, depth + 1);
                }
                if !members.is_empty() {
                    newline(out, depth);
                }
                out.push('}');
            }
        }
    }

    /// Paths (child indexes from the root) of every node, in document order.
    fn paths(&self, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        out.push(prefix.clone());
        let children: Box<dyn Iterator<Item = &Node>> = match self {
            Node::Array(items) => Box::new(items.iter()),
            Node::Object(members) => Box::new(members.iter().map(|(_, v)| v)),
            _ => Box::new(std::iter::empty()),
        };
        for (i, child) in children.enumerate() {
            prefix.push(i);
            child.paths(prefix, out);
            prefix.pop();
        }
    }

    fn at_mut(&mut self, path: &[usize]) -> &mut Node {
        match path.split_first() {
            None => self,
            Some((i, rest)) => match self {
                Node::Array(items) => items[*i].at_mut(rest),
                Node::Object(members) => members[*i].1.at_mut(rest),
                _ => unreachable!("paths lead through containers"),
            },
        }
    }
}

/// Member names the mutations use: every member of the request, the forbidden `header`,
/// typos, and names that need escaping in a JSON pointer.
const NAMES: &[&str] = &[
    "messaging_object",
    "extra_info",
    "messaging_product",
    "recipient_type",
    "to",
    "type",
    "interactive",
    "context",
    "biz_opaque_callback_data",
    "body",
    "footer",
    "action",
    "header",
    "text",
    "catalog_id",
    "product_retailer_id",
    "message_id",
    "ref",
    "ref1",
    "ref2",
    "wa_source",
    "catalogue_id",
    "Type",
    "a/b",
    "m~n",
    "~1",
    "",
    "é😀",
];

/// String values the mutations use: the constants, recipients good and bad, documented and
/// undocumented `wa_source`s.
const STRINGS: &[&str] = &[
    "whatsapp",
    "individual",
    "interactive",
    "product",
    "919876543210",
    "+16505551234",
    "919876543210,+16505551234",
    "0919876543210",
    "91 98765",
    "",
    "api",
    "website",
    "wamid.1",
    "\u{FEFF}",
    "\u{0}",
    "\u{2028}",
    "\\",
    "\"",
];

/// A member name.
#[derive(Arbitrary, Clone, Debug)]
pub enum Name {
    /// One of [`NAMES`].
    Known(u8),
    /// Any string.
    Any(String),
}

impl Name {
    fn get(&self) -> String {
        match self {
            Name::Known(i) => NAMES[*i as usize % NAMES.len()].to_owned(),
            Name::Any(s) => s.clone(),
        }
    }
}

/// A value to put somewhere.
#[derive(Arbitrary, Clone, Debug)]
pub enum NewValue {
    /// One of [`STRINGS`].
    Known(u8),
    /// Any string.
    Str(String),
    /// A character repeated (up to 2100 times: past every length limit).
    Repeat(char, u16),
    /// An integer.
    Int(i64),
    /// A float, as Rust prints it (`1e300`, `-0.0`, `inf`, `NaN`).
    Float(f64),
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An array.
    Array(Vec<NewValue>),
    /// An object (duplicate names allowed).
    Object(Vec<(Name, NewValue)>),
}

impl NewValue {
    fn node(&self) -> Node {
        match self {
            NewValue::Known(i) => Node::String(STRINGS[*i as usize % STRINGS.len()].to_owned()),
            NewValue::Str(s) => Node::String(s.clone()),
            NewValue::Repeat(c, n) => {
                Node::String(std::iter::repeat_n(*c, usize::from(*n) % 2101).collect())
            }
            NewValue::Int(i) => Node::Number(i.to_string()),
            NewValue::Float(f) => Node::Number(format!("{f:?}")),
            NewValue::Null => Node::Null,
            NewValue::Bool(b) => Node::Bool(*b),
            NewValue::Array(items) => Node::Array(items.iter().map(NewValue::node).collect()),
            NewValue::Object(members) => Node::Object(
                members
                    .iter()
                    .map(|(name, value)| (name.get(), value.node()))
                    .collect(),
            ),
        }
    }
}

/// A change to a string (a string value, or a member's name).
#[derive(Arbitrary, Clone, Debug)]
pub enum StringEdit {
    /// Replace it.
    Replace(String),
    /// Append text.
    Append(String),
    /// Insert a character at a code point index.
    Insert(u16, char),
    /// Keep the first code points.
    Truncate(u16),
    /// Repeat the text until it has at least this many code points (up to 2100).
    GrowTo(u16),
    /// Upper-case it.
    Upper,
}

impl StringEdit {
    fn apply(&self, text: &mut String) {
        match self {
            StringEdit::Replace(s) => *text = s.clone(),
            StringEdit::Append(s) => text.push_str(s),
            StringEdit::Insert(at, c) => {
                let count = text.chars().count();
                let at = usize::from(*at) % (count + 1);
                let byte = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
                text.insert(byte, *c);
            }
            StringEdit::Truncate(n) => {
                if let Some((end, _)) = text.char_indices().nth(usize::from(*n)) {
                    text.truncate(end);
                }
            }
            StringEdit::GrowTo(n) => {
                let target = usize::from(*n) % 2101;
                let unit = if text.is_empty() {
                    "x".to_owned()
                } else {
                    text.clone()
                };
                while text.chars().count() < target {
                    text.push_str(&unit);
                }
            }
            StringEdit::Upper => *text = text.to_uppercase(),
        }
    }
}

/// A change to the tree. `at` picks a node (modulo the node count, in document order).
#[derive(Arbitrary, Clone, Debug)]
pub enum Mutation {
    /// On an object, set a member (replacing the first of that name, else adding it); on
    /// any other node, replace the node.
    Set {
        /// The node.
        at: u16,
        /// The member name.
        name: Name,
        /// The value.
        value: NewValue,
    },
    /// Replace the node.
    Replace {
        /// The node.
        at: u16,
        /// The value.
        value: NewValue,
    },
    /// Delete the node from its parent (not the root).
    Delete {
        /// The node.
        at: u16,
    },
    /// Add a member that is not part of the API (or an element to an array).
    AddUnknown {
        /// The node.
        at: u16,
        /// The member name (a known one stays known: this may duplicate it).
        name: String,
        /// The value.
        value: NewValue,
    },
    /// Duplicate a member: the same name again, right after it or at the end, with the same
    /// value or another.
    Duplicate {
        /// The node (a member of an object).
        at: u16,
        /// Put the copy at the end of the object instead of right after the original.
        at_end: bool,
        /// The copy's value (`None`: the same).
        value: Option<NewValue>,
    },
    /// Change a string value, or (`key`) the name of the member.
    EditString {
        /// The node.
        at: u16,
        /// Edit the member's name instead of its value.
        key: bool,
        /// The edit.
        edit: StringEdit,
    },
    /// Move a member or element to another place in its container.
    Move {
        /// The node.
        at: u16,
        /// The new index (modulo the length).
        to: u8,
    },
}

/// A change to the text, after the tree is written.
#[derive(Arbitrary, Clone, Debug)]
pub enum TextEdit {
    /// Insert whitespace (JSON's, or characters JSON does not allow between tokens) at a
    /// byte offset (moved back to a character boundary).
    Whitespace {
        /// The offset (modulo the length + 1).
        at: u16,
        /// Which whitespace.
        which: u8,
    },
    /// Put a UTF-8 byte order mark in front.
    Bom,
    /// Insert a byte (may break UTF-8) at an offset.
    Byte {
        /// The offset (modulo the length + 1).
        at: u16,
        /// The byte.
        byte: u8,
    },
    /// Cut the text at an offset.
    Truncate(u16),
}

const WHITESPACE: &[&str] = &[
    " ", "\t", "\n", "\r", "\r\n", "  \n\t", "\u{A0}", "\u{FEFF}", "\u{2028}", "\u{B}", "\u{C}",
    "\u{0}", "\u{3000}",
];

/// The documented sample as the API accepts it: its placeholder recipient made a number.
pub fn valid_sample() -> Value {
    let mut sample: Value =
        serde_json::from_str(SAMPLE).expect("the documented sample is well-formed");
    sample["messaging_object"]["to"] = Value::String("919876543210".into());
    sample
}

/// The documented sample (crates/core/src/sample_request.json), with its `91XXXXXXXXXX`.
pub const SAMPLE: &str = include_str!("../../crates/core/src/sample_request.json");

/// The bases the mutations start from: the documented sample made valid (twice, so it is
/// picked most often), the sample as documented, the examples.
fn bases() -> [Value; 5] {
    let parse = |text: &str| -> Value { serde_json::from_str(text).expect("a well-formed base") };
    [
        valid_sample(),
        valid_sample(),
        parse(SAMPLE),
        parse(include_str!("../../examples/order-shipped.json")),
        parse(include_str!("../../examples/typo-and-header.json")),
    ]
}

/// Everything `mutate_valid` does to a base payload.
#[derive(Arbitrary, Clone, Debug)]
pub struct Plan {
    /// Which base (modulo the number of bases).
    pub base: u8,
    /// Indentation: `None` for compact output, else spaces per level (modulo 5).
    pub indent: Option<u8>,
    /// Tree mutations, in order (at most 16 are applied).
    pub mutations: Vec<Mutation>,
    /// Text edits, in order (at most 4 are applied).
    pub text_edits: Vec<TextEdit>,
}

impl Plan {
    /// The mutated document's bytes.
    pub fn apply(&self) -> Vec<u8> {
        let bases = bases();
        let mut root = Node::from(&bases[usize::from(self.base) % bases.len()]);
        for mutation in self.mutations.iter().take(16) {
            mutate(&mut root, mutation);
        }
        let mut text = String::new();
        root.write(&mut text, self.indent.map(|n| usize::from(n) % 5), 0);
        let mut bytes = text.into_bytes();
        for edit in self.text_edits.iter().take(4) {
            edit_text(&mut bytes, edit);
        }
        bytes
    }
}

fn pick(root: &Node, at: u16) -> Vec<usize> {
    let mut paths = Vec::new();
    root.paths(&mut Vec::new(), &mut paths);
    paths.swap_remove(usize::from(at) % paths.len())
}

/// The parent container of the node at `path` (which must not be the root), and the index.
fn parent<'a>(root: &'a mut Node, path: &[usize]) -> (&'a mut Node, usize) {
    let (last, parent) = path.split_last().expect("not the root");
    (root.at_mut(parent), *last)
}

fn mutate(root: &mut Node, mutation: &Mutation) {
    match mutation {
        Mutation::Set { at, name, value } => {
            let path = pick(root, *at);
            let node = root.at_mut(&path);
            match node {
                Node::Object(members) => {
                    let name = name.get();
                    match members.iter_mut().find(|(k, _)| *k == name) {
                        Some((_, v)) => *v = value.node(),
                        None => members.push((name, value.node())),
                    }
                }
                other => *other = value.node(),
            }
        }
        Mutation::Replace { at, value } => {
            let path = pick(root, *at);
            *root.at_mut(&path) = value.node();
        }
        Mutation::Delete { at } => {
            let path = pick(root, *at);
            if path.is_empty() {
                return;
            }
            let (parent, index) = parent(root, &path);
            match parent {
                Node::Array(items) => {
                    items.remove(index);
                }
                Node::Object(members) => {
                    members.remove(index);
                }
                _ => unreachable!("a parent is a container"),
            }
        }
        Mutation::AddUnknown { at, name, value } => {
            let path = pick(root, *at);
            match root.at_mut(&path) {
                Node::Object(members) => members.push((name.clone(), value.node())),
                Node::Array(items) => items.push(value.node()),
                _ => {}
            }
        }
        Mutation::Duplicate { at, at_end, value } => {
            let path = pick(root, *at);
            if path.is_empty() {
                return;
            }
            let (parent, index) = parent(root, &path);
            if let Node::Object(members) = parent {
                let (key, old) = members[index].clone();
                let copy = (key, value.as_ref().map_or(old, NewValue::node));
                if *at_end {
                    members.push(copy);
                } else {
                    members.insert(index + 1, copy);
                }
            }
        }
        Mutation::EditString { at, key, edit } => {
            let path = pick(root, *at);
            if *key && !path.is_empty() {
                let (parent, index) = parent(root, &path);
                if let Node::Object(members) = parent {
                    edit.apply(&mut members[index].0);
                }
            } else if let Node::String(text) = root.at_mut(&path) {
                edit.apply(text);
            }
        }
        Mutation::Move { at, to } => {
            let path = pick(root, *at);
            if path.is_empty() {
                return;
            }
            let (parent, index) = parent(root, &path);
            match parent {
                Node::Array(items) => {
                    let item = items.remove(index);
                    let to = usize::from(*to) % (items.len() + 1);
                    items.insert(to, item);
                }
                Node::Object(members) => {
                    let member = members.remove(index);
                    let to = usize::from(*to) % (members.len() + 1);
                    members.insert(to, member);
                }
                _ => unreachable!("a parent is a container"),
            }
        }
    }
}

/// Moves `at` back to the start of a UTF-8 sequence (when the text is UTF-8 there).
fn boundary(bytes: &[u8], mut at: usize) -> usize {
    while at > 0 && at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}

fn edit_text(bytes: &mut Vec<u8>, edit: &TextEdit) {
    match edit {
        TextEdit::Whitespace { at, which } => {
            let at = boundary(bytes, usize::from(*at) % (bytes.len() + 1));
            let ws = WHITESPACE[usize::from(*which) % WHITESPACE.len()];
            bytes.splice(at..at, ws.bytes());
        }
        TextEdit::Bom => {
            bytes.splice(0..0, *b"\xEF\xBB\xBF");
        }
        TextEdit::Byte { at, byte } => {
            let at = usize::from(*at) % (bytes.len() + 1);
            bytes.insert(at, *byte);
        }
        TextEdit::Truncate(at) => {
            let at = usize::from(*at) % (bytes.len() + 1);
            bytes.truncate(at);
        }
    }
}
