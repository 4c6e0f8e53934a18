#!/usr/bin/env bash
# Instructions per call of linting a ~500-byte record and a 4 KB document, valid and with one
# error of each kind, and of a bare typed parse, counted by callgrind (needs valgrind). See
# benches/instructions.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cargo bench --profile release --bench instructions --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("target", {}).get("name") == "instructions" and m.get("executable"): print(m["executable"])')
out=$(mktemp -d)
count() {
    MODE=$1 N=$2 valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" >/dev/null 2>&1
    sed -n 's/^summary: //p' "$out/cg"
}
for base in record document; do
    valid=0
    for error in valid bare phone too_long syntax unknown constant missing type; do
        per=$(( ($(count "$base-$error" 1000) - $(count "$base-$error" 0)) / 1000 ))
        [[ $error == valid ]] && valid=$per
        printf '%-18s %8d instructions/call  %5.2fx valid\n' "$base-$error" "$per" \
            "$(python3 -c "print($per / $valid)")"
    done
done
