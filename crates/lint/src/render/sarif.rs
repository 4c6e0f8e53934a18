//! SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.

use std::io::{self, Write};
use std::path::Path;

use kaleyra_wa::{Rule, Severity};
use serde_json::json;

use super::{Reporter, relative_to_cwd};
use crate::engine::{Finding, Region, Snippet, Summary};
use crate::escape;

/// The `tool.driver` of the SARIF log: name, version, and every rule.
fn sarif_driver() -> serde_json::Value {
    let rules: Vec<_> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code(),
                "name": rule.name(),
                "shortDescription": {"text": rule.summary()},
                "fullDescription": {"text": rule.description().trim()},
                "help": {"text": rule.explain(), "markdown": rule.explain()},
                "defaultConfiguration": {"level": sarif_level(rule.severity())},
            })
        })
        .collect();
    json!({
        "name": "kaleyra-wa-lint",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": env!("CARGO_PKG_REPOSITORY"),
        "rules": rules,
    })
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub(super) struct Sarif<'w> {
    out: Box<dyn Write + 'w>,
    count: usize,
}

impl<'w> Sarif<'w> {
    pub(super) fn new(out: Box<dyn Write + 'w>) -> Self {
        Sarif { out, count: 0 }
    }
}

impl Reporter for Sarif<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        if self.count == 0 {
            write_sarif_head(&mut self.out)?;
        } else {
            writeln!(self.out, ",")?;
        }
        self.count += 1;
        let index = Rule::ALL
            .iter()
            .position(|r| *r == finding.rule)
            .unwrap_or(0);
        let mut physical = json!({"artifactLocation": artifact_location(&finding.file)});
        if let Some(region) = &finding.region {
            physical["region"] = json!({
                "startLine": region.line,
                "startColumn": region.column,
                "endLine": region.end_line,
                "endColumn": region.end_column,
            });
            if let Some(snippet) = &finding.snippet {
                add_snippets(&mut physical, region, snippet);
            }
        }
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str(&format!(" ({help})"));
        }
        let mut location = json!({"physicalLocation": physical});
        if !finding.pointer.is_empty() {
            location["logicalLocations"] =
                json!([{"fullyQualifiedName": finding.pointer, "kind": "member"}]);
        }
        let result = json!({
            "ruleId": finding.rule.code(),
            "ruleIndex": index,
            "level": sarif_level(finding.severity()),
            "message": {"text": message},
            "locations": [location],
        });
        escape::write_json(&mut self.out, &result)
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        if self.count == 0 {
            write_sarif_head(&mut self.out)?;
        } else {
            writeln!(self.out)?;
        }
        writeln!(self.out, "]}}]}}")?;
        self.out.flush()
    }
}

/// Adds the offending text as the region's `snippet`, and the lines around it as a
/// `contextRegion`, from the finding's excerpt, when the excerpt holds them whole (it is cut
/// on long lines and long places).
fn add_snippets(physical: &mut serde_json::Value, region: &Region, snippet: &Snippet) {
    let Some(text) = snippet.text.get(snippet.span.clone()) else {
        return;
    };
    let whole_place = if region.line == region.end_line {
        text.chars().count() == region.end_column.saturating_sub(region.column)
    } else {
        text.matches('\n').count() == region.end_line - region.line
    };
    if whole_place {
        physical["region"]["snippet"] = json!({"text": text});
    }
    // The context is whole lines; SARIF wants it a proper superset of the region (SARIF1008).
    let end_line = snippet.line_start + snippet.text.matches('\n').count();
    let last_line = snippet.text.rsplit('\n').next().unwrap_or_default();
    let contains = snippet.line_start <= region.line && region.end_line <= end_line;
    let larger = end_line - snippet.line_start > region.end_line - region.line
        || region.column > 1
        || region.end_column <= last_line.chars().count();
    if contains && larger && !snippet.text.starts_with(CUT) && !snippet.text.ends_with(CUT) {
        physical["contextRegion"] = json!({
            "startLine": snippet.line_start,
            "endLine": end_line,
            "snippet": {"text": snippet.text},
        });
    }
}

/// What an excerpt cut short of its line starts or ends with.
const CUT: &str = "…";

/// The `%SRCROOT%` base: the current directory as an absolute `file://` URI ending in `/`
/// (SARIF wants an absolute URI there, SARIF1004).
fn srcroot() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let mut encoded = encode_uri_path(&cwd.to_string_lossy().replace('\\', "/"));
    if !encoded.ends_with('/') {
        encoded.push('/');
    }
    let slash = if encoded.starts_with('/') { "" } else { "/" };
    Some(format!("file://{slash}{encoded}"))
}

/// A SARIF `artifactLocation`: a relative reference against `%SRCROOT%` (the current
/// directory), or a `file://` URI for a path outside it; percent-encoded (RFC 3986) either way,
/// so names with spaces or non-ASCII characters are valid URI references.
fn artifact_location(file: &str) -> serde_json::Value {
    let file = relative_to_cwd(file);
    if Path::new(file.as_ref()).is_absolute() {
        let encoded = encode_uri_path(&file);
        let slash = if encoded.starts_with('/') { "" } else { "/" };
        json!({"uri": format!("file://{slash}{encoded}")})
    } else {
        json!({"uri": encode_uri_path(&file), "uriBaseId": "%SRCROOT%"})
    }
}

/// Percent-encodes every byte of a `/`-separated path except unreserved characters and `/`.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn write_sarif_head(out: &mut dyn Write) -> io::Result<()> {
    let mut head = json!({
        "tool": {"driver": sarif_driver()},
        "columnKind": "unicodeCodePoints",
    });
    if let Some(root) = srcroot() {
        head["originalUriBaseIds"] = json!({"%SRCROOT%": {"uri": root}});
    }
    let mut run_head = Vec::new();
    escape::write_json(&mut run_head, &head)?;
    // Open the run object, leaving it to be closed after the results.
    let run_head = run_head.strip_suffix(b"}").unwrap_or(&run_head);
    out.write_all(
        b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[",
    )?;
    out.write_all(run_head)?;
    writeln!(out, ",\"results\":[")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(
            encode_uri_path("dir/a b%é:.json"),
            "dir/a%20b%25%C3%A9%3A.json"
        );
        assert_eq!(
            artifact_location("<stdin>"),
            json!({"uri": "%3Cstdin%3E", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("/nowhere/x y.json"),
            json!({"uri": "file:///nowhere/x%20y.json"})
        );
        let inside = std::env::current_dir().unwrap().join("sub/x.json");
        assert_eq!(
            artifact_location(inside.to_str().unwrap()),
            json!({"uri": "sub/x.json", "uriBaseId": "%SRCROOT%"})
        );
    }
}
