//! Tests of the escaping functions, one per format.

use super::*;

#[test]
fn human_lines_show_every_class() {
    assert_eq!(human_line("plain `key`"), "plain `key`");
    assert_eq!(
        human_line("a\u{1b}]0;t\u{7}\0\n\u{85}\u{2028}\u{202e}\u{2066}\u{200b}\u{feff}z"),
        r"a\u{1b}]0;t\u{7}\u{0}\u{a}\u{85}\u{2028}\u{202e}\u{2066}\u{200b}\u{feff}z"
    );
}

#[test]
fn snippets_keep_columns_and_move_spans() {
    let text = "{\"\u{1b}é\u{202e}\": 1,\r\n\t\"b\u{2028}\": 2}\r";
    let key = text.find('\u{1b}').unwrap()..text.find(':').unwrap();
    let other = text.find('b').unwrap()..text.rfind(':').unwrap() + 1;
    let (mut first, mut second) = (key.clone(), other.clone());
    let shown = human_snippet(text, &mut [&mut first, &mut second]);
    assert_eq!(shown, "{\"␛é�\": 1,\r\n\t\"b␤\": 2}␍");
    assert_eq!(text.chars().count(), shown.chars().count());
    assert_eq!(&text[key], "\u{1b}é\u{202e}\"");
    assert_eq!(&shown[first], "␛é�\"");
    assert_eq!(&text[other], "b\u{2028}\":");
    assert_eq!(&shown[second], "b␤\":");
}

#[test]
fn github_escaping_follows_the_toolkit() {
    assert_eq!(github_data("50% off\r\nnow"), "50%25 off%0D%0Anow");
    assert_eq!(github_property("a:b,c%"), "a%3Ab%2Cc%25");
    assert_eq!(
        github_data("k\n::error file=x::y\u{202e}"),
        r"k%0A::error file=x::y\u{202e}"
    );
}

#[test]
fn xml_escapes_markup_and_what_xml_cannot_carry() {
    assert_eq!(xml("plain"), "plain");
    assert_eq!(
        xml("<a b=\"c\" d='e'>&]]>\0\u{1b}\t\n\r\u{202e}\u{fffe}é"),
        "&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;]]&gt;\\u{0}\\u{1b}\\u{9}\\u{a}\\u{d}\\u{202e}\\u{fffe}é"
    );
}

#[test]
fn json_escapes_hidden_characters_and_decodes_back() {
    let text = "a\u{1b}\u{7f}\u{85}\u{2028}\u{202e}\u{200b}\u{e0001}é\"";
    let mut out = Vec::new();
    write_json(&mut out, &text).unwrap();
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        r#""a\u001b\u007f\u0085\u2028\u202e\u200b\udb40\udc01é\"""#
    );
    assert_eq!(serde_json::from_slice::<String>(&out).unwrap(), text);
}

mod props {
    use proptest::prelude::*;

    use super::super::*;

    /// Text mixing any characters with the hidden and special ones.
    fn text() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            '\0',
            '\u{1b}',
            '\u{7}',
            '\n',
            '\r',
            '\t',
            '\u{7f}',
            '\u{85}',
            '\u{9b}',
            '\u{2028}',
            '\u{2029}',
            '\u{202e}',
            '\u{2066}',
            '\u{200b}',
            '\u{feff}',
            '\u{e0001}',
            '%',
            ':',
            ',',
            '"',
            '\\',
            'a',
            'é',
            '😀',
        ]);
        prop::collection::vec(prop_oneof![any::<char>(), special], 0..40)
            .prop_map(|chars| chars.into_iter().collect())
    }

    /// The toolkit's unescaping, as GitHub reads a message or property.
    fn unpercent(text: &str) -> String {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    }

    proptest! {
        #[test]
        fn json_texts_are_pushed_as_written(text in text()) {
            let mut pushed = String::new();
            push_json_str(&mut pushed, &text);
            prop_assert_eq!(pushed, json_string(&text));
        }

        #[test]
        fn human_lines_hold_nothing_hidden(text in text()) {
            let shown = human_line(&text);
            prop_assert!(!shown.contains(is_hidden));
            if !text.contains(is_hidden) {
                prop_assert_eq!(shown, text.as_str());
            }
        }

        #[test]
        fn snippets_are_one_for_one(text in text(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let (a, b) = (a.get(&bounds), b.get(&bounds));
            let original = *a.min(b)..*a.max(b);
            let mut span = original.clone();
            let shown = human_snippet(&text, &mut [&mut span]);
            prop_assert!(!shown.char_indices().any(|(at, c)| is_hidden(c) && !is_layout(&shown, at, c)));
            prop_assert_eq!(shown.chars().count(), text.chars().count());
            prop_assert_eq!(shown[..span.start].chars().count(), text[..original.start].chars().count());
            prop_assert_eq!(shown[span].chars().count(), text[original].chars().count());
        }

        #[test]
        fn github_text_is_one_line_and_reads_back(text in text()) {
            let data = github_data(&text);
            let property = github_property(&text);
            prop_assert!(!data.contains(is_hidden));
            prop_assert!(!property.contains(|c| is_hidden(c) || c == ':' || c == ','));
            if !text.contains(|c| c != '\n' && c != '\r' && is_hidden(c)) {
                prop_assert_eq!(unpercent(&data), text.as_str());
                prop_assert_eq!(unpercent(&property), text.as_str());
            }
        }

        #[test]
        fn xml_holds_no_markup_and_nothing_hidden(text in text()) {
            let escaped = xml(&text);
            let markup = |c| is_hidden(c) || matches!(c, '<' | '>' | '"' | '\'' | '\u{fffe}' | '\u{ffff}');
            prop_assert!(!escaped.contains(markup));
            // Every `&` starts one of the references written.
            for (at, _) in escaped.match_indices('&') {
                let rest = &escaped[at..];
                prop_assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|reference| rest.starts_with(reference)));
            }
        }

        #[test]
        fn json_holds_nothing_hidden_and_decodes_back(text in text()) {
            let mut out = Vec::new();
            write_json(&mut out, &text).unwrap();
            let raw = String::from_utf8(out).unwrap();
            prop_assert!(!raw.contains(is_hidden));
            prop_assert_eq!(serde_json::from_str::<String>(&raw).unwrap(), text);
        }
    }
}
