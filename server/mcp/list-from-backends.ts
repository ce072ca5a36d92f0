import { randomUUID } from "node:crypto";
import { ReAuthRequiredError } from "../backends/re-auth-required-error";
import { getEnv } from "../env";
import { getLogger } from "../logger";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { ensureBackendSession } from "./ensure-backend-session";
import type { TInstanceBackend } from "./get-instance-backends";
import { isRecord } from "./is-record";
import { backendsInScope, type TMcpRequestContext, toTarget } from "./mcp-request-context";
import { readBackendResponse } from "./read-backend-response";
import { sendToBackend } from "./send-to-backend";

// One merged list (tools, prompts, resources, resource templates) over the servers the token's scopes
// cover, asked in parallel, concatenated in slug order, every page of each server read (a client of an
// aggregate cannot page through several servers with one cursor). A server that fails, is too slow or
// needs reconnecting is left out and the others still answer: one broken backend must not hide every
// tool of the instance. A server without the capability is not asked at all.

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
};

async function listOneBackend(options: TListOptions, backend: TInstanceBackend) {
  const { ctx, method, itemsKey, capability, mapItem } = options;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(getEnv().MCP_BACKEND_TIMEOUT_MS)]);
  const target = toTarget(ctx, backend);
  const session = await ensureBackendSession({ target, signal });
  if (!isRecord(session.capabilities[capability])) return [];
  const items: Record<string, unknown>[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES && items.length < MAX_ITEMS; page += 1) {
    const id = `tumiki-list-${randomUUID()}`;
    const message = { jsonrpc: "2.0", id, method, ...(cursor ? { params: { cursor } } : {}) };
    const { reply, backendSession } = await sendToBackend({
      target,
      message,
      signal,
      maxBytes: MAX_PAGE_BYTES,
    });
    const response = await readBackendResponse({ target, backendSession, reply, requestId: id, signal });
    const list = "result" in response ? response.result[itemsKey] : undefined;
    if (!Array.isArray(list)) {
      throw new BackendUnavailableError({ reason: "invalid_response", serverName: backend.name });
    }
    for (const item of list.slice(0, MAX_ITEMS - items.length)) {
      const mapped = isRecord(item) ? mapItem(backend, item) : null;
      if (mapped) items.push(mapped);
    }
    const next = "result" in response ? response.result.nextCursor : undefined;
    if (typeof next !== "string" || next === "" || cursors.has(next)) break;
    cursors.add(next);
    cursor = next;
  }
  return items;
}

export async function listFromBackends(options: TListOptions): Promise<Record<string, unknown>[]> {
  const perBackend = await Promise.all(
    backendsInScope(options.ctx).map((backend) =>
      listOneBackend(options, backend).catch((error: unknown) => {
        const expected = error instanceof BackendUnavailableError || error instanceof ReAuthRequiredError;
        getLogger()[expected ? "warn" : "error"](
          { err: error, server: backend.slug, method: options.method },
          "a backend was left out of an aggregated list",
        );
        return [];
      }),
    ),
  );
  return perBackend.flat();
}
