// The value encoding of 2026-07-28's mirrored headers (`Mcp-Name`, `Mcp-Param-{Name}`; streamable-http.mdx
// "Value Encoding"): a value that is not plain visible ASCII (or that has edge whitespace, or looks like
// the sentinel itself) travels as `=?base64?<base64 of its UTF-8>?=`. Tumiki decodes what clients send
// to compare it with the body, and encodes the names it sends backends (a backend's own tool name or
// resource URI, which may need it even when the client's aggregated name did not).

const SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;
const PLAIN = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
const isSentinelShaped = (value: string) => value.startsWith("=?base64?") && value.endsWith("?=");

/** The value a header carries, decoded; null when it is malformed (invalid characters, bad base64). */
export function decodeHeaderValue(raw: string): string | null {
  // RFC 9110 §5.5: optional whitespace around a field value is not part of it.
  const value = raw.trim();
  const encoded = SENTINEL.exec(value);
  if (!encoded && isSentinelShaped(value)) return null;
  if (encoded) {
    const bytes = Buffer.from(encoded[1] ?? "", "base64");
    if (bytes.toString("base64") !== encoded[1]) return null;
    const decoded = new TextDecoder("utf-8", { fatal: true });
    try {
      return decoded.decode(bytes);
    } catch {
      return null;
    }
  }
  return value === "" || PLAIN.test(value) ? value : null;
}

/** A header value for `value`: as it is when that is safe, else in the base64 sentinel form. */
export function encodeHeaderValue(value: string): string {
  if (PLAIN.test(value) && !isSentinelShaped(value)) return value;
  return `=?base64?${Buffer.from(value, "utf8").toString("base64")}?=`;
}
