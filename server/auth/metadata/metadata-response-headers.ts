// Headers of the public discovery documents. Browser-based MCP clients (MCP Inspector, web IDEs) read
// them cross-origin, and they hold nothing private, so any origin may; no credentials are involved.
// A short public cache keeps discovery cheap without delaying a configuration change for long.

export const METADATA_RESPONSE_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Cache-Control": "public, max-age=300",
} as const;

/** The answer to a CORS preflight (clients send MCP-Protocol-Version, which needs one). */
export const METADATA_PREFLIGHT_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
  "Access-Control-Allow-Headers": "*",
  "Access-Control-Max-Age": "86400",
} as const;
