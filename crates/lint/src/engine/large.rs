//! Large documents are checked one at a time, on one thread of their own.
//!
//! Checking a document takes memory of up to about 150 times its size (a tree of its values
//! and an index of their places; a document of tiny objects is the worst). Checked one at a
//! time, large documents cost that once, not once per core. On one thread, each reuses the
//! memory the one before freed: the allocator keeps what a thread frees for that thread a
//! while, and two threads taking turns would hold twice as much (README, Robustness).

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread;

use crate::check::DocFinding;

/// Documents larger than this are large: twice a large request (about 8 KB), so that real
/// requests are checked on every core, and a smaller document takes little memory however
/// many are checked at once.
pub(super) const LARGE: usize = 16 << 10;

/// A check to run.
pub(super) type Check = fn(&[u8]) -> Vec<DocFinding>;

/// What a check gave: its findings, or its panic.
type Checked = thread::Result<Vec<DocFinding>>;

/// A large document's check, sent to the thread that runs them, and where to answer.
struct Job {
    bytes: Vec<u8>,
    check: Check,
    answer: mpsc::Sender<Checked>,
}

/// Runs `check` on `bytes`, a large document's, on the large documents' thread, and waits
/// for it; the calling thread does it itself, one large document at a time, when that
/// thread cannot be started. A panic in the check is caught and returned.
pub(super) fn check_large(bytes: &[u8], check: Check) -> Checked {
    if let Some(jobs) = worker() {
        let (answer, answered) = mpsc::channel();
        let job = Job {
            bytes: bytes.to_vec(),
            check,
            answer,
        };
        if jobs.send(job).is_ok()
            && let Ok(checked) = answered.recv()
        {
            return checked;
        }
    }
    // No thread for them: here, still one at a time. A panic is caught inside, with the
    // lock held, so the lock is never poisoned (and it guards no data if it were).
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    panic::catch_unwind(AssertUnwindSafe(|| check(bytes)))
}

/// Where to send large documents' checks: the thread that runs them, started on first use;
/// `None` if it could not be started.
fn worker() -> Option<&'static mpsc::Sender<Job>> {
    static WORKER: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    WORKER
        .get_or_init(|| {
            let (jobs, received) = mpsc::channel::<Job>();
            thread::Builder::new()
                .name("kaleyra-wa-lint-large".into())
                .spawn(move || {
                    for job in received {
                        let checked =
                            panic::catch_unwind(AssertUnwindSafe(|| (job.check)(&job.bytes)));
                        // The document's memory is freed before the next one is checked.
                        drop(job.bytes);
                        // The caller waits for the answer; if it is gone, so is the need.
                        let _ = job.answer.send(checked);
                    }
                })
                .ok()
                .map(|_| jobs)
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    use kaleyra_wa::Rule;

    fn thread_name(_: &[u8]) -> Vec<DocFinding> {
        let name = thread::current().name().unwrap_or_default().to_owned();
        vec![DocFinding {
            rule: Rule::Internal,
            pointer: String::new(),
            message: name,
            help: None,
            span: 0..0,
            related: None,
            unlisted: 0,
        }]
    }

    /// Large documents from any number of threads are checked on one, the same for all.
    #[test]
    fn large_documents_are_checked_on_one_thread_of_their_own() {
        let bytes = vec![b' '; LARGE + 1];
        let names: Vec<String> = thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| check_large(&bytes, thread_name)))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap().unwrap()[0].message.clone())
                .collect()
        });
        assert_eq!(names, vec!["kaleyra-wa-lint-large"; 4]);
    }

    /// A panic in a large document's check is returned to its caller, and the thread goes on
    /// checking the next ones.
    #[test]
    fn a_panic_in_a_large_check_is_returned_and_the_next_ones_are_checked() {
        let bytes = vec![b' '; LARGE + 1];
        let panics: Check = |_| panic!("a bug");
        assert!(check_large(&bytes, panics).is_err());
        let names = check_large(&bytes, thread_name).unwrap();
        assert_eq!(names[0].message, "kaleyra-wa-lint-large");
    }
}
