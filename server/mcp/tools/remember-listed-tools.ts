import { createHash } from "node:crypto";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";
import type { TMcpRequestContext } from "../mcp-request-context";
import { fingerprintListedTools } from "./fingerprint-listed-tools";

// What Tumiki showed a client of each server's tools in its latest tools/list, so that a server's
// tools/list_changed reaches the client only when what it would see now differs
// (has-tool-list-changed-for-client.ts): a change to a tool hidden from it is none of its business.
// A client is its 2025 session, or a 2026-07-28 client's principal (instance and credential's client,
// client-principal.ts), each with the token's scopes: two tokens of one client that see different
// tools never share a memory. Kept in Redis (any app process serves the next request) for a day;
// bookkeeping only: a failure is logged and the list answered all the same.

export const LISTED_TOOLS_TTL_MS = 24 * 60 * 60 * 1000;

type TClientOf = Pick<TMcpRequestContext, "auth" | "client">;

/** The Redis key of what this client was last shown of one server's tools. */
export function listedToolsKey(ctx: TClientOf, mcpServerId: string): string {
  const who =
    ctx.client.era === "legacy" ? `session\n${ctx.client.handle.key}` : `principal\n${ctx.client.principal}`;
  const scopes = [...new Set(ctx.auth.scopes)].sort().join(" ");
  const client = createHash("sha256").update(`${ctx.auth.userId}\n${who}\n${scopes}`).digest("base64url");
  return `mcp_listed_tools:${client}:${mcpServerId}`;
}

/**
 * What is remembered of one listing: the fingerprint of what the client was shown and of everything the
 * server listed (before the rules), as `<visible>.<served>` (base64url has no dot).
 */
export type TListedToolsView = { visible: string; served: string };

export const formatListedToolsView = (view: TListedToolsView) => `${view.visible}.${view.served}`;

export function parseListedToolsView(text: string | null | undefined): TListedToolsView | null {
  const [visible, served, ...rest] = (text ?? "").split(".");
  return visible && served && rest.length === 0 ? { visible, served } : null;
}

/**
 * Remembers the server's tools the client was just shown (its own names, as the server listed them)
 * and everything the server listed; null forgets them, for a server left out of the list (the client
 * saw none of its tools).
 */
export async function rememberListedTools({
  ctx,
  mcpServerId,
  listed,
}: {
  ctx: TClientOf;
  mcpServerId: string;
  listed: { visible: readonly Record<string, unknown>[]; served: readonly Record<string, unknown>[] } | null;
}): Promise<void> {
  const key = listedToolsKey(ctx, mcpServerId);
  try {
    if (listed === null) await getRedis().del(key);
    else {
      const view = {
        visible: fingerprintListedTools(listed.visible),
        served: fingerprintListedTools(listed.served),
      };
      await getRedis().set(key, formatListedToolsView(view), { px: LISTED_TOOLS_TTL_MS });
    }
  } catch (error) {
    getLogger().warn({ err: error }, "remembering the tools a client was shown failed");
  }
}
