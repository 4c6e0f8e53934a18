//! Single mutations of a valid payload, one kind per kind of constraint in the schema.

use serde_json::{Value, json};

use super::Lcg;
use super::schema_walk::{Schema, lengths, open_enum, phone_number, properties, required, text};

/// What a mutation changes.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    /// A `required` member removed.
    RemoveRequired,
    /// An optional member removed (valid).
    RemoveOptional,
    /// A member set to `null`.
    Null,
    /// A member no schema declares (closed objects), e.g. `catalogue_id`.
    UnknownMember,
    /// A member the schema forbids (`false`), i.e. `header`.
    ForbiddenMember,
    /// A string of exactly `maxLength` code points, many of them astral (valid).
    AtMaxLength,
    /// A string one code point past `maxLength`.
    PastMaxLength,
    /// A string of exactly `minLength` code points, one astral (valid).
    AtMinLength,
    /// A string one code point short of `minLength`.
    BelowMinLength,
    /// A constant changed (case, spaces, a final newline, another word).
    Constant,
    /// A value of another JSON type.
    WrongType,
    /// `to` values near the pattern: valid edges and near misses.
    Pattern,
    /// Any string as the open `wa_source` (valid).
    OpenEnum,
}

impl Kind {
    #[cfg(test)]
    pub const ALL: [Kind; 13] = [
        Kind::RemoveRequired,
        Kind::RemoveOptional,
        Kind::Null,
        Kind::UnknownMember,
        Kind::ForbiddenMember,
        Kind::AtMaxLength,
        Kind::PastMaxLength,
        Kind::AtMinLength,
        Kind::BelowMinLength,
        Kind::Constant,
        Kind::WrongType,
        Kind::Pattern,
        Kind::OpenEnum,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::RemoveRequired => "remove-required",
            Kind::RemoveOptional => "remove-optional",
            Kind::Null => "null",
            Kind::UnknownMember => "unknown-member",
            Kind::ForbiddenMember => "forbidden-member",
            Kind::AtMaxLength => "at-max-length",
            Kind::PastMaxLength => "past-max-length",
            Kind::AtMinLength => "at-min-length",
            Kind::BelowMinLength => "below-min-length",
            Kind::Constant => "constant",
            Kind::WrongType => "wrong-type",
            Kind::Pattern => "pattern",
            Kind::OpenEnum => "open-enum",
        }
    }

    /// Whether this kind of mutation can make a payload invalid.
    #[cfg(test)]
    pub fn can_reject(self) -> bool {
        !matches!(
            self,
            Kind::RemoveOptional | Kind::AtMaxLength | Kind::AtMinLength | Kind::OpenEnum
        )
    }
}

/// One change at one place.
pub struct Mutation {
    pub kind: Kind,
    /// The members from the root to the changed value (or to the object of `Insert`/`Remove`).
    path: Vec<String>,
    change: Change,
}

enum Change {
    Set(Value),
    Insert(String, Value),
    Remove(String),
}

impl Mutation {
    /// `payload` with this change.
    pub fn apply(&self, payload: &Value) -> Value {
        let mut out = payload.clone();
        let mut target = &mut out;
        for member in &self.path {
            target = match target.get_mut(member) {
                Some(value) => value,
                // The path was read from this payload: the member exists.
                None => unreachable!("mutation path /{} not in payload", self.path.join("/")),
            };
        }
        match (&self.change, target) {
            (Change::Set(value), target) => *target = value.clone(),
            (Change::Insert(name, value), Value::Object(object)) => {
                object.insert(name.clone(), value.clone());
            }
            (Change::Remove(name), Value::Object(object)) => {
                object.remove(name);
            }
            // Insert and Remove are only made for objects.
            _ => unreachable!("insert or remove on a non-object"),
        }
        out
    }
}

/// Every mutation of `payload` (a valid payload of `schema`), its random parts from `rng`.
pub fn all(schema: &Schema, payload: &Value, rng: &mut Lcg) -> Result<Vec<Mutation>, String> {
    let mut out = Vec::new();
    visit(
        schema,
        schema.root(),
        payload,
        &mut Vec::new(),
        rng,
        &mut out,
    )?;
    Ok(out)
}

fn visit(
    schema: &Schema,
    node: &Value,
    value: &Value,
    path: &mut Vec<String>,
    rng: &mut Lcg,
    out: &mut Vec<Mutation>,
) -> Result<(), String> {
    let node = schema.resolve(node)?;
    if let Value::Object(object) = value {
        let required = required(node);
        let members = properties(node);
        for (name, _) in &members {
            for typo in [
                format!("{name}s"),
                name.to_uppercase(),
                name.replace('_', "-"),
            ] {
                if typo != **name && !members.iter().any(|(n, _)| **n == typo) {
                    push(
                        out,
                        path,
                        Kind::UnknownMember,
                        Change::Insert(typo, json!("1")),
                    );
                }
            }
        }
        push(
            out,
            path,
            Kind::UnknownMember,
            Change::Insert("catalogue_id".into(), json!("1")),
        );
        for (name, member) in &members {
            if **member == Value::Bool(false) {
                for forbidden in [
                    json!({}),
                    json!({"type": "text", "text": "New arrival"}),
                    json!(null),
                ] {
                    push(
                        out,
                        path,
                        Kind::ForbiddenMember,
                        Change::Insert((*name).clone(), forbidden),
                    );
                }
                continue;
            }
            let Some(child) = object.get(*name) else {
                continue;
            };
            let kind = if required.contains(&name.as_str()) {
                Kind::RemoveRequired
            } else {
                Kind::RemoveOptional
            };
            push(out, path, kind, Change::Remove((*name).clone()));
            path.push((*name).clone());
            visit(schema, member, child, path, rng, out)?;
            path.pop();
        }
        return Ok(());
    }
    push(out, path, Kind::Null, Change::Set(Value::Null));
    for wrong in [
        json!(42),
        json!(true),
        json!([]),
        json!({}),
        json!(1.5),
        json!(["x"]),
    ] {
        push(out, path, Kind::WrongType, Change::Set(wrong));
    }
    if let Some(Value::String(constant)) = node.get("const") {
        for changed in [
            constant.to_uppercase(),
            format!("{constant} "),
            format!("{constant}\n"),
            format!(" {constant}"),
            String::new(),
            "text".to_owned(),
        ] {
            push(out, path, Kind::Constant, Change::Set(Value::from(changed)));
        }
    }
    if let Some(known) = open_enum(node) {
        let documented = rng.pick(known).clone();
        for source in [
            documented,
            json!("API"),
            json!("crm-x"),
            json!(""),
            Value::from(text(rng, 1, 8)),
        ] {
            push(out, path, Kind::OpenEnum, Change::Set(source));
        }
    }
    if node.get("pattern").is_some() {
        for to in phone_candidates(rng) {
            push(out, path, Kind::Pattern, Change::Set(Value::from(to)));
        }
    }
    let (min, max) = lengths(node);
    if let Some(max) = max {
        // Astral characters: 2 UTF-16 units, 4 UTF-8 bytes, 1 code point.
        let astral = "😀".repeat(max);
        let mixed: String = "👍🏽é中".chars().cycle().take(max).collect();
        push(
            out,
            path,
            Kind::AtMaxLength,
            Change::Set(Value::from(astral.clone())),
        );
        push(
            out,
            path,
            Kind::AtMaxLength,
            Change::Set(Value::from(mixed.clone())),
        );
        push(
            out,
            path,
            Kind::AtMaxLength,
            Change::Set(Value::from(text(rng, max, max))),
        );
        push(
            out,
            path,
            Kind::PastMaxLength,
            Change::Set(Value::from(format!("{astral}a"))),
        );
        push(
            out,
            path,
            Kind::PastMaxLength,
            Change::Set(Value::from(format!("{mixed}😀"))),
        );
        push(
            out,
            path,
            Kind::PastMaxLength,
            Change::Set(Value::from("x".repeat(max + 1))),
        );
    }
    if min > 0 {
        push(
            out,
            path,
            Kind::AtMinLength,
            Change::Set(Value::from("😀".repeat(min))),
        );
        push(
            out,
            path,
            Kind::BelowMinLength,
            Change::Set(Value::from("😀".repeat(min - 1))),
        );
    }
    Ok(())
}

fn push(out: &mut Vec<Mutation>, path: &[String], kind: Kind, change: Change) {
    out.push(Mutation {
        kind,
        path: path.to_vec(),
        change,
    });
}

/// `to` values: valid edges (7 and 15 digits, several recipients) and near misses.
fn phone_candidates(rng: &mut Lcg) -> Vec<String> {
    let number = phone_number(rng, 12).trim_start_matches('+').to_owned();
    let seven = phone_number(rng, 7);
    let fifteen = phone_number(rng, 15);
    vec![
        seven.clone(),
        fifteen.clone(),
        format!("{seven},{fifteen},+{number}"),
        format!("{number}\n"),
        format!("{number}\r"),
        format!("\n{number}"),
        format!("0{number}"),
        format!("++{number}"),
        format!("+{}", &number[..5]),
        format!("{number}1234"),
        format!("{number},"),
        format!(",{number}"),
        format!("{number}, {number}"),
        format!("{number};{number}"),
        format!("{} {}", &number[..2], &number[2..]),
        format!("{}-{}", &number[..2], &number[2..]),
        number
            .chars()
            .map(|c| char::from_u32(c as u32 - 0x30 + 0xff10).unwrap_or(c))
            .collect(),
        number
            .chars()
            .map(|c| char::from_u32(c as u32 - 0x30 + 0x0660).unwrap_or(c))
            .collect(),
        format!("{number}\u{0}"),
        String::new(),
    ]
}
