//! Shared by the benchmarks: every benchmark also records its own time per iteration, so each
//! bench binary can print the ratio to its baseline measured in the same run (the mean over
//! every timed iteration of the run, warm-up included).
//!
//! Criterion measures one routine after the other, so a load that comes or goes between them
//! (a build on the other core) skews that ratio; [`interleaved`] measures the pair in
//! alternation and gives the median of the per-round ratios, which such a load hardly moves.

// Each bench binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};

/// The binary's allocator, so that what is measured is what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Makes this thread one of rayon's pool, as the binary does (`src/run.rs`), so that what is
/// measured is what ships: the thread that reads and writes lints while it waits. Call it
/// first, before anything runs on the pool.
pub fn pool_as_the_binary() {
    rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global()
        .expect("called first, before the pool is built");
}

/// Total time and iterations of every benchmark run so far, by `group/name`.
static TIMES: Mutex<BTreeMap<String, (Duration, u64)>> = Mutex::new(BTreeMap::new());

/// A criterion group whose benchmarks record their times for [`ratio`].
pub struct Group<'a> {
    inner: BenchmarkGroup<'a, WallTime>,
    name: String,
}

/// Starts a group named `name` for inputs of `bytes` bytes.
pub fn group<'a>(c: &'a mut Criterion, name: &str, bytes: usize) -> Group<'a> {
    let mut inner = c.benchmark_group(name);
    inner
        .throughput(Throughput::Bytes(bytes as u64))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    Group {
        inner,
        name: name.to_owned(),
    }
}

impl Group<'_> {
    /// Benchmarks `routine` as `name`, recording its time.
    pub fn bench<O>(&mut self, name: &str, mut routine: impl FnMut() -> O) {
        let key = format!("{}/{name}", self.name);
        self.inner.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(routine());
                }
                let elapsed = start.elapsed();
                let mut times = TIMES.lock().unwrap_or_else(|e| e.into_inner());
                let entry = times.entry(key.clone()).or_default();
                entry.0 += elapsed;
                entry.1 += iters;
                elapsed
            })
        });
    }

    /// Ends the group.
    pub fn finish(self) {
        self.inner.finish();
    }
}

/// Mean nanoseconds per iteration of `key` (`group/name`) in this run, if it ran enough to
/// tell (`--test` runs each routine once).
pub fn mean_ns(key: &str) -> Option<f64> {
    let times = TIMES.lock().unwrap_or_else(|e| e.into_inner());
    let (total, iters) = times.get(key)?;
    (*iters >= 100).then(|| total.as_nanos() as f64 / *iters as f64)
}

/// Prints `key / baseline`, the ratio of their mean times in this run, beside a target.
pub fn ratio(key: &str, baseline: &str, target: &str) {
    match (mean_ns(key), mean_ns(baseline)) {
        (Some(a), Some(b)) => println!(
            "ratio {key} / {baseline} = {:.2}x ({a:.0} ns / {b:.0} ns; target {target})",
            a / b
        ),
        _ => println!("ratio {key} / {baseline}: not measured in this run"),
    }
}

/// Whether this run measures every benchmark: not `--test` (as `cargo test --benches` runs),
/// `--list` or `--profile-time`.
pub fn measuring() -> bool {
    !std::env::args().any(|arg| ["--test", "--list", "--profile-time"].contains(&arg.as_str()))
}

/// Times `routine` and its `baseline` in alternating rounds (about `seconds` in all) and
/// returns the median of the per-round ratios of their times, described for printing.
pub fn interleaved<A, B>(
    label: &str,
    mut routine: impl FnMut() -> A,
    mut baseline: impl FnMut() -> B,
    target: &str,
) -> String {
    const ROUNDS: usize = 201;
    // Size a round at about 5 ms of the baseline.
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < Duration::from_millis(50) {
        black_box(baseline());
        calls += 1;
    }
    let per_round = (calls / 10).max(1);
    let mut ratios = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let a = time(per_round, &mut routine);
        let b = time(per_round, &mut baseline);
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    format!(
        "interleaved {label} = {:.2}x (median of {ROUNDS} rounds of {per_round} calls each; quartiles {:.2}..{:.2}; target {target})",
        ratios[ROUNDS / 2],
        ratios[ROUNDS / 4],
        ratios[3 * ROUNDS / 4],
    )
}

fn time<O>(calls: u64, routine: &mut impl FnMut() -> O) -> Duration {
    let start = Instant::now();
    for _ in 0..calls {
        black_box(routine());
    }
    start.elapsed()
}
