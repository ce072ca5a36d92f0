import { randomBytes } from "node:crypto";
import { isClientDisconnect } from "../../http/is-client-disconnect";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";
import { answerBackendRequest } from "../answer-backend-request";
import type { TBackendChannel } from "../backend-channel";
import { BackendUnavailableError } from "../backend-unavailable-error";
import type { TJsonRpcMessage, TJsonRpcRequest } from "../json-rpc-schemas";
import { cancelAtBackend } from "../relay/cancel-at-backend";
import { finishWithInputRequired } from "../relay/finish-with-input-required";
import type { TRelayedCall } from "../relay/relayed-call";
import { continuationLogKey } from "../relay/stream-log-keys";
import { CONTINUATION_MAX_ENTRIES, type TContinuationEntry } from "./continuation-entry";
import { INPUT_LIFETIME_MS } from "./input-lifetime";
import { type TInputRequest, toAnswerableInput, toModernInputRequest } from "./input-request";

// A 2025 backend asked for input (elicitation, sampling, roots) in the middle of a call of a 2026-07-28
// client. The 2026 client cannot be sent a request: it gets an InputRequiredResult now (mrtr.mdx), and
// will retry with its answers, maybe at another app process. The backend call meanwhile waits for the
// answer in its session, so it is not abandoned: this process keeps reading its stream and writes
// every further message to a continuation log in Redis, which the retry reads from where the state
// says it stopped (resume-legacy-call.ts). Each request of the backend gets a key of its own.

export async function suspendLegacyCall({
  call,
  channel,
  events,
  request,
  input,
  backendRequestId,
}: {
  call: TRelayedCall;
  channel: Extract<TBackendChannel, { era: "legacy" }>;
  /** The id the backend knows the suspended call by (told to cancel it when it is abandoned). */
  backendRequestId: string | number;
  events: AsyncGenerator<TJsonRpcMessage>;
  request: TJsonRpcRequest;
  /** The request as an input the client can answer (toAnswerableInput). */
  input: TInputRequest;
}): Promise<void> {
  const { ctx, backend } = call;
  const continuation = randomBytes(16).toString("base64url");
  const logKey = continuationLogKey(ctx.auth.userId, continuation);
  let counter = 0;
  const append = (entry: TContinuationEntry) =>
    getRedis().appendLog(logKey, JSON.stringify(entry), {
      maxLen: CONTINUATION_MAX_ENTRIES,
      ttlMs: INPUT_LIFETIME_MS,
    });

  counter += 1;
  const key = `input-${counter}`;
  const cursor = await append({ type: "request", key, message: request });

  const pump = async () => {
    try {
      for (;;) {
        const next = await events.next();
        if (next.done)
          throw new BackendUnavailableError({ reason: "closed_early", serverName: backend.name });
        const message = next.value;
        if (message.kind === "notification") {
          await append({ type: "notification", message: message.message });
        } else if (message.kind === "request") {
          if (!toAnswerableInput(ctx.client.capabilities, message.message)) {
            answerBackendRequest({ channel, request: message.message });
            continue;
          }
          counter += 1;
          await append({ type: "request", key: `input-${counter}`, message: message.message });
        } else {
          await append({ type: "response", message: message.message });
          return;
        }
      }
    } catch (error) {
      // Nobody came back for it before the deadline (or the client cancelled): the backend, still
      // waiting for an answer, is told to stop.
      if (call.signal.aborted) cancelAtBackend({ channel, requestId: backendRequestId });
      const reason = error instanceof BackendUnavailableError ? error.reason : "internal_error";
      if (
        !(error instanceof BackendUnavailableError) &&
        !isClientDisconnect({ error, signal: call.signal })
      ) {
        getLogger().error({ err: error, server: backend.slug }, "a suspended backend call failed");
      }
      await append({ type: "failed", reason }).catch(() => undefined);
    } finally {
      // The backend's streams (the session's GET stream too) are let go once the call has ended.
      await events.return(undefined).catch(() => undefined);
    }
  };
  ctx.waitUntil(pump());

  finishWithInputRequired({
    call,
    inputRequests: { [key]: toModernInputRequest(input) },
    state: {
      kind: "continue",
      serverId: backend.mcpServerId,
      backendSessionId: channel.session.sessionId,
      protocolVersion: channel.session.protocolVersion,
      continuation,
      pending: { [key]: request.id },
      cursor,
    },
  });
}
