import { isRecord } from "../../protocol/is-record";
import { getRedis } from "../../redis";
import { followLog } from "../../redis/follow-log";
import type { TBackendChannel } from "../backend-channel";
import { BackendUnavailableError } from "../backend-unavailable-error";
import { getBackendAuthHeaders } from "../get-backend-auth-headers";
import type { TJsonRpcNotification } from "../json-rpc-schemas";
import { postBackendAnswer } from "../post-backend-answer";
import { failCall } from "../relay/fail-call";
import { finishCall } from "../relay/finish-call";
import { finishWithInputRequired } from "../relay/finish-with-input-required";
import { mapBackendNotification } from "../relay/map-backend-notification";
import type { TRelayedCall } from "../relay/relayed-call";
import { answersPostedKey, continuationLogKey } from "../relay/stream-log-keys";
import { resolveBackendTarget } from "../resolve-backend-target";
import { ZContinuationEntry } from "./continuation-entry";
import { INPUT_LIFETIME_MS } from "./input-lifetime";
import { toModernInputRequest, ZInputRequest } from "./input-request";
import type { TRequestState } from "./request-state";

// The retry of a 2026-07-28 client whose call reached a 2025 backend that asked for input
// (suspend-legacy-call.ts). The answers go to the backend in the backend session the call runs in,
// under the ids the backend gave its requests; then the call's continuation log is read on from the
// state's cursor: progress is relayed, a further request becomes another InputRequiredResult, the
// backend's response ends the call. A retry that lacks an answer is asked again (mrtr.mdx "Error
// Handling": request the missing information rather than fail).

const MAX_LOG_READ = 1_000;

/**
 * The backend reports progress under the token of the request that started the call; the client
 * follows the retry's own token (or none, then it asked for no progress).
 */
function withRetryProgressToken(
  notification: TJsonRpcNotification,
  params: Record<string, unknown> | undefined,
): TJsonRpcNotification | null {
  if (notification.method !== "notifications/progress") return notification;
  const token = isRecord(params?._meta) ? params._meta.progressToken : undefined;
  if (token === undefined) return null;
  return { ...notification, params: { ...notification.params, progressToken: token } };
}

export async function resumeLegacyCall({
  call,
  state,
}: {
  call: TRelayedCall;
  state: Extract<TRequestState, { kind: "continue" }>;
}): Promise<void> {
  const { ctx, backend } = call;
  const logKey = continuationLogKey(ctx.auth.userId, state.continuation);
  // A continuation lives as long as its state may be presented; gone, the call it continued is gone too.
  if ((await getRedis().lastLogId(logKey)) === "0") {
    failCall({ call, error: new BackendUnavailableError({ reason: "cancelled", serverName: backend.name }) });
    return;
  }
  const responses = isRecord(call.request.params?.inputResponses) ? call.request.params.inputResponses : {};
  const missing = Object.keys(state.pending).filter((key) => !isRecord(responses[key]));

  if (missing.length > 0) {
    const entries = await getRedis().readLog(logKey, "0", MAX_LOG_READ);
    const asked = new Map<string, unknown>();
    for (const entry of entries) {
      const parsed = ZContinuationEntry.safeParse(JSON.parse(entry.value));
      if (parsed.success && parsed.data.type === "request") asked.set(parsed.data.key, parsed.data.message);
    }
    const inputRequests: Record<string, unknown> = {};
    for (const key of missing) {
      const message = ZInputRequest.safeParse(asked.get(key));
      if (!message.success) {
        failCall({
          call,
          error: new BackendUnavailableError({ reason: "cancelled", serverName: backend.name }),
        });
        return;
      }
      inputRequests[key] = toModernInputRequest(message.data);
    }
    finishWithInputRequired({ call, inputRequests, state });
    return;
  }

  // The answers of a round go to the backend once: the first presentation of this state claims the
  // round; a replay (a client that lost the answer to its retry, or two retries at once) only reads
  // the log, which says what came next. A post that failed gives the claim back.
  const claim = answersPostedKey({
    userId: ctx.auth.userId,
    continuation: state.continuation,
    cursor: state.cursor,
  });
  if (await getRedis().set(claim, "1", { nx: true, px: INPUT_LIFETIME_MS })) {
    try {
      await postAnswers({ ctx, backend, state, responses });
    } catch (error) {
      await getRedis()
        .del(claim)
        .catch(() => undefined);
      throw error;
    }
  }

  for await (const entry of followLog({ key: logKey, after: state.cursor, signal: call.signal })) {
    const parsed = ZContinuationEntry.safeParse(JSON.parse(entry.value));
    if (!parsed.success) continue;
    const item = parsed.data;
    if (item.type === "notification") {
      const notification = withRetryProgressToken(item.message, call.request.params);
      const mapped =
        notification &&
        mapBackendNotification({ client: ctx.client, backends: ctx.backends, backend, notification });
      if (mapped) await call.reply.send(mapped);
    } else if (item.type === "request") {
      const input = ZInputRequest.parse({ method: item.message.method, params: item.message.params });
      finishWithInputRequired({
        call,
        inputRequests: { [item.key]: toModernInputRequest(input) },
        state: { ...state, pending: { [item.key]: item.message.id }, cursor: entry.id },
      });
      return;
    } else if (item.type === "response") {
      // The log stays until it expires: a client that retries the same round again gets the same answer.
      finishCall({ call, response: item.message });
      return;
    } else {
      failCall({
        call,
        error: new BackendUnavailableError({ reason: "closed_early", serverName: backend.name }),
      });
      return;
    }
  }
}

/** Posts the client's answers to the backend, in the backend session the call runs in. */
async function postAnswers({
  ctx,
  backend,
  state,
  responses,
}: {
  ctx: TRelayedCall["ctx"];
  backend: TRelayedCall["backend"];
  state: Extract<TRequestState, { kind: "continue" }>;
  responses: Record<string, unknown>;
}): Promise<void> {
  const target = resolveBackendTarget({ userId: ctx.auth.userId, client: ctx.client, backend });
  const channel: TBackendChannel = {
    era: "legacy",
    target,
    session: { sessionId: state.backendSessionId, protocolVersion: state.protocolVersion, capabilities: {} },
    authHeaders: await getBackendAuthHeaders({ userId: target.userId, backend }),
  };
  await Promise.all(
    Object.entries(state.pending).map(([key, id]) =>
      postBackendAnswer({
        channel,
        answer: { jsonrpc: "2.0", id, result: responses[key] as Record<string, unknown> },
      }),
    ),
  );
}
