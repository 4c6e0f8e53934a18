// CI: validates a SARIF log with the official validator, `sarif-multitool validate` (pinned in
// package-lock.json), with the SARIF and GitHub rule sets, and fails on any error or warning.
// The validator's exit status does not tell (it is 0 with errors), so its own SARIF log is read.
//
// Usage: node check.mjs REPORT.sarif
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const report = process.argv[2];
if (!report) {
  console.error("usage: node check.mjs REPORT.sarif");
  process.exit(2);
}
// The package's main module names the binary for this platform (it ships its own).
const tool = createRequire(import.meta.url)("@microsoft/sarif-multitool");
const log = join(mkdtempSync(join(tmpdir(), "sarif-check-")), "validation.sarif");
const run = spawnSync(
  tool,
  ["validate", "--rule-kind", "Sarif;Gh", "--level", "Error;Warning;Note", "--output", log, resolve(report)],
  { encoding: "utf8" },
);
if (run.error || !existsSync(log)) {
  process.stdout.write(run.stdout ?? "");
  process.stderr.write(run.stderr ?? "");
  console.error(`sarif-multitool did not run: ${run.error ?? `status ${run.status}, no log`}`);
  process.exit(1);
}
const validation = JSON.parse(readFileSync(log, "utf8"));
const results = validation.runs.flatMap((r) => r.results ?? []);
const executed = validation.runs.every((r) => (r.invocations ?? []).every((i) => i.executionSuccessful));
const failing = results.filter((r) => r.level === "error" || r.level === "warning");
const notes = {};
for (const r of results) if (r.level === "note") notes[r.ruleId] = (notes[r.ruleId] ?? 0) + 1;
console.log(`sarif-multitool: ${failing.length} errors or warnings on ${report}; notes: ${JSON.stringify(notes)}`);
if (!executed || failing.length > 0) {
  for (const r of failing) console.error(`${r.level} ${r.ruleId}: ${JSON.stringify(r.message)}`);
  process.exit(1);
}
