import type { TJsonRpcMessage } from "../json-rpc-schemas";
import type { TSessionRequests } from "./open-session-requests";

// Merges the requests a 2025 backend sends on its session's GET stream (open-session-requests.ts) into
// the events of the call of a 2026-07-28 client that caused them.

/**
 * A call's own events with the requests of the session's GET stream mixed in as they come, until the
 * call's response (the end of the call): then the GET stream is let go.
 */
export async function* withSessionRequests({
  events,
  side,
}: {
  events: AsyncGenerator<TJsonRpcMessage>;
  side: TSessionRequests;
}): AsyncGenerator<TJsonRpcMessage> {
  type TNext = { from: "call" | "side"; result: IteratorResult<TJsonRpcMessage> };
  const nextOf = (from: TNext["from"]) =>
    (from === "call" ? events : side.messages).next().then((result): TNext => ({ from, result }));
  let call = nextOf("call");
  let fromSide: Promise<TNext> | null = nextOf("side").catch(() => new Promise<TNext>(() => undefined));
  try {
    for (;;) {
      const next = await (fromSide ? Promise.race([call, fromSide]) : call);
      if (next.from === "call") {
        if (next.result.done) return;
        yield next.result.value;
        if (next.result.value.kind === "response") return;
        call = nextOf("call");
        continue;
      }
      if (next.result.done) {
        fromSide = null;
        continue;
      }
      if (next.result.value.kind === "request") yield next.result.value;
      fromSide = nextOf("side").catch(() => new Promise<TNext>(() => undefined));
    }
  } finally {
    await side.close();
    await side.messages.return(undefined).catch(() => undefined);
  }
}
