//! Escaping of untrusted text (payload keys and values in messages, pointers, file names,
//! source excerpts): one function per output format, so that nothing in a payload or a file
//! name can move the cursor, set a terminal's title, start a GitHub workflow command, reorder
//! what is shown (bidi controls) or hide text (zero-width characters).
//!
//! The characters treated as hidden are those of the Unicode general categories Cc (C0, DEL,
//! C1), Cf (bidi controls, zero-width characters, the BOM, ...), Zl and Zp (U+2028, U+2029).

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;
use unicode_general_category::{GeneralCategory, get_general_category};

/// Whether `c` is shown as something else than itself: a control, format, line or paragraph
/// separator character.
fn is_hidden(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

/// Rewrites `text` with `escape` called for each character that `needs` it, borrowing when
/// none does (the common case costs one scan).
fn rewrite(
    text: &str,
    needs: impl Fn(char) -> bool,
    escape: impl Fn(char, &mut String),
) -> Cow<'_, str> {
    let Some(first) = text.find(&needs) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if needs(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Human output, a one-line field (message, help, pointer, file name): each hidden character
/// as a Rust-style escape, `\u{202e}`.
pub(crate) fn human_line(text: &str) -> Cow<'_, str> {
    rewrite(text, is_hidden, |c, out| out.extend(c.escape_unicode()))
}

/// The visible stand-in for a hidden character in a source excerpt: one code point for one,
/// one column wide, so columns and carets stay right. C0 and DEL: their control pictures
/// (U+2400..U+2421); line and paragraph separators: `␤`; anything else: `�`.
fn picture(c: char) -> char {
    match c {
        '\0'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{85}' | '\u{2028}' | '\u{2029}' => '\u{2424}',
        _ => '\u{fffd}',
    }
}

/// Whether the hidden character `c` at byte `at` of an excerpt is part of its layout, which
/// the renderer handles: a line feed, a carriage return before one, a tab (expanded).
fn is_layout(text: &str, at: usize, c: char) -> bool {
    match c {
        '\n' | '\t' => true,
        '\r' => text.as_bytes().get(at + 1) == Some(&b'\n'),
        _ => false,
    }
}

/// Human output, a source excerpt: hidden characters replaced one for one by visible ones
/// ([`picture`]), except its layout ([`is_layout`]). The byte ranges in `spans` are moved to
/// the same characters in the result.
pub(crate) fn human_snippet<'a>(text: &'a str, spans: &mut [&mut Range<usize>]) -> Cow<'a, str> {
    let needs = |at: usize, c: char| is_hidden(c) && !is_layout(text, at, c);
    if !text.char_indices().any(|(at, c)| needs(at, c)) {
        return Cow::Borrowed(text);
    }
    // Every offset, each with where it moves to once found.
    let mut offsets: Vec<(usize, Option<usize>)> = spans
        .iter()
        .flat_map(|span| [(span.start, None), (span.end, None)])
        .collect();
    let mut out = String::with_capacity(text.len() + 16);
    for (at, c) in text.char_indices() {
        for (offset, moved) in &mut offsets {
            if moved.is_none() && *offset <= at {
                *moved = Some(out.len());
            }
        }
        out.push(if needs(at, c) { picture(c) } else { c });
    }
    let mut moved = offsets
        .into_iter()
        .map(|(_, moved)| moved.unwrap_or(out.len()));
    for span in spans {
        span.start = moved.next().unwrap_or(out.len());
        span.end = moved.next().unwrap_or(out.len());
    }
    Cow::Owned(out)
}

/// GitHub workflow command, the message: `%`, CR and LF percent-encoded as `@actions/core`
/// does (GitHub shows CR and LF as line breaks inside the annotation), other hidden
/// characters as `\u{202e}`. The result holds no line break, so it cannot start a command.
pub(crate) fn github_data(text: &str) -> Cow<'_, str> {
    rewrite(
        text,
        |c| c == '%' || is_hidden(c),
        |c, out| match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            _ => out.extend(c.escape_unicode()),
        },
    )
}

/// GitHub workflow command, a property value (`file=`, `title=`): as [`github_data`], and
/// `:` and `,` percent-encoded as well.
pub(crate) fn github_property(text: &str) -> Cow<'_, str> {
    rewrite(
        text,
        |c| matches!(c, '%' | ':' | ',') || is_hidden(c),
        |c, out| match c {
            '%' => out.push_str("%25"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            _ => out.extend(c.escape_unicode()),
        },
    )
}

/// XML (JUnit), a text node or an attribute value: the five markup characters as entity
/// references, every hidden character as `\u{1b}` (line breaks too: the text stays one
/// line, as in the human format), as are U+FFFE and U+FFFF, which XML 1.0 cannot carry. The
/// result is well-formed wherever text or a quoted attribute value may stand, whatever `text`
/// holds (`]]>` included: `>` is escaped).
pub(crate) fn xml(text: &str) -> Cow<'_, str> {
    rewrite(
        text,
        |c| matches!(c, '&' | '<' | '>' | '"' | '\'' | '\u{fffe}' | '\u{ffff}') || is_hidden(c),
        |c, out| match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.extend(c.escape_unicode()),
        },
    )
}

/// JSON and SARIF: writes `value` as compact JSON in which every hidden character is a
/// `\uXXXX` escape (`serde_json` escapes C0 only), so the raw report is safe to print, and
/// decodes to exactly the same strings.
pub(crate) fn write_json<W: Write + ?Sized>(out: &mut W, value: &impl Serialize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, SafeJson);
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// [`write_json`] into a string (what the tests compare [`push_json_str`] with).
#[cfg(test)]
pub(crate) fn json_string(value: &impl Serialize) -> String {
    // About a finding's size: no growing on the way.
    let mut out = Vec::with_capacity(512);
    // Writing to a `Vec` cannot fail, and our values serialize without error (their maps
    // have string keys).
    if write_json(&mut out, value).is_err() {
        return String::new();
    }
    // serde_json writes UTF-8 (strings from `&str`, escapes in ASCII).
    String::from_utf8(out)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// Appends `text` as a JSON string, as [`write_json`] writes it: printable ASCII but `"` and
/// `\` (most texts) as it is, after one scan; anything else through [`write_json`].
pub(crate) fn push_json_str(out: &mut String, text: &str) {
    // Without an early exit, so that the scan is vectorized.
    let plain = (text.bytes()).fold(true, |plain, b| {
        plain & matches!(b, b' '..=b'~') & (b != b'"') & (b != b'\\')
    });
    if plain {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        // Written in place, not through a second string: a text of megabytes (a key) is
        // held once more, escaped, not twice.
        let mut bytes = std::mem::take(out).into_bytes();
        // Writing to a `Vec` cannot fail, nor can serializing a string.
        let _ = write_json(&mut bytes, &text);
        // serde_json writes UTF-8 after UTF-8 (escapes in ASCII).
        *out = String::from_utf8(bytes)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
    }
}

/// `serde_json`'s compact formatter, escaping hidden characters in strings.
struct SafeJson;

impl serde_json::ser::Formatter for SafeJson {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + Write,
    {
        // serde_json has escaped quotes, backslashes and C0 controls: of the ASCII left,
        // only DEL is hidden. Most fragments are plain ASCII, seen as such a word at a time.
        let bytes = fragment.as_bytes();
        if fragment.is_ascii() && memchr::memchr(0x7f, bytes).is_none() {
            return writer.write_all(bytes);
        }
        // A byte from DEL up follows whole characters, so it starts one.
        let mut written = 0;
        let mut at = 0;
        while let Some(offset) = bytes[at..].iter().position(|&b| b >= 0x7f) {
            let start = at + offset;
            let Some(c) = fragment.get(start..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            at = start + c.len_utf8();
            if is_hidden(c) {
                writer.write_all(&bytes[written..start])?;
                let mut units = [0; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                written = at;
            }
        }
        writer.write_all(&bytes[written..])
    }
}

#[cfg(test)]
mod tests;
