import { getRedis } from "../../redis";
import { backendsWithTools, type TMcpRequestContext } from "../mcp-request-context";
import { hasToolListChangedForClient } from "./has-tool-list-changed-for-client";
import { listedToolsKey } from "./remember-listed-tools";

// The tools/list_changed notifications of a client's long-lived stream (a 2025 session's GET stream, a
// 2026-07-28 subscriptions/listen stream), passed on only when the client's view of that server's tools
// changed (has-tool-list-changed-for-client.ts). A burst of notifications of one server costs one
// listing, and one more if more came while it ran (that listing may predate the latest change); the
// stream's own coalescing then sends at most one notification per window.
//
// What the stream knew of the client's view (its baseline, per server) starts as what the client was
// last shown, and becomes what each decision saw. A change of the instance itself (its servers, its tool
// settings) reaches every client anyway, and each re-lists: the baselines are forgotten then.

export type TToolChangeFilter = {
  /** A server said its tools changed: `deliver` runs when the client's view of them did (or may have). */
  onChange(mcpServerId: string, deliver: () => void): void;
  /** The instance itself changed and the client is told so: it re-lists, so baselines are stale. */
  reset(): void;
};

export function createToolChangeFilter({
  ctx,
  signal,
}: {
  ctx: TMcpRequestContext;
  /** Ends the stream's work: a listing under way is abandoned, nothing more delivered. */
  signal: AbortSignal;
}): TToolChangeFilter {
  const checkCtx: TMcpRequestContext = { ...ctx, signal };
  const baselines = new Map<string, string>();
  let generation = 0;
  const initial = Promise.all(
    backendsWithTools(ctx).map(async (backend) => {
      const key = listedToolsKey(ctx, backend.mcpServerId);
      const remembered = await getRedis()
        .get(key)
        .catch(() => null);
      if (remembered !== null && generation === 0) baselines.set(backend.mcpServerId, remembered);
    }),
  ).catch(() => undefined);
  const running = new Map<string, { again: boolean; deliver: () => void }>();

  const check = async (mcpServerId: string) => {
    await initial;
    const started = generation;
    const result = await hasToolListChangedForClient({
      ctx: checkCtx,
      mcpServerId,
      baseline: baselines.get(mcpServerId),
    });
    if (started === generation) {
      if (result.fingerprint === null) baselines.delete(mcpServerId);
      else baselines.set(mcpServerId, result.fingerprint);
    }
    return result.changed;
  };

  return {
    onChange(mcpServerId, deliver) {
      if (signal.aborted) return;
      const current = running.get(mcpServerId);
      if (current) {
        current.again = true;
        current.deliver = deliver;
        return;
      }
      const state = { again: false, deliver };
      running.set(mcpServerId, state);
      void (async () => {
        try {
          do {
            state.again = false;
            const send = state.deliver;
            const changed = await check(mcpServerId).catch(() => true);
            if (changed && !signal.aborted) send();
          } while (state.again && !signal.aborted);
        } finally {
          running.delete(mcpServerId);
        }
      })();
    },
    reset() {
      generation += 1;
      baselines.clear();
    },
  };
}
