// Cross-language check (Node): validate the fixture corpus with ajv against the exported
// request schemas (ajv/dist/2020 for 2020-12, the default Ajv class for draft-07), compare each
// verdict with the Rust validator's as recorded by tests/fixtures (valid/ accepts; invalid/
// rejects, except where expected.json says "schema_verdict": "accept"), then prove the schema
// generates usable types: json-schema-to-typescript + tsc --strict on the documented sample.
// Exits 1 on any difference.
//
// A file is read the way a careful Node user reads it: strict UTF-8 (TextDecoder, fatal),
// then JSON.parse; a file that does not parse is a rejection.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import { compile } from "json-schema-to-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const require = createRequire(import.meta.url);
const ajvVersion = require("ajv/package.json").version;
const failures = [];

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const fixtures = join(root, "tests", "fixtures");
const manifest = readJson(join(fixtures, "expected.json"));
const files = [];
for (const kind of ["valid", "invalid"]) {
  for (const file of readdirSync(join(fixtures, kind)).filter((f) => f.endsWith(".json")).sort()) {
    const name = `${kind}/${file}`;
    let expected = "accept";
    if (kind === "invalid") {
      if (!(name in manifest)) throw new Error(`${name} is not in tests/fixtures/expected.json`);
      expected = manifest[name].schema_verdict ?? "reject";
    }
    files.push({ name, bytes: readFileSync(join(fixtures, kind, file)), expected });
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function parse(bytes) {
  return JSON.parse(decoder.decode(bytes));
}

// strict: true turns unknown keywords, ignored keywords and type/keyword mismatches into
// errors, so the schemas are checked as well as the corpus.
const options = { allErrors: true, strict: true };
const validators = [
  ["send-request.schema.json", new Ajv2020(options), "ajv/dist/2020 (2020-12)"],
  ["send-request.draft-07.schema.json", new Ajv(options), "Ajv (draft-07)"],
];
for (const [schemaName, ajv, label] of validators) {
  const schema = readJson(join(root, "schemas", schemaName));
  const validate = ajv.compile(schema);
  for (const example of schema.examples ?? []) {
    if (!validate(example)) failures.push(`${schemaName}: its own example is invalid`);
  }
  let agree = 0;
  for (const { name, bytes, expected } of files) {
    let verdict;
    let detail;
    try {
      const instance = parse(bytes);
      verdict = validate(instance) ? "accept" : "reject";
      detail = (validate.errors ?? [])
        .slice(0, 3)
        .map((e) => `${e.instancePath}: ${e.message}`)
        .join("; ");
    } catch (error) {
      verdict = "reject";
      detail = `parse error: ${error.message}`;
    }
    if (verdict === expected) agree += 1;
    else failures.push(`${schemaName} ${name}: ajv ${verdict}s, expected ${expected} (${detail})`);
  }
  console.log(`ajv ${ajvVersion} ${label} ${schemaName}: ${agree}/${files.length} files agree with the Rust verdicts`);
}
for (const response of ["success-response.schema.json", "error-response.schema.json"]) {
  const schema = readJson(join(root, "schemas", response));
  const validate = new Ajv2020(options).compile(schema);
  if (!schema.examples.every((e) => validate(e))) failures.push(`${response}: its own example is invalid`);
}

// Codegen proof: types from the 2020-12 request schema; the documented sample (valid/) must
// type-check against them, and payloads breaking a constant, adding a header or misspelling a
// member must not.
const dir = mkdtempSync(join(tmpdir(), "kaleyra-wa-ts-"));
try {
  const schema = readJson(join(root, "schemas", "send-request.schema.json"));
  const types = await compile(schema, "SendRequest", { bannerComment: "", additionalProperties: false });
  const typeName = /export interface (\w+)/.exec(types)?.[1];
  if (!typeName) throw new Error(`json-schema-to-typescript produced no interface:\n${types}`);
  writeFileSync(join(dir, "send-request.ts"), types);
  const sample = readFileSync(join(fixtures, "valid", "documented-sample.json"), "utf8");
  writeFileSync(
    join(dir, "main.ts"),
    `import type { ${typeName} } from "./send-request";

export const request: ${typeName} = ${sample.trim()};

const mo = request.messaging_object;
// @ts-expect-error messaging_product is the constant "whatsapp"
export const wrongConstant: ${typeName} = { messaging_object: { ...mo, messaging_product: "sms" } };
// @ts-expect-error a single-product message has no header
export const header: ${typeName} = { messaging_object: { ...mo, interactive: { ...mo.interactive, header: { type: "text", text: "Hi" } } } };
// @ts-expect-error catalogue_id is a typo of catalog_id
export const typo: ${typeName} = { messaging_object: { ...mo, interactive: { ...mo.interactive, action: { catalogue_id: "1", product_retailer_id: "2" } } } };
// @ts-expect-error interactive is mandatory
export const missing: ${typeName} = { messaging_object: { messaging_product: "whatsapp", to: "919876543210", type: "interactive" } };
`,
  );
  const tsc = join(here, "node_modules", "typescript", "bin", "tsc");
  const args = ["--noEmit", "--strict", "--resolveJsonModule", "--module", "nodenext", "--target", "es2022",
    join(dir, "main.ts")];
  try {
    execFileSync(process.execPath, [tsc, ...args], { stdio: "pipe" });
    const tsVersion = require("typescript/package.json").version;
    console.log(`json-schema-to-typescript -> interface ${typeName}; tsc ${tsVersion} --strict: the documented sample type-checks, 4 broken payloads do not`);
  } catch (error) {
    failures.push(`tsc rejects the generated types or the sample:\n${error.stdout}${error.stderr}\n--- send-request.ts\n${types}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

for (const failure of failures) console.error(`DIFFERENCE ${failure}`);
process.exit(failures.length ? 1 : 0);
