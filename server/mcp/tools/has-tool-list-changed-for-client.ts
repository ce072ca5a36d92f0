import { hasAnyToolAccess } from "../../auth/scopes";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";
import { getInstanceBackends } from "../get-instance-backends";
import type { TMcpRequestContext } from "../mcp-request-context";
import { fingerprintListedTools } from "./fingerprint-listed-tools";
import { listServerTools } from "./list-server-tools";
import {
  formatListedToolsView,
  LISTED_TOOLS_TTL_MS,
  listedToolsKey,
  parseListedToolsView,
} from "./remember-listed-tools";

// Whether a server's tools/list_changed concerns a client: its tools are listed afresh through the
// instance's tool controls (as they stand now, not as when the client's stream opened) and the token's
// tool scopes, and compared with what the client was shown last (remember-listed-tools.ts). The server's
// whole list changed but the client's view did not: the change touched only tools hidden from the
// client, which is not told. The server's whole list did not change at all: the notice is passed on
// (it reveals nothing, and the MCP conformance suite's servers send such notices on purpose). A server the token covers no tool
// of, or that left the instance, has no tool list change for it. When Tumiki cannot tell (the server
// cannot be listed, Redis fails, nothing remembered) the client is told: a needless "look again" costs a
// list, a lost one leaves the client with stale tools.
//
// `baseline` is what the caller (a client's stream) knew of the client's view when it last decided:
// several 2026-07-28 clients with one principal share one memory, and one that re-listed already must
// not make the change look seen by another. `withinMs` bounds the wait of a caller that holds something
// up meanwhile (a call's stream): past it, the client is told.

export type TToolListCheck = {
  changed: boolean;
  /** What the client would be shown now; null when it could not be listed. */
  fingerprint: string | null;
};

export async function hasToolListChangedForClient({
  ctx,
  mcpServerId,
  baseline,
  withinMs,
}: {
  ctx: TMcpRequestContext;
  mcpServerId: string;
  baseline?: string;
  withinMs?: number;
}): Promise<TToolListCheck> {
  let fingerprint: string | null = null;
  const signal =
    withinMs === undefined ? ctx.signal : AbortSignal.any([ctx.signal, AbortSignal.timeout(withinMs)]);
  try {
    const backends = await getInstanceBackends({ instanceId: ctx.instanceId, userId: ctx.auth.userId });
    const backend = backends.find((candidate) => candidate.mcpServerId === mcpServerId);
    if (!backend || !hasAnyToolAccess(ctx.auth.scopes, backend.slug)) {
      return { changed: false, fingerprint: null };
    }
    const listed = await listServerTools({ ctx: { ...ctx, backends, signal }, backend });
    const now = {
      visible: fingerprintListedTools(listed.visible),
      served: fingerprintListedTools(listed.served),
    };
    fingerprint = formatListedToolsView(now);
    // Read after the listing: a client that re-listed meanwhile was shown what this listing saw.
    const key = listedToolsKey(ctx, mcpServerId);
    const remembered = parseListedToolsView(await getRedis().get(key));
    const known = parseListedToolsView(baseline);
    // Nothing the server lists changed since the client listed: whatever the server's reason for the
    // notice, it reveals nothing hidden, and a gateway passes on what the server says.
    if (remembered === null || remembered.served === now.served) return { changed: true, fingerprint };
    const changed = remembered.visible !== now.visible || (known !== null && known.visible !== now.visible);
    // A change only hidden tools saw: the client's view stands, over the server's list as it is now, so
    // a later notice with nothing changed is passed on again.
    if (!changed) await getRedis().set(key, fingerprint, { px: LISTED_TOOLS_TTL_MS });
    return { changed, fingerprint };
  } catch (error) {
    if (!signal.aborted) {
      getLogger().debug({ err: error }, "a tool list change could not be compared with the client's view");
    }
    return { changed: true, fingerprint };
  }
}
