import { randomUUID } from "node:crypto";
import { ReAuthRequiredError } from "../backends/re-auth-required-error";
import { getEnv } from "../env";
import { getLogger } from "../logger";
import { isRecord } from "../protocol/is-record";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { readBackendDiscover } from "./backend-discover-store";
import { BackendUnavailableError } from "./backend-unavailable-error";
import type { TInstanceBackend } from "./get-instance-backends";
import { describeLeftOutServer, type TLeftOutServer } from "./left-out-servers";
import { backendsInScope, type TMcpRequestContext } from "./mcp-request-context";
import { readBackendResponse } from "./read-backend-response";
import { resolveBackendChannel } from "./resolve-backend-channel";
import { sendOnChannel } from "./send-on-channel";

// One merged list (tools, prompts, resources, resource templates) over the servers the token's scopes
// cover, asked in parallel, concatenated in slug order, every page of each server read (a client of an
// aggregate cannot page through several servers with one cursor). A server that fails, is too slow,
// needs reconnecting or is down (then skipped at once) is left out, named in the answer
// (left-out-servers.ts), and the others still answer: one broken backend must not hide every tool of
// the instance. A server that does not offer the list (its capabilities say so, or a 2026-07-28
// server answers "method not found") contributes nothing.
//
// The merged list is fresh for as long as its least fresh part (2026-07-28 `ttlMs`; a 2025 server
// gives none, which counts as 0).

// A hostile or broken server must not make one list unbounded work: pages, bytes and items are capped
// per server, and a cursor seen before ends the paging.
const MAX_PAGES = 20;
const MAX_PAGE_BYTES = 4 * 1024 * 1024;
const MAX_ITEMS = 5_000;

type TListOptions = {
  ctx: TMcpRequestContext;
  method: "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list";
  itemsKey: "tools" | "prompts" | "resources" | "resourceTemplates";
  capability: "tools" | "prompts" | "resources";
  /** The item as the client sees it (renamed for an aggregate); null drops an item that is malformed. */
  mapItem: (backend: TInstanceBackend, item: Record<string, unknown>) => Record<string, unknown> | null;
  /**
   * The items of one server the client may see, in the server's own names, once every page is read
   * (tools: the instance's tool controls and the token's tool scopes, select-listed-tools.ts).
   */
  select?: (
    backend: TInstanceBackend,
    items: Record<string, unknown>[],
  ) => Promise<Record<string, unknown>[]>;
  /** The servers asked; by default those the token's scopes cover. */
  backends?: TInstanceBackend[];
};

type TBackendList = { items: Record<string, unknown>[]; ttlMs: number; leftOut?: TLeftOutServer };

const NOTHING: TBackendList = { items: [], ttlMs: Number.POSITIVE_INFINITY };

/** One server's whole list, selected and mapped; throws when the server could not answer it. */
export async function listOneBackend(
  options: TListOptions,
  backend: TInstanceBackend,
): Promise<TBackendList> {
  const { ctx, method, itemsKey, capability, mapItem, select } = options;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(getEnv().MCP_BACKEND_TIMEOUT_MS)]);
  let channel = await resolveBackendChannel({ userId: ctx.auth.userId, client: ctx.client, backend, signal });
  const capabilities =
    channel.era === "legacy"
      ? channel.session.capabilities
      : (await readBackendDiscover({ userId: ctx.auth.userId, backend }))?.capabilities;
  if (capabilities && !isRecord(capabilities[capability])) return NOTHING;

  const items: Record<string, unknown>[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  let ttlMs = channel.era === "modern" ? Number.POSITIVE_INFINITY : 0;
  for (let page = 0; page < MAX_PAGES && items.length < MAX_ITEMS; page += 1) {
    const id = `tumiki-list-${randomUUID()}`;
    const message = { jsonrpc: "2.0" as const, id, method, params: cursor ? { cursor } : {} };
    const sent = await sendOnChannel({ channel, message, signal, maxBytes: MAX_PAGE_BYTES });
    channel = sent.channel;
    const response = await readBackendResponse({ channel, reply: sent.reply, requestId: id, signal });
    if ("error" in response) {
      if (response.error.code === JSON_RPC_ERROR.methodNotFound) return NOTHING;
      throw new BackendUnavailableError({ reason: "invalid_response", serverName: backend.name });
    }
    const list = response.result[itemsKey];
    if (!Array.isArray(list)) {
      throw new BackendUnavailableError({ reason: "invalid_response", serverName: backend.name });
    }
    for (const item of list.slice(0, MAX_ITEMS - items.length)) {
      if (isRecord(item)) items.push(item);
    }
    const pageTtl = response.result.ttlMs;
    ttlMs = Math.min(ttlMs, typeof pageTtl === "number" && pageTtl >= 0 ? pageTtl : 0);
    const next = response.result.nextCursor;
    if (typeof next !== "string" || next === "" || cursors.has(next)) break;
    cursors.add(next);
    cursor = next;
  }
  const selected = select ? await select(backend, items) : items;
  return {
    items: selected.flatMap((item) => {
      const mapped = mapItem(backend, item);
      return mapped ? [mapped] : [];
    }),
    ttlMs,
  };
}

export async function listFromBackends(
  options: TListOptions,
): Promise<{ items: Record<string, unknown>[]; ttlMs: number; leftOut: TLeftOutServer[] }> {
  const perBackend = await Promise.all(
    (options.backends ?? backendsInScope(options.ctx)).map((backend) =>
      listOneBackend(options, backend).catch((error: unknown): TBackendList => {
        const expected = error instanceof BackendUnavailableError || error instanceof ReAuthRequiredError;
        // A server that is down was logged once when it went down, not on every list that skips it.
        const skipped = error instanceof BackendUnavailableError && error.reason === "down";
        getLogger()[skipped ? "debug" : expected ? "warn" : "error"](
          { err: error, server: backend.slug, method: options.method },
          "a backend was left out of an aggregated list",
        );
        // A list missing a server must not be cached as if it were whole.
        return { items: [], ttlMs: 0, leftOut: describeLeftOutServer({ backend, error }) };
      }),
    ),
  );
  const ttlMs = Math.min(...perBackend.map((list) => list.ttlMs));
  return {
    items: perBackend.flatMap((list) => list.items),
    ttlMs: Number.isFinite(ttlMs) ? Math.floor(ttlMs) : 0,
    leftOut: perBackend.flatMap((list) => (list.leftOut ? [list.leftOut] : [])),
  };
}
