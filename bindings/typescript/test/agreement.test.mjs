// Thousands of generated payloads (`cargo xtask agreement-cases`): the Rust verdict on each.

import assert from "node:assert/strict";
import { test } from "node:test";

import { validateSendRequest } from "kaleyra-wa";

import { agreementCases } from "./helpers.mjs";

test("every generated case gets the Rust verdict", () => {
  const cases = agreementCases();
  assert.ok(cases.length >= 3000, `${cases.length} cases`);
  const differences = cases
    .filter(({ payload, valid }) => validateSendRequest(payload) !== valid)
    .map(({ kind, payload, valid }) => `${kind}: rust ${valid}: ${JSON.stringify(payload).slice(0, 300)}`);
  assert.deepEqual(differences.slice(0, 10), [], `${differences.length} differences`);
  assert.deepEqual(new Set(cases.map((c) => c.valid)), new Set([true, false]));
});
