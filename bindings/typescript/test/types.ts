// `tsc --strict` type tests: good payloads compile; a wrong constant, a header, a typo, a
// missing member and a null do not (each `@ts-expect-error` fails the build if it compiles).

import type { ExtraInfo, SendRequest } from "kaleyra-wa";
import { validateSendRequest } from "kaleyra-wa";

const messaging_object: SendRequest["messaging_object"] = {
  messaging_product: "whatsapp",
  to: "919876543210",
  type: "interactive",
  interactive: {
    type: "product",
    body: { text: "Your order has been shipped." },
    action: { catalog_id: "103449", product_retailer_id: "17026" },
  },
};
export const request: SendRequest = { messaging_object, extra_info: { wa_source: "shopify" } };

// The open wa_source: any string, with the documented ones still distinct literal types (an
// editor offers them). `Exclude`, not `NonNullable`: `T & {}` would collapse the union to string.
type WaSource = Exclude<ExtraInfo["wa_source"], undefined>;
export const custom: ExtraInfo = { wa_source: "my-crm" };
export const documented: Extract<WaSource, "shopify"> = "shopify";
// @ts-expect-error "my-crm" is accepted as a string but is not one of the documented literals
export const undocumented: Extract<WaSource, "my-crm"> = "my-crm";

// @ts-expect-error messaging_product is the constant "whatsapp"
export const wrongConstant: SendRequest = { messaging_object: { ...messaging_object, messaging_product: "sms" } };
export const header: SendRequest = {
  // @ts-expect-error a single-product message has no header
  messaging_object: { ...messaging_object, interactive: { ...messaging_object.interactive, header: { type: "text", text: "Hi" } } },
};
export const typo: SendRequest = {
  messaging_object: {
    ...messaging_object,
    // @ts-expect-error catalogue_id is a typo of catalog_id
    interactive: { ...messaging_object.interactive, action: { catalogue_id: "1", product_retailer_id: "2" } },
  },
};
// @ts-expect-error interactive is mandatory
export const missing: SendRequest = { messaging_object: { messaging_product: "whatsapp", to: "919876543210", type: "interactive" } };
// @ts-expect-error an optional member is absent, not null
export const nullFooter: SendRequest = { messaging_object: { ...messaging_object, interactive: { ...messaging_object.interactive, footer: null } } };

// The validator is a type guard.
export function recipients(value: unknown): string[] {
  return validateSendRequest(value) ? value.messaging_object.to.split(",") : [];
}
