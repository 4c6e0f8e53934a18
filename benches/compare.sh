#!/usr/bin/env bash
# Times kaleyra-wa-lint against JSON Schema CLIs on the benchmark corpus (many small files, a
# large JSON Lines file). Run from anywhere: `benches/compare.sh`. Needs hyperfine (apt-get install hyperfine),
# GNU time (/usr/bin/time), python3; optional: npm (ajv-cli), pip (check-jsonschema).
#
# 1. Builds the release linter and generates the corpus (`cargo xtask bench-corpus`, into
#    target/bench-corpus: 10,000 files of about 4 KB, and a 500 MB JSON Lines file; 90% valid,
#    10% with one error).
# 2. Installs jsonschema-cli (`cargo install jsonschema-cli --locked`) unless it is on PATH.
# 3. Many small files: every tool validates the same files against
#    schemas/send-request.schema.json. jsonschema-cli stops at the first file that is not JSON,
#    so the list is the corpus minus its 1% syntax errors (`parseable.txt`); the linter also
#    runs on the whole directory. jsonschema-cli is single-threaded: it is timed as one process
#    and as two (xargs -P 2), which uses both cores as the linter does. The target's ratio
#    (two jsonschema-cli processes / the linter) is measured in alternation as well.
# 4. Large JSON Lines: wall clock and peak RSS (`/usr/bin/time -v`), in each output format.
#
# Environment: RUNS (hyperfine runs, default 10), SKIP_OTHERS=1 skips ajv-cli and
# check-jsonschema.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-10}
SCHEMA=$ROOT/schemas/send-request.schema.json
CORPUS=$ROOT/target/bench-corpus
LINT=$ROOT/target/release-lto/kaleyra-wa-lint

echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"

echo "== build"
cargo build --profile release-lto --quiet
if [[ ! -f $CORPUS/requests.jsonl ]]; then
    cargo xtask bench-corpus --out "$CORPUS"
fi
if ! command -v jsonschema-cli >/dev/null; then
    cargo install jsonschema-cli --locked
fi
jsonschema-cli --version

cd "$CORPUS"
# The files every JSON Schema CLI can read: not the ones with a syntax error (KWA001).
# (The linter exits with 1: the corpus has errors on purpose.)
{ "$LINT" --format json files || true; } | python3 -c '
import json, os, sys
bad = {f["file"] for f in json.load(sys.stdin)["findings"] if f["code"] == "KWA001"}
names = sorted("files/" + n for n in os.listdir("files"))
print("\n".join(n for n in names if n not in bad))' > parseable.txt
count=$(wc -l < parseable.txt)
half=$(( (count + 1) / 2 ))
echo "== many small files: $count files ($(du -sh files | cut -f1)), $RUNS runs each"

commands=(
    "xargs -a parseable.txt $LINT"
    "xargs -a parseable.txt $LINT --format json"
    "$LINT files"
    "xargs -a parseable.txt jsonschema-cli validate $SCHEMA --errors-only -i"
    "xargs -a parseable.txt -P 2 -n $half jsonschema-cli validate $SCHEMA --errors-only -i"
)
# -i: the tools exit non-zero because 10% of the files are invalid, as they should.
hyperfine -N -i --warmup 2 --runs "$RUNS" --export-markdown "$CORPUS/files.md" "${commands[@]}"

# The target's ratio: two jsonschema-cli processes / the linter, measured in alternation
# (benches/interleaved.py), which a drift of the machine's speed between hyperfine's
# commands does not skew. xargs passes at most 128 KiB of arguments to one command: the
# file list is two sequential linter processes with its defaults, one with `-s`.
two_jsonschema="xargs -a parseable.txt -P 2 -n $half jsonschema-cli validate $SCHEMA --errors-only -i"
for linter in "$LINT files" "xargs -s 2000000 -a parseable.txt $LINT" "xargs -a parseable.txt $LINT"; do
    echo "-- two jsonschema-cli processes / $linter"
    "$ROOT/benches/interleaved.py" --runs "$(( RUNS * 3 ))" "$two_jsonschema" "$linter"
done

others=()
if [[ ${SKIP_OTHERS:-0} != 1 ]]; then
    # ajv-cli (Node.js): installed locally under target/, skipped when npm fails.
    AJV=$ROOT/target/compare-tools/node_modules/.bin/ajv
    if [[ ! -x $AJV ]]; then
        npm install --silent --prefix "$ROOT/target/compare-tools" ajv-cli >/dev/null 2>&1 || true
    fi
    if [[ -x $AJV ]]; then
        # ajv-cli takes a glob; it also stops at a file that is not JSON, so the list goes
        # through xargs, in batches of 1,000 files, each with its own -d.
        others+=("xargs -a parseable.txt -n 1000 sh -c '$AJV validate --spec=draft2020 --all-errors --errors=line -s $SCHEMA \$(printf -- \"-d %s \" \"\$@\") >/dev/null 2>&1; exit 0' ajv")
    else
        echo "ajv-cli: skipped (npm install failed)"
    fi
    # check-jsonschema (Python): skipped when pip fails.
    if ! command -v check-jsonschema >/dev/null; then
        pip install --quiet check-jsonschema >/dev/null 2>&1 || true
    fi
    if command -v check-jsonschema >/dev/null; then
        others+=("xargs -a parseable.txt check-jsonschema --schemafile $SCHEMA")
    else
        echo "check-jsonschema: skipped (pip install failed)"
    fi
fi
if (( ${#others[@]} )); then
    # Slower tools: fewer runs, the linter again as the reference in the same run.
    hyperfine -N -i --warmup 1 --runs 3 --export-markdown "$CORPUS/files-others.md" \
        "xargs -a parseable.txt $LINT" "${others[@]}"
fi

echo "== large JSON Lines: $(du -h requests.jsonl | cut -f1), $(wc -l < requests.jsonl) records"
bytes=$(stat -c %s requests.jsonl)
for format in human json sarif github; do
    /usr/bin/time -v "$LINT" --format "$format" requests.jsonl >/dev/null 2>"$CORPUS/time-$format.txt" || true
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$CORPUS/time-$format.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$CORPUS/time-$format.txt")
    cpu=$(sed -n 's/.*Percent of CPU this job got: //p' "$CORPUS/time-$format.txt")
    python3 -c "
import sys
wall = sum(float(p) * 60 ** i for i, p in enumerate(reversed('$wall'.split(':'))))
print(f'--format $format: {wall:.2f} s, {$bytes / wall / 1e6:.0f} MB/s, peak RSS {int($rss) / 1024:.1f} MiB, CPU $cpu')"
done
