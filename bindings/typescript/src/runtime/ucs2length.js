// The length of a string in Unicode code points (a surrogate pair counts once), as JSON
// Schema's `maxLength` and the Rust validator count. The same function as ajv's runtime
// helper `ajv/dist/runtime/ucs2length` (MIT), which the generated validators import from here
// (see xtask/src/codegen/adapt.rs), so the package has no dependency.
export default function ucs2length(text) {
  const units = text.length;
  let length = 0;
  let at = 0;
  while (at < units) {
    length++;
    const unit = text.charCodeAt(at++);
    if (unit >= 0xd800 && unit <= 0xdbff && at < units && (text.charCodeAt(at) & 0xfc00) === 0xdc00) {
      at++;
    }
  }
  return length;
}
