//! What the server does to a request before sending it, done ahead of time.

use crate::limits::REF_MAX;
use crate::request::SendRequest;
use crate::rules::Rule;
use crate::wa_source::WaSource;

/// One change [`SendRequest::normalize`] made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// JSON pointer of the member changed.
    pub pointer: String,
    /// The warning the change answers.
    pub rule: Rule,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
}

impl SendRequest {
    /// Applies the server's documented rewrites: truncates `ref`, `ref1` and `ref2` to their
    /// first [`REF_MAX`](crate::limits::REF_MAX) code points and replaces an undocumented
    /// `wa_source` with `api`. Returns what changed, in wire order; a request with no
    /// warnings is left as it is.
    ///
    /// ```
    /// use kaleyra_wa::WaSource;
    /// let mut request = kaleyra_wa::SendRequest::builder()
    ///     .to("919876543210").catalog_id("103449").product_retailer_id("17026")
    ///     .wa_source("website")
    ///     .build()?;
    /// let changes = request.normalize();
    /// assert_eq!(changes[0].pointer, "/extra_info/wa_source");
    /// assert_eq!(request.extra_info.unwrap().wa_source, Some(WaSource::Api));
    /// # Ok::<(), kaleyra_wa::Report>(())
    /// ```
    pub fn normalize(&mut self) -> Vec<Change> {
        normalize(self)
    }
}

fn normalize(request: &mut SendRequest) -> Vec<Change> {
    let mut changes = Vec::new();
    let Some(extra) = request.extra_info.as_mut() else {
        return changes;
    };
    for (name, value) in [
        ("ref", &mut extra.r#ref),
        ("ref1", &mut extra.ref1),
        ("ref2", &mut extra.ref2),
    ] {
        let Some(value) = value.as_mut() else {
            continue;
        };
        if let Some((end, _)) = value.char_indices().nth(REF_MAX) {
            let before = value.clone();
            value.truncate(end);
            changes.push(Change {
                pointer: format!("/extra_info/{name}"),
                rule: Rule::RefTruncated,
                before,
                after: value.clone(),
            });
        }
    }
    if let Some(source) = extra.wa_source.as_mut().filter(|s| !s.is_documented()) {
        let before = source.as_str().to_owned();
        *source = WaSource::Api;
        changes.push(Change {
            pointer: "/extra_info/wa_source".into(),
            rule: Rule::UnknownWaSource,
            before,
            after: source.as_str().to_owned(),
        });
    }
    changes
}
