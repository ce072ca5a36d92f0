import packageJson from "@/package.json";

/** Tumiki as an MCP server names itself: `initialize` results (2025) and every result's `_meta` (2026-07-28). */
export const TUMIKI_SERVER_INFO = { name: "tumiki", title: "Tumiki", version: packageJson.version };
