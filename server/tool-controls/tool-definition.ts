import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "../protocol/canonical-json";
import { isRecord } from "../protocol/is-record";

// What of a tool Tumiki pins (issue "pinned tool definitions"): everything a model reads or relies on
// when it chooses and calls the tool. A change to any of it after the owner trusted the tool is what the
// MCP security guidance calls a rug pull; the digest is how Tumiki notices one. `_meta`, icons and
// other presentation fields are left out: a change there does not change what the tool tells a model.

export const ZToolDefinition = z.object({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: z.unknown().optional(),
  outputSchema: z.unknown().optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});
export type TToolDefinition = z.infer<typeof ZToolDefinition>;

/** A title or description that is not text (a broken or hostile server's) is pinned as its JSON. */
const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** The pinned fields of a tool as a backend listed it; null when the item is no tool (no string name). */
export function toToolDefinition(item: Record<string, unknown>): TToolDefinition | null {
  if (typeof item.name !== "string" || item.name === "") return null;
  return {
    name: item.name,
    ...(item.title !== undefined ? { title: asText(item.title) } : {}),
    ...(item.description !== undefined ? { description: asText(item.description) } : {}),
    ...(item.inputSchema !== undefined ? { inputSchema: item.inputSchema } : {}),
    ...(item.outputSchema !== undefined ? { outputSchema: item.outputSchema } : {}),
    ...(isRecord(item.annotations) ? { annotations: item.annotations } : {}),
  };
}

/** SHA-256 over the canonical JSON of the pinned fields: key order and whitespace do not count. */
export function digestToolDefinition(definition: TToolDefinition): string {
  return createHash("sha256").update(canonicalJson(definition)).digest("base64url");
}

/** The MCP tool annotations (hints, never guarantees) Tumiki's rules read. */
export const isReadOnlyTool = (definition: TToolDefinition) => definition.annotations?.readOnlyHint === true;
export const isDestructiveTool = (definition: TToolDefinition) =>
  definition.annotations?.destructiveHint === true;
