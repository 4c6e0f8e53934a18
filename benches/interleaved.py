#!/usr/bin/env python3
"""Wall-clock ratio of two commands, measured in alternation.

    benches/interleaved.py [--runs N] [--warmup N] BASELINE CANDIDATE

Runs BASELINE and CANDIDATE (each a command line, split like a shell would, run without a
shell, output discarded) one after the other, N rounds, and prints the median of the per-round
ratios time(BASELINE) / time(CANDIDATE) with its quartiles: above 1, the candidate is faster.

On a shared two-core machine the speed of the whole machine drifts between runs; hyperfine
times all runs of one command, then all runs of the next, so such a drift lands on one side
only. Alternating puts both commands of a round in the same conditions, as the in-process
benches do (`benches/common/mod.rs`, `interleaved`).
"""

import argparse
import shlex
import statistics
import subprocess
import time


def timed(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("baseline")
    parser.add_argument("candidate")
    args = parser.parse_args()
    baseline, candidate = shlex.split(args.baseline), shlex.split(args.candidate)
    for _ in range(args.warmup):
        timed(baseline)
        timed(candidate)
    ratios, base_times, cand_times = [], [], []
    for round_ in range(args.runs):
        # Alternate which goes first, so that neither always runs on a warmer cache.
        if round_ % 2:
            c, b = timed(candidate), timed(baseline)
        else:
            b, c = timed(baseline), timed(candidate)
        ratios.append(b / c)
        base_times.append(b)
        cand_times.append(c)
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    print(
        f"baseline {statistics.median(base_times) * 1000:.1f} ms, "
        f"candidate {statistics.median(cand_times) * 1000:.1f} ms (medians); "
        f"baseline / candidate = {median:.2f}x (median of {args.runs} alternating rounds; "
        f"quartiles {q1:.2f}..{q3:.2f})"
    )


if __name__ == "__main__":
    main()
