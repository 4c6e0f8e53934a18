// Shared test data: the repository's fixture corpus and the generated agreement cases. The
// tests run against the installed package, from a folder outside the repository, so the
// repository is named by KALEYRA_WA_ROOT (set by `cargo xtask test`).

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = process.env.KALEYRA_WA_ROOT;
if (!root) throw new Error("KALEYRA_WA_ROOT is not set: run these tests with `cargo xtask test`");
export const fixtures = join(root, "tests", "fixtures");

/** `{ name, bytes, rust }` for every fixture, `rust` "accept" or "reject". */
export function corpus() {
  const files = [];
  for (const kind of ["valid", "invalid"]) {
    for (const file of readdirSync(join(fixtures, kind)).filter((f) => f.endsWith(".json")).sort()) {
      const rust = kind === "valid" ? "accept" : "reject";
      files.push({ name: `${kind}/${file}`, bytes: readFileSync(join(fixtures, kind, file)), rust });
    }
  }
  return files;
}

export const manifest = () => JSON.parse(readFileSync(join(fixtures, "expected.json"), "utf8"));

/** The cases of `cargo xtask agreement-cases`; throws when they are missing. */
export function agreementCases() {
  const path = process.env.KALEYRA_WA_AGREEMENT_CASES ?? join(root, "target", "agreement", "cases.jsonl");
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${path} is missing: run \`cargo xtask agreement-cases\` (${error.message})`);
  }
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** Strict UTF-8, then JSON.parse: how a careful Node service reads a payload. */
export const parse = (bytes) => JSON.parse(decoder.decode(bytes));
