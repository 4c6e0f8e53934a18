// The TypeScript half of `cargo xtask codegen`, run by it as `node generate.mjs JOB.json`.
// Deliberately thin: xtask prepares the inputs (schema copies with the documented
// adaptations, see xtask/src/codegen/adapt.rs) and post-processes the outputs.
//
// JOB.json: {
//   "types": [{"schema": PATH, "out": PATH}],            json-schema-to-typescript, one file each
//   "validators": {"schemas": [PATH], "exports": {NAME: SCHEMA_ID}, "out": PATH}
// }                                                        ajv standalone code (ES module)

import { readFileSync, writeFileSync } from "node:fs";

import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { compile } from "json-schema-to-typescript";

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const read = (path) => JSON.parse(readFileSync(path, "utf8"));

for (const { schema, out } of job.types) {
  const types = await compile(read(schema), "", {
    bannerComment: "",
    format: true,
    unreachableDefinitions: false,
    strictIndexSignatures: true,
  });
  writeFileSync(out, types);
}

// strict: unknown keywords and ignored keywords are errors, so the schemas are checked too.
const ajv = new Ajv2020({ allErrors: true, strict: true, code: { source: true, esm: true, lines: true } });
for (const schema of job.validators.schemas) ajv.addSchema(read(schema));
writeFileSync(job.validators.out, standaloneCode(ajv, job.validators.exports));
