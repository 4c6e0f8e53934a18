// The fixture corpus: every file gets the Rust verdict, the documented exceptions aside.

import assert from "node:assert/strict";
import { test } from "node:test";

import { checkSendRequest, validateSendRequest } from "kaleyra-wa";

import { corpus, manifest, parse } from "./helpers.mjs";

// The documented differences (README.md), which no validator behind JSON.parse can see:
// JSON.parse keeps the last of duplicate keys and accepts lone surrogate escapes; the Rust
// parser rejects both.
const DUPLICATE_KEYS = ["invalid/duplicate-catalog-id.json", "invalid/duplicate-to.json"];
const LONE_SURROGATES = ["invalid/syntax-lone-surrogate.json"];
const EXCEPTED = new Set([...DUPLICATE_KEYS, ...LONE_SURROGATES]);

const files = corpus();

test("the exceptions are exactly the manifest's", () => {
  const accepted = Object.entries(manifest()).filter(([, e]) => e.schema_verdict === "accept").map(([n]) => n);
  assert.deepEqual(accepted.sort(), [...EXCEPTED].sort());
  assert.ok(files.length > 70);
});

for (const { name, bytes, rust } of files) {
  test(`${name}: the Rust verdict`, () => {
    const expected = EXCEPTED.has(name) ? "accept" : rust;
    let verdict;
    try {
      verdict = validateSendRequest(parse(bytes)) ? "accept" : "reject";
    } catch {
      verdict = "reject";
    }
    assert.equal(verdict, expected);
  });
}

for (const { name, bytes, rust } of files) {
  if (rust === "accept" || name.startsWith("invalid/syntax-") || EXCEPTED.has(name)) continue;
  test(`${name}: rejected at the Rust pointer`, () => {
    const pointers = checkSendRequest(parse(bytes)).map((p) => p.pointer);
    assert.ok(pointers.includes(manifest()[name].pointer), `${manifest()[name].pointer} not in ${pointers}`);
  });
}
