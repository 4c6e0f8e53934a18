import type { SendRequest } from "./generated/send-request.js";
import type { SuccessResponse } from "./generated/success-response.js";
import type { ErrorResponse } from "./generated/error-response.js";

export type * from "./generated/send-request.js";
export type { SuccessResponse, SuccessData } from "./generated/success-response.js";
export type { ErrorResponse } from "./generated/error-response.js";

/** One reason a value is rejected. */
export interface Problem {
  /** Where (RFC 6901 JSON pointer): the member, or the object a required member is missing from. */
  pointer: string;
  /** The JSON Schema keyword that failed (`required`, `maxLength`, `const`...). */
  keyword: string;
  /** What is wrong. */
  message: string;
}

/** Whether `value` (parsed JSON) is a request the Rust validator accepts. */
export declare function validateSendRequest(value: unknown): value is SendRequest;
/** Every problem of `value` as a request; empty when it is valid. */
export declare function checkSendRequest(value: unknown): Problem[];
/** Whether `value` (parsed JSON) is a success response. */
export declare function validateSuccessResponse(value: unknown): value is SuccessResponse;
/** Every problem of `value` as a success response; empty when it is valid. */
export declare function checkSuccessResponse(value: unknown): Problem[];
/** Whether `value` (parsed JSON) is an error response. */
export declare function validateErrorResponse(value: unknown): value is ErrorResponse;
/** Every problem of `value` as an error response; empty when it is valid. */
export declare function checkErrorResponse(value: unknown): Problem[];
