import { recordBackendOutcome } from "../backend-health/record-backend-outcome";
import { ReAuthRequiredError } from "../backends/re-auth-required-error";
import { getEnv } from "../env";
import { requestOutboundStream, type TOutboundStream } from "../net/request-outbound-stream";
import { traceHeaders } from "../observability/tracing/trace-headers";
import { backendRequestDuration } from "../observability/tumiki-metrics";
import { MAX_BACKEND_RESPONSE_BYTES, type TBackendTarget } from "./backend-target";
import { getBackendAuthHeaders } from "./get-backend-auth-headers";
import { toBackendUnavailable } from "./to-backend-unavailable";
import { toHealthFailure } from "./to-health-failure";

// One HTTP request to a backend's MCP endpoint with the backend's credential: a POSTed message, or a
// GET of its standalone or resumed stream. A 401 from an OAuth backend means the token Tumiki holds was
// revoked or expired early: the token manager is asked for a new one (a forced refresh) and the
// request is made once more; a second 401 means the grant itself is no good, which only the user can
// fix. A request made long after its call began (a stream resumed, a feed reopened an hour later)
// passes no credential and gets the current one. Each answer, or failure to get one, counts towards the
// server's health (server/backend-health: the circuit breaker that resolve-backend-channel.ts consults).

export async function requestBackend({
  target,
  method,
  headers,
  body,
  signal,
  maxBytes = MAX_BACKEND_RESPONSE_BYTES,
  authHeaders,
  healthEvidence = "full",
}: {
  target: TBackendTarget;
  method: "POST" | "GET";
  /** Everything but the credential. */
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** The most the answer may hold. */
  maxBytes?: number;
  /** The credential, when the caller fetched it already (in parallel with the backend session). */
  authHeaders?: Record<string, string>;
  /**
   * What this request may tell about the server's health. "transport" for a request whose content a
   * client chose (a tool's arguments): its 5xx or its slowness may be that input's doing, and health is
   * shared by every user of the server, so only failing to reach the server counts against it.
   */
  healthEvidence?: "full" | "transport";
}): Promise<TOutboundStream> {
  const { backend, userId } = target;
  const send = async (rejectedAccessToken?: string) => {
    const auth =
      authHeaders && !rejectedAccessToken
        ? authHeaders
        : await getBackendAuthHeaders({ userId, backend, rejectedAccessToken });
    // Time to the backend's headers: a streamed answer's length is the tool's, not the backend's latency.
    const started = performance.now();
    const observe = (outcome: "success" | "http_error" | "unavailable") =>
      backendRequestDuration.observe({ server: backend.slug, outcome }, (performance.now() - started) / 1000);
    try {
      const reply = await requestOutboundStream({
        url: backend.url,
        method,
        // The current span (this request's CLIENT span) goes with it: the backend continues the trace.
        headers: { ...headers, ...traceHeaders(), ...auth },
        body,
        headersTimeoutMs: getEnv().MCP_BACKEND_TIMEOUT_MS,
        maxBytes,
        signal,
      });
      observe(reply.status >= 400 ? "http_error" : "success");
      // Any answer but a 5xx shows the server up (a 401 is one user's credential, not its health).
      if (reply.status < 500) await recordBackendOutcome({ backend, failure: null });
      else if (healthEvidence === "full") {
        await recordBackendOutcome({ backend, failure: { kind: "http_error", status: reply.status } });
      }
      return { reply, sentToken: auth.authorization?.replace(/^Bearer /, "") };
    } catch (error) {
      observe("unavailable");
      const unavailable = toBackendUnavailable({ error, serverName: backend.name, signal });
      const failure = toHealthFailure({ error: unavailable, signal, waitedMs: performance.now() - started });
      if (failure && (healthEvidence === "full" || failure.kind !== "timeout")) {
        await recordBackendOutcome({ backend, failure });
      }
      throw unavailable;
    }
  };

  const first = await send();
  if (first.reply.status !== 401 || backend.authType !== "OAUTH" || !first.sentToken) return first.reply;
  await first.reply.body.cancel().catch(() => undefined);
  const { reply: second } = await send(first.sentToken);
  if (second.status !== 401) return second;
  await second.body.cancel().catch(() => undefined);
  throw new ReAuthRequiredError({
    mcpServerId: backend.mcpServerId,
    serverName: backend.name,
    reason: "backend_rejected_token",
  });
}
