import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { getRedis } from "../../redis";
import { followLog } from "../../redis/follow-log";
import { BackendUnavailableError } from "../backend-unavailable-error";
import { ZJsonRpcError } from "../json-rpc-schemas";
import type { TRelayedCall } from "../relay/relayed-call";
import { inputAnswersKey } from "../relay/stream-log-keys";
import { INPUT_LIFETIME_MS } from "./input-lifetime";
import { InputRefusedError } from "./input-refused-error";
import { type TInputRequest, toLegacyInputRequest } from "./input-request";
import { mintRelayedRequestId } from "./relayed-request-id";

// A 2026-07-28 backend asked for input (an InputRequiredResult) in a call of a 2025 client. Each input
// request goes to the client as a request of its own on the call's stream, with an id that names this
// round and the input's key (relayed-request-id.ts). The client answers each with a POST that any app
// process may receive; that process adds the answer to this round's Redis log, which this call follows
// until every key is answered. The caller then retries the backend with the answers (mrtr.mdx), so
// the 2025 client sees what a 2025 backend would have asked, and the 2026 backend gets a proper retry.

/** An answer a client's POST delivered for one input key (deliver-client-answer.ts writes these). */
const ZCollectedAnswer = z.object({
  key: z.string(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: ZJsonRpcError.optional(),
});

/** A backend that only hands back state (no inputRequests) is retried after a short pause. */
const STATE_ONLY_PAUSE_MS = 250;

export async function collectClientAnswers({
  call,
  inputRequests,
  timeoutMs = INPUT_LIFETIME_MS,
}: {
  call: TRelayedCall;
  /** The backend's input requests, by key, each one the client can answer. */
  inputRequests: Record<string, TInputRequest>;
  /**
   * How long the client has to answer (Tumiki's own confirmation question is shorter); when it passes,
   * the TimeoutError of AbortSignal.timeout is thrown.
   */
  timeoutMs?: number;
}): Promise<Record<string, Record<string, unknown>>> {
  const { ctx } = call;
  if (ctx.client.era !== "legacy") throw new Error("collectClientAnswers serves 2025 clients only");
  const keys = Object.keys(inputRequests);
  if (keys.length === 0) {
    await sleep(STATE_ONLY_PAUSE_MS, undefined, { signal: call.signal });
    return {};
  }
  const continuation = randomBytes(16).toString("base64url");
  const logKey = inputAnswersKey(ctx.auth.userId, continuation);
  for (const [key, request] of Object.entries(inputRequests)) {
    const id = mintRelayedRequestId({
      userId: ctx.auth.userId,
      sessionKey: ctx.client.handle.key,
      ref: { kind: "collect", continuation, key },
    });
    await call.reply.send({ jsonrpc: "2.0", id, ...toLegacyInputRequest(request) });
  }
  const answers: Record<string, Record<string, unknown>> = {};
  const signal = AbortSignal.any([call.signal, AbortSignal.timeout(timeoutMs)]);
  try {
    for await (const entry of followLog({ key: logKey, after: "0", signal: signal })) {
      const answer = ZCollectedAnswer.safeParse(JSON.parse(entry.value));
      if (!answer.success || !keys.includes(answer.data.key) || answer.data.key in answers) continue;
      const { key, result, error } = answer.data;
      if (!result) {
        throw new InputRefusedError({
          method: inputRequests[key]?.method ?? "input",
          message: error?.message,
        });
      }
      answers[key] = result;
      if (keys.every((wanted) => wanted in answers)) return answers;
    }
  } finally {
    await getRedis()
      .deleteLog(logKey)
      .catch(() => undefined);
  }
  throw new BackendUnavailableError({ reason: "cancelled", serverName: call.backend.name });
}
