//! Documents whose structural problems are only wrong constants (`"type": "products"`): every
//! finding, without the slow path.
//!
//! The typed parse stops at the first wrong constant. Each constant member has one allowed
//! value, and no rule depends on a constant's value: the wrong string is replaced, in a copy
//! of the text, by the allowed one padded with spaces, so that every byte stays where it was,
//! and the copy is parsed again, up to [`MAX_PATCHED`] times. If the copy is a request, the
//! core's report on it is every other finding there is, placed in the original text as on
//! the typed path. Anything else (an allowed value longer than the wrong one, another
//! problem, too many constants) goes to the slow path (`None`), which finds the same (a test
//! compares the two).

use kaleyra_wa::{JsonError, Rule, SendRequest};
use serde_json::error::Category;

use super::schema::{constant_at, wrong_constant};
use super::syntax::member_at;
use super::{DocFinding, with_report};
use crate::locate;

/// At most this many wrong constants are patched; a document with more takes the slow path
/// (the request has four constant members).
const MAX_PATCHED: usize = 4;

/// The findings of `text`, if its only structural problems are wrong constants; `error` is
/// the typed parse's, at the first of them.
pub(super) fn check(text: &str, error: &JsonError) -> Option<Vec<DocFinding>> {
    let mut copy = text.as_bytes().to_vec();
    let mut found = Vec::new();
    let mut offset = error.offset();
    let mut rule = error.rule();
    while rule == Rule::Constant && found.len() < MAX_PATCHED {
        found.push(patch(text, &mut copy, offset)?);
        // A string literal (whole characters) was replaced by ASCII: the copy is UTF-8.
        let patched = simdutf8::basic::from_utf8(&copy).ok()?;
        match serde_json::from_str::<SendRequest>(patched) {
            Ok(request) => return Some(with_report(text, &request, found)),
            Err(error) if error.classify() == Category::Data => {
                let error = JsonError::new(patched.as_bytes(), &error);
                (offset, rule) = (error.offset(), error.rule());
            }
            Err(_) => return None,
        }
    }
    None
}

/// Replaces, in `copy` (`text`, patched before), the wrong constant whose string literal
/// ends at `close` (where serde stops at an unknown variant) with the allowed value, and
/// returns its finding; `None` if it is not a string member whose allowed value fits.
fn patch(text: &str, copy: &mut [u8], close: usize) -> Option<DocFinding> {
    if copy.get(close) != Some(&b'"') {
        return None;
    }
    let open = locate::string_start(copy, close)?;
    let literal = open..close + 1;
    // Where a member's value starts, the scan names the member (an element's would end in
    // an index: no constant is an element).
    let pointer = member_at(&copy[..open], Some(b'"'));
    let expected = constant_at(&pointer)?;
    let allowed = serde_json::to_string(expected).ok()?;
    if allowed.len() > literal.len() {
        return None;
    }
    // Patched literals are other members: this one is as in `text`.
    let found: String = serde_json::from_str(text.get(literal.clone())?).ok()?;
    let target = &mut copy[literal.clone()];
    target[..allowed.len()].copy_from_slice(allowed.as_bytes());
    target[allowed.len()..].fill(b' ');
    Some(wrong_constant(pointer, expected, &found).at(literal))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::slow_path;
    use super::*;

    /// [`super::check`] as `check_document` calls it: after a typed parse that stopped at a
    /// wrong constant.
    fn check(text: &str) -> Option<Vec<DocFinding>> {
        let error = serde_json::from_str::<SendRequest>(text).err()?;
        let error = JsonError::new(text.as_bytes(), &error);
        (error.rule() == Rule::Constant).then(|| super::check(text, &error))?
    }

    const RECORD: &str = r#"{"messaging_object": {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "919876543210,919876543211", "type": "interactive", "interactive": {"type": "product", "body": {"text": "Hi Priya, the shoes are back."}, "footer": {"text": "Reply STOP to opt out."}, "action": {"catalog_id": "1034567849", "product_retailer_id": "SKU-RUN-0042"}}}, "extra_info": {"ref": "crm-000123", "ref1": "campaign", "wa_source": "api"}}"#;

    /// Each constant, wrong in ways that fit (same length, longer, escaped, not ASCII) and
    /// that do not (shorter), alone and together, with other problems beside: the constant
    /// path finds what the slow path finds, or leaves the document to it.
    #[test]
    fn the_constant_path_is_the_slow_path_where_it_applies() {
        let constants = [
            "\"whatsapp\"",
            "\"individual\"",
            "\"interactive\"",
            "\"product\"",
        ];
        let wrongs: [fn(&str) -> String; 5] = [
            |c| c.to_uppercase(),
            |c| c.replacen('"', "\"x", 1) + " ",
            |c| c.replacen('"', "\"\\u00e9\\\"", 1),
            |c| c.replacen('"', "\"é", 1),
            |c| c[..c.len() - 2].to_owned() + "\"",
        ];
        let others = [
            ("\"to\": \"9", "\"to\": \"09"),
            ("Reply STOP", &*"x".repeat(60)),
            ("\"api\"", "\"web\""),
            ("\"catalog_id\": \"1034567849\", ", ""),
            ("\"footer\":", "\"footer\""),
            ("\"ref1\"", "\"zz\""),
        ];
        let (mut fast, mut compared) = (0, 0);
        for (i, constant) in constants.iter().enumerate() {
            for (w, wrong) in wrongs.iter().enumerate() {
                let mut text = RECORD.replacen(constant, &wrong(constant), 1);
                if w == 0 {
                    // With the next constant wrong too.
                    let next = constants[(i + 1) % constants.len()];
                    text = text.replacen(next, &next.to_uppercase(), 1);
                }
                for other in [None].into_iter().chain(others.iter().map(Some)) {
                    let text = match other {
                        Some((from, to)) => text.replacen(from, to, 1),
                        None => text.clone(),
                    };
                    let found = check(&text);
                    if found.is_some() {
                        fast += 1;
                    }
                    if let Some(found) = found {
                        assert_eq!(found, slow_path(text.as_bytes(), Some(&text)), "{text}");
                    }
                    compared += 1;
                }
            }
        }
        // The fitting wrongs with no structural problem beside them take the constant path.
        assert!(fast >= 4 * 4 * 4, "{fast} of {compared}");
    }

    #[test]
    fn a_wrong_constant_is_found_at_its_literal_with_the_others() {
        let text = RECORD.replacen("\"product\"", "\"products\"", 1).replacen(
            "\"to\": \"9",
            "\"to\": \"09",
            1,
        );
        let found = check(&text).expect("the constant path applies");
        let rules: Vec<Rule> = found.iter().map(|f| f.rule).collect();
        assert_eq!(rules, [Rule::Phone, Rule::Constant]);
        let constant = &found[1];
        assert_eq!(&text[constant.span.clone()], "\"products\"");
        assert_eq!(constant.pointer, "/messaging_object/interactive/type");
        // Too short to hold the allowed value: the slow path's.
        assert_eq!(check(&RECORD.replacen("\"product\"", "\"p\"", 1)), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Whatever a few edits do to a record holding a wrong constant, the constant path
        /// gives the slow path's findings, or leaves the document to it.
        #[test]
        fn the_constant_path_is_the_slow_path_or_nothing(
            edits in prop::collection::vec(
                (any::<prop::sample::Index>(), prop::sample::select(vec![
                    "\"", "\\", ",", ":", "{", "}", " ", "0", "1e400", "null", "\\u0074",
                    "\\ud800", "é", "\"products\"", "\"PRODUCT\"", "\"zz\": 1",
                ]), 0..3usize),
                1..4,
            ),
        ) {
            let mut text = RECORD.replacen("\"individual\"", "\"Individual\"", 1);
            for (at, piece, removed) in edits {
                let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                let start = *at.get(&bounds);
                let end = bounds.iter().copied().find(|&b| b >= start + removed).unwrap_or(text.len());
                text.replace_range(start..end, piece);
            }
            if let Some(found) = check(&text) {
                prop_assert_eq!(found, slow_path(text.as_bytes(), Some(&text)), "{}", text);
            }
        }
    }
}
