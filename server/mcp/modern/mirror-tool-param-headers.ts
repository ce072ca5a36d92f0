import { randomUUID } from "node:crypto";
import { isRecord } from "../../protocol/is-record";
import { MCP_PARAM_HEADER_PREFIX } from "../../protocol/mcp-protocol";
import type { TBackendChannel } from "../backend-channel";
import { readBackendResponse } from "../read-backend-response";
import { sendOnChannel } from "../send-on-channel";
import { encodeHeaderValue } from "./header-value-codec";

// The `Mcp-Param-{Name}` headers a 2026-07-28 client mirrors from a tool's arguments when the tool's
// input schema marks a property with `x-mcp-header` (streamable-http.mdx "Custom Headers from Tool
// Parameters"). A 2025 client knows nothing of them, so when Tumiki calls a 2026-07-28 backend for one
// it finds the tool's schema (tools/list) and mirrors them itself, as the client would have. Only
// properties reached by a chain of `properties` keys count; values are strings, integers and booleans.

const MAX_PAGES = 20;

function annotatedPaths(schema: unknown, path: string[] = []): { name: string; path: string[] }[] {
  if (!isRecord(schema) || !isRecord(schema.properties)) return [];
  return Object.entries(schema.properties).flatMap(([key, property]) => {
    if (!isRecord(property)) return [];
    const here = [...path, key];
    const own =
      typeof property["x-mcp-header"] === "string" ? [{ name: property["x-mcp-header"], path: here }] : [];
    return [...own, ...annotatedPaths(property, here)];
  });
}

function headerValue(value: unknown): string | null {
  if (typeof value === "string") return encodeHeaderValue(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

async function findToolSchema(channel: TBackendChannel, name: string, signal?: AbortSignal) {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const id = `tumiki-list-${randomUUID()}`;
    const sent = await sendOnChannel({
      channel,
      message: { jsonrpc: "2.0", id, method: "tools/list", params: cursor ? { cursor } : {} },
      signal,
    });
    const response = await readBackendResponse({
      channel: sent.channel,
      reply: sent.reply,
      requestId: id,
      signal,
    });
    if (!("result" in response) || !Array.isArray(response.result.tools)) return null;
    const tool = response.result.tools.find((item) => isRecord(item) && item.name === name);
    if (isRecord(tool)) return tool.inputSchema;
    const next = response.result.nextCursor;
    if (typeof next !== "string" || next === "" || next === cursor) return null;
    cursor = next;
  }
  return null;
}

export async function mirrorToolParamHeaders({
  channel,
  name,
  args,
  signal,
}: {
  channel: TBackendChannel;
  name: string;
  args: Record<string, unknown>;
  signal?: AbortSignal;
}): Promise<Record<string, string>> {
  const schema = await findToolSchema(channel, name, signal);
  const headers: Record<string, string> = {};
  for (const { name: header, path } of annotatedPaths(schema)) {
    let value: unknown = args;
    for (const key of path) value = isRecord(value) ? value[key] : undefined;
    const encoded = headerValue(value);
    if (encoded !== null) headers[`${MCP_PARAM_HEADER_PREFIX}${header.toLowerCase()}`] = encoded;
  }
  return headers;
}
