//! The JSON Lines stream: chunks, order, budgets, failures.

use super::super::MAX_SHOWN;
use super::*;

const VALID: &str = r#"{"messaging_object": {"messaging_product": "whatsapp", "to": "919876543210", "type": "interactive", "interactive": {"type": "product", "action": {"catalog_id": "1", "product_retailer_id": "2"}}}}"#;

/// Lines of every kind: valid, each error path, blank, CRLF, too long.
fn line(i: usize) -> String {
    match i % 7 {
        0 => VALID.replacen("9198", "0198", 1),
        1 => VALID.replacen("\"catalog_id\"", "\"catalogue\": 1, \"catalog_id\"", 1),
        2 => VALID.replacen("\"product\"", "\"products\"", 1),
        3 if i.is_multiple_of(3) => "   ".into(),
        4 if i.is_multiple_of(5) => format!("{VALID}\r"),
        5 if i.is_multiple_of(11) => format!("{{\"x\": \"{}\"}}", "y".repeat(300)),
        6 => "{".into(),
        _ => VALID.into(),
    }
}

/// Runs the stream over `input`, recording each event, failing `emit` at event `fail_at`.
fn stream(input: String, fail_at: Option<usize>) -> (Vec<String>, Summary, Result<(), LinesError>) {
    let options = Options {
        max_line_length: 200,
        ..Options::default()
    };
    let mut events = Vec::new();
    let mut summary = Summary::default();
    let result = lint_json_lines(
        "in.jsonl",
        Box::new(io::Cursor::new(input.into_bytes())),
        options,
        &|finding| finding.pointer.clone(),
        &mut summary,
        &mut |event| {
            if Some(events.len()) == fail_at {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
            events.push(match event {
                Event::Finding(finding, pointer) => {
                    assert_eq!(finding.pointer, pointer, "prepared for this finding");
                    format!(
                        "{:?} {:?} {}",
                        finding.record, finding.region, finding.message
                    )
                }
                other => format!("{other:?}"),
            });
            Ok(())
        },
    );
    (events, summary, result)
}

#[test]
fn records_of_many_chunks_are_linted_and_emitted_in_order_as_each_alone() {
    let count = CHUNK_LINES * (IN_FLIGHT + 2) + 17;
    let lines: Vec<String> = (0..count).map(line).collect();
    let (events, summary, result) = stream(lines.join("\n"), None);
    assert!(result.is_ok());
    let options = Options {
        max_line_length: 200,
        ..Options::default()
    };
    let mut expected = Vec::new();
    let mut records = 0;
    for (i, text) in lines.iter().enumerate() {
        let number = i + 1;
        let text = text.strip_suffix('\r').unwrap_or(text);
        if text.trim().is_empty() {
            continue;
        }
        records += 1;
        let findings = if text.len() > 200 {
            vec![too_long("in.jsonl", number, 200)]
        } else {
            lint_document("in.jsonl", Some(number), text.as_bytes(), number, options).findings
        };
        expected.extend(findings.iter().map(|finding| {
            format!(
                "{:?} {:?} {}",
                finding.record, finding.region, finding.message
            )
        }));
    }
    assert!(expected.len() > count / 2, "{}", expected.len());
    assert_eq!(events, expected);
    assert_eq!(summary.records, records);
    assert_eq!(summary.errors, expected.len());
}

/// A chunk whose records have many findings each is linted a part at a time: no part
/// holds more than the budget, and the parts are the chunk.
#[test]
fn a_chunk_holds_at_most_its_budget_of_findings() {
    let members: Vec<String> = (0..150).map(|i| format!("\"m{i}\": {i}")).collect();
    let record = format!("{{{}}}", members.join(", "));
    let count = 3 * FINDINGS / MAX_SHOWN + 7;
    let buffer = format!("{record}\n").repeat(count).into_bytes();
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', &buffer).collect();
    let options = Options::default();
    let prepare = |_: &Finding| ();
    let (mut from, mut parts, mut records) = (0, 0, 0);
    loop {
        let (results, rest) =
            lint_chunk("in.jsonl", &buffer, &newlines, 1, from, options, &prepare);
        let findings: usize = results.iter().map(Linted::findings).sum();
        assert!(findings <= FINDINGS, "{findings}");
        assert!(results.iter().all(|r| r.findings() == MAX_SHOWN));
        records += results.len();
        parts += 1;
        match rest {
            Some(rest) => {
                assert_eq!(rest, records);
                from = rest;
            }
            None => break,
        }
    }
    assert_eq!(records, count);
    assert!(parts >= 4, "{parts}");
}

/// Run from inside the pool, on one thread or two, the stream ends: the thread that waits
/// for chunks runs them. The thread is one of the pool's either as a caller's own parallel
/// work is (`install`) or as the binary's main thread is (`use_current_thread`).
#[test]
fn the_stream_ends_when_run_on_a_thread_of_the_pool() {
    let count = CHUNK_LINES * (IN_FLIGHT + 2);
    let input: String = (0..count).map(line).collect::<Vec<_>>().join("\n");
    let (expected, _, _) = stream(input.clone(), None);
    for (threads, current) in [(1, false), (2, false), (1, true), (2, true)] {
        let (done, ended) = std::sync::mpsc::channel();
        let input = input.clone();
        std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
            let events = if current {
                let _pool = pool.use_current_thread().build().unwrap();
                stream(input, None).0
            } else {
                pool.build().unwrap().install(|| stream(input, None).0)
            };
            let _ = done.send(events);
        });
        let events = ended
            .recv_timeout(std::time::Duration::from_secs(120))
            .unwrap_or_else(|_| {
                panic!("the stream did not end on {threads} thread(s), current: {current}")
            });
        assert_eq!(events, expected);
    }
}

/// A reader that gives one line per read and counts, at each read, the events emitted so far.
struct Dripping {
    lines: std::vec::IntoIter<String>,
    emitted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    reads: std::sync::Arc<std::sync::Mutex<Vec<usize>>>,
}

impl Read for Dripping {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let emitted = self.emitted.load(std::sync::atomic::Ordering::SeqCst);
        self.reads.lock().unwrap().push(emitted);
        let Some(line) = self.lines.next() else {
            return Ok(0);
        };
        let bytes = format!("{line}\n");
        assert!(bytes.len() <= buf.len(), "a read holds a line");
        buf[..bytes.len()].copy_from_slice(bytes.as_bytes());
        Ok(bytes.len())
    }
}

/// The only thread of the pool (one core) writes a chunk's findings before it reads past
/// that chunk: a slow producer's next line does not hold them back.
#[test]
fn alone_in_the_pool_a_chunk_is_written_before_the_next_is_read() {
    let (done, ended) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build()
            .unwrap();
        let emitted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let reads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        // Every line has a finding (a bad phone number).
        let lines: Vec<String> = (0..3 * CHUNK_LINES)
            .map(|_| VALID.replacen("9198", "0198", 1))
            .collect();
        let reader = Dripping {
            lines: lines.into_iter(),
            emitted: emitted.clone(),
            reads: reads.clone(),
        };
        let mut summary = Summary::default();
        let result = lint_json_lines(
            "in.jsonl",
            Box::new(reader),
            Options::default(),
            &|_| (),
            &mut summary,
            &mut |_| {
                emitted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            },
        );
        let reads = reads.lock().unwrap().clone();
        let _ = done.send((result.is_ok(), summary.errors, reads));
    });
    let (ok, errors, reads) = ended
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the stream ends");
    assert!(ok);
    assert_eq!(errors, 3 * CHUNK_LINES);
    // The read of the line after the first chunk (one line per read) comes once that
    // chunk's findings, one per line, are written.
    let first = super::chunks::FIRST_LINES;
    assert!(reads[first] >= first, "{:?}", &reads[..first + 2]);
}

#[test]
fn a_failing_emit_stops_the_stream_at_once() {
    let count = CHUNK_LINES * (IN_FLIGHT + 2);
    let lines: Vec<String> = (0..count).map(line).collect();
    for fail_at in [0, 1, CHUNK_LINES / 2, CHUNK_LINES * 2] {
        let (events, _, result) = stream(lines.join("\n"), Some(fail_at));
        assert!(matches!(result, Err(LinesError::Emit(_))), "{fail_at}");
        assert_eq!(events.len(), fail_at);
    }
}

/// A reader that gives `bytes`, then fails.
struct Failing(io::Cursor<Vec<u8>>);

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(io::Error::other("the disk failed")),
            read => Ok(read),
        }
    }
}

/// A read that fails inside a line ends the input there: the whole lines before are linted,
/// and the line it cut is not a record (no syntax finding about bytes the error cut).
#[test]
fn a_read_error_inside_a_line_lints_the_whole_lines_only() {
    for cut in [0, 5, 40] {
        let text = format!("{{}}\n{{}}\n{}", &VALID[..cut]);
        let mut records = Vec::new();
        let mut summary = Summary::default();
        let result = lint_json_lines(
            "in.jsonl",
            Box::new(Failing(io::Cursor::new(text.into_bytes()))),
            Options::default(),
            &|_| (),
            &mut summary,
            &mut |event| {
                if let Event::Finding(finding, ()) = event {
                    records.push(finding.record);
                }
                Ok(())
            },
        );
        assert!(matches!(result, Err(LinesError::Read(_))), "{cut}");
        assert!(!records.is_empty());
        assert!(
            records.iter().all(|r| matches!(r, Some(1 | 2))),
            "{cut}: {records:?}"
        );
        assert_eq!(summary.records, 2);
    }
}
