import { frameResultForClient } from "../frame-result-for-client";
import { sealRequestState } from "../input/request-state";
import type { TRelayedCall } from "./relayed-call";

// A 2026-07-28 client is asked for input by an InputRequiredResult (mrtr.mdx): the input requests, and
// Tumiki's sealed state, which its retry hands back (input/request-state.ts).

/** Ends the call with an InputRequiredResult carrying Tumiki's sealed state (2026-07-28 clients only). */
export function finishWithInputRequired({
  call,
  inputRequests,
  state,
}: {
  call: TRelayedCall;
  inputRequests?: Record<string, unknown>;
  state: Parameters<typeof sealRequestState>[0]["state"];
}): void {
  const { ctx, request } = call;
  if (ctx.client.era !== "modern") throw new Error("an InputRequiredResult is for 2026-07-28 clients only");
  const requestState = sealRequestState({
    userId: ctx.auth.userId,
    principal: ctx.client.principal,
    digest: call.digest,
    state,
  });
  const result = frameResultForClient({
    client: ctx.client,
    method: request.method,
    result: {
      resultType: "input_required",
      ...(inputRequests ? { inputRequests } : {}),
      requestState,
    },
  });
  call.settle({ outcome: "SUCCESS", reason: "input_required" });
  call.reply.end({ jsonrpc: "2.0", id: request.id, result });
}
