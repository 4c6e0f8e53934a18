// What the package promises beyond verdicts: problems with JSON pointers, responses, no
// run-time schema compilation.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";

import {
  checkErrorResponse,
  checkSendRequest,
  validateErrorResponse,
  validateSendRequest,
  validateSuccessResponse,
} from "kaleyra-wa";

import { fixtures } from "./helpers.mjs";

const sample = JSON.parse(readFileSync(join(fixtures, "valid", "documented-sample.json"), "utf8"));
const withMember = (path, value) => {
  const payload = structuredClone(sample);
  let target = payload;
  for (const member of path.slice(0, -1)) target = target[member];
  target[path.at(-1)] = value;
  return payload;
};

test("problems name the member, by JSON pointer", () => {
  assert.deepEqual(checkSendRequest(sample), []);
  const typo = withMember(["messaging_object", "interactive", "action", "catalogue_id"], "1");
  assert.deepEqual(checkSendRequest(typo).map((p) => p.pointer), ["/messaging_object/interactive/action/catalogue_id"]);
  const header = withMember(["messaging_object", "interactive", "header"], { type: "text", text: "Hi" });
  assert.deepEqual(checkSendRequest(header).map((p) => [p.pointer, p.message]), [
    ["/messaging_object/interactive/header", "forbidden member 'header'"],
  ]);
  assert.deepEqual(checkSendRequest(typo).map((p) => p.message), ["unknown member 'catalogue_id'"]);
  const missing = structuredClone(sample);
  delete missing.messaging_object.to;
  const [problem] = checkSendRequest(missing);
  assert.equal(problem.pointer, "/messaging_object");
  assert.match(problem.message, /'to'/);
});

test("null is rejected where a member is optional", () => {
  assert.equal(validateSendRequest(withMember(["messaging_object", "interactive", "footer"], null)), false);
  assert.equal(validateSendRequest(withMember(["extra_info", "wa_source"], null)), false);
});

test("lengths are code points, not UTF-16 units", () => {
  const body = ["messaging_object", "interactive", "body", "text"];
  assert.equal(validateSendRequest(withMember(body, "👍🏽".repeat(512))), true); // 2048 UTF-16 units
  assert.equal(validateSendRequest(withMember(body, "😀".repeat(1025))), false);
});

test("to: no final newline; wa_source: any string", () => {
  assert.equal(validateSendRequest(withMember(["messaging_object", "to"], "919876543210\n")), false);
  assert.equal(validateSendRequest(withMember(["extra_info", "wa_source"], "my-crm")), true);
});

test("the response samples are valid", () => {
  const read = (name) => JSON.parse(readFileSync(join(fixtures, "responses", name), "utf8"));
  assert.equal(validateSuccessResponse(read("wa202-success.json")), true);
  for (const name of ["e110.json", "rbc001.json", "wa-401-account.json", "wa-401-version.json", "wa400.json"]) {
    assert.equal(validateErrorResponse(read(name)), true, name);
  }
  assert.deepEqual(checkErrorResponse({ code: "E110" }).map((p) => p.message), ["missing required member 'message'"]);
});

test("the installed package has no dependency and does not load ajv", () => {
  const require = createRequire(import.meta.url);
  const manifest = require("kaleyra-wa/package.json");
  assert.equal(manifest.dependencies, undefined);
  assert.throws(() => require.resolve("ajv"), /Cannot find module/);
});
