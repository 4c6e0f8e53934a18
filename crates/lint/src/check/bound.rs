//! Which of a document's findings are shown, and how memory stays bounded while they are
//! found: a document with a million unknown members holds a few thousand findings at a time,
//! not a million.
//!
//! The findings shown are, in place order, the first [`MAX_SHOWN`] of those within the first
//! [`MAX_PER_MEMBER`] of their rule at their member ([`shown`]). Finding more can only push a
//! finding further back, and turning rules off removes whole rules: so a finding that is not
//! among the first `MAX_SHOWN` of its own rule (so counted) never will be shown, whatever is
//! found later and whichever rules are off. [`push`] drops such findings as it goes ([`prune`]),
//! counting each on a finding of its rule that is kept ([`DocFinding::unlisted`]).

use std::collections::HashMap;
use std::hash::Hash;

use kaleyra_wa::Rule;

use super::DocFinding;

/// At most this many findings of one document are shown; the rest are counted.
pub const MAX_SHOWN: usize = 100;
/// At most this many findings of one rule at one member are shown; the rest are counted.
pub const MAX_PER_MEMBER: usize = 10;
// The core lists at least as many bad recipients of `to` as are shown, so that capping its
// list changes no output.
const _: () = assert!(kaleyra_wa::limits::MAX_LISTED_RECIPIENTS >= MAX_PER_MEMBER);

/// Findings are pruned once at least this many are held (and each time their number reaches
/// a power of two): a prune keeps at most `MAX_SHOWN` per rule.
const PRUNE_AT: usize = 1024;

/// Which of `found` (in place order) are shown: in each group of findings (`group`: one for
/// the document; one per rule to [`prune`]), the first [`MAX_SHOWN`] of those within the first
/// [`MAX_PER_MEMBER`] of their rule at their member.
pub(crate) fn shown<G: Eq + Hash>(
    found: &[DocFinding],
    group: impl Fn(&DocFinding) -> G,
) -> Vec<bool> {
    if found.len() <= MAX_PER_MEMBER {
        return vec![true; found.len()];
    }
    let mut per_member: HashMap<(Rule, &str), usize> = HashMap::new();
    let mut per_group: HashMap<G, usize> = HashMap::new();
    found
        .iter()
        .map(|doc| {
            let seen = per_member
                .entry((doc.rule, doc.pointer.as_str()))
                .or_default();
            *seen += 1;
            let count = per_group.entry(group(doc)).or_default();
            let shown = *count < MAX_SHOWN && *seen <= MAX_PER_MEMBER;
            *count += usize::from(shown);
            shown
        })
        .collect()
}

/// Adds `finding` to `found`, first dropping (and counting) what can never be shown once
/// enough are held. Not between two findings at one place of one rule: they may be twins (one
/// problem found twice, such as a `null` that breaks both a type and a constant), which
/// [`sort_and_merge`] makes one, so both must be kept or dropped together. The checks find
/// twins one after the other (both come from one value's checks); twins found apart, with a
/// prune between them, would be counted twice, and twins found apart with a finding of the
/// same place and rule between them (which the merge, on adjacent findings only, keeps apart)
/// would be made one if a prune dropped the finding between. No check finds either.
pub(super) fn push(found: &mut Vec<DocFinding>, finding: DocFinding) {
    let len = found.len();
    if len >= PRUNE_AT
        && len.is_power_of_two()
        && found
            .last()
            .is_none_or(|last| (last.span.start, last.rule) != (finding.span.start, finding.rule))
    {
        prune(found);
    }
    found.push(finding);
}

/// Drops from `found` the findings that can never be shown (see the module's docs), counting
/// each on the last finding of its rule that is kept; leaves `found` in place order.
pub(super) fn prune(found: &mut Vec<DocFinding>) {
    sort_and_merge(found);
    let keep = shown(found, |doc| doc.rule);
    // A finding is dropped only behind at least one of its rule that is kept.
    let mut carrier: HashMap<Rule, usize> = HashMap::new();
    for (index, doc) in found.iter().enumerate() {
        if keep[index] {
            carrier.insert(doc.rule, index);
        }
    }
    let mut counted: Vec<(usize, usize)> = Vec::new();
    for (index, doc) in found.iter().enumerate() {
        if !keep[index]
            && let Some(&carrier) = carrier.get(&doc.rule)
        {
            counted.push((carrier, 1 + doc.unlisted));
        }
    }
    for (carrier, count) in counted {
        found[carrier].unlisted += count;
    }
    let mut keep = keep.into_iter();
    // `retain` visits the findings in order, once each.
    found.retain(|_| keep.next().unwrap_or(true));
}

/// Sorts `found` into place order and makes twins one (findings alike but for what they
/// count), adding up what they count.
pub(super) fn sort_and_merge(found: &mut Vec<DocFinding>) {
    found.sort_by_key(|f| (f.span.start, f.rule));
    found.dedup_by(|later, earlier| {
        let twins = later.rule == earlier.rule
            && later.span == earlier.span
            && later.pointer == earlier.pointer
            && later.message == earlier.message
            && later.help == earlier.help
            && later.related == earlier.related;
        if twins {
            earlier.unlisted += later.unlisted;
        }
        twins
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a document shows with the rules in `on`, and how many findings it counts in all.
    fn outcome(found: &[DocFinding], on: &[Rule]) -> (Vec<DocFinding>, usize) {
        let found: Vec<DocFinding> = (found.iter())
            .filter(|f| on.contains(&f.rule))
            .cloned()
            .collect();
        let total = found.iter().map(|f| 1 + f.unlisted).sum();
        let shown = shown(&found, |_| ());
        let shown = found
            .into_iter()
            .zip(shown)
            .filter_map(|(f, shown)| shown.then_some(f))
            .map(|f| DocFinding { unlisted: 0, ..f })
            .collect();
        (shown, total)
    }

    /// Pruning as findings come changes neither what is shown nor what is counted, whichever
    /// rules are off: random findings (members shared or not, places in any order, twins,
    /// findings already counting others), against keeping them all.
    #[test]
    fn pruning_changes_neither_what_is_shown_nor_what_is_counted() {
        const RULES: [Rule; 3] = [Rule::Unknown, Rule::DuplicateKey, Rule::Phone];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        for round in 0..12 {
            let count = [300, 3000, 9000][round % 3];
            let mut all = Vec::new();
            let mut pruned = Vec::new();
            let mut used = std::collections::HashSet::new();
            while all.len() < count {
                let rule = RULES[next(RULES.len())];
                let pointer = match next(4) {
                    0 => format!("/m{}", next(3)),
                    _ => format!("/u{}", next(1 << 20)),
                };
                // Twins only where meant: two findings alike are one problem found twice,
                // one after the other (see `push`).
                let start = loop {
                    let start = next(1 << 20);
                    if used.insert(start) {
                        break start;
                    }
                };
                let mut finding = DocFinding::new(rule, pointer, "m").at(start..start + 1);
                finding.unlisted = if next(50) == 0 { next(7) } else { 0 };
                // Now and then a twin: one problem found twice, one after the other.
                let copies = if next(20) == 0 { 2 } else { 1 };
                for _ in 0..copies {
                    all.push(finding.clone());
                    push(&mut pruned, finding.clone());
                }
            }
            assert!(pruned.len() < all.len() || count < PRUNE_AT, "{round}");
            sort_and_merge(&mut all);
            sort_and_merge(&mut pruned);
            for on in [&RULES[..], &RULES[..1], &RULES[1..], &RULES[..2]] {
                assert_eq!(outcome(&pruned, on), outcome(&all, on), "{round} {on:?}");
            }
        }
    }
}
