// The package's entry point: the precompiled validators (ajv standalone code generated from
// the schemas, in ./generated) as type guards, and their errors as JSON pointers.

import * as generated from "./generated/validators.js";

/** Ajv's error objects -> `{ pointer, keyword, message }`, the member named where ajv names it. */
function problems(errors) {
  return (errors ?? []).map((error) => {
    const member = error.params?.additionalProperty;
    const escaped = member === undefined ? "" : `/${member.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    let message = error.message ?? error.keyword;
    if (error.keyword === "required") message = `missing required member '${error.params.missingProperty}'`;
    if (member !== undefined) message = `unknown member '${member}'`;
    if (error.keyword === "false schema") message = `forbidden member '${error.instancePath.split("/").at(-1)}'`;
    return { pointer: `${error.instancePath}${escaped}`, keyword: error.keyword, message };
  });
}

function guard(validate) {
  const check = (value) => validate(value);
  const explain = (value) => (validate(value) ? [] : problems(validate.errors));
  return [check, explain];
}

export const [validateSendRequest, checkSendRequest] = guard(generated.validateSendRequest);
export const [validateSuccessResponse, checkSuccessResponse] = guard(generated.validateSuccessResponse);
export const [validateErrorResponse, checkErrorResponse] = guard(generated.validateErrorResponse);
