import type { TOutboundStream } from "../net/request-outbound-stream";
import { traceBackendRequest } from "../observability/tracing/trace-backend-request";
import { isRecord } from "../protocol/is-record";
import type { TBackendTarget } from "./backend-target";
import { requestBackend } from "./request-backend";

// One JSON-RPC message POSTed to a backend, as the Streamable HTTP transport wants it, with the
// backend's credential (request-backend.ts: a refused token is refreshed once), in a CLIENT span of
// its own that the message carries on to the backend (`_meta.traceparent` and the headers).

/** Requests whose content a client chose: their answers say as much about the input as the server. */
const CLIENT_SHAPED_METHODS = new Set(["tools/call", "prompts/get", "resources/read", "completion/complete"]);

const isClientShaped = (message: unknown) =>
  isRecord(message) && typeof message.method === "string" && CLIENT_SHAPED_METHODS.has(message.method);

export function postToBackend({
  target,
  mcpHeaders,
  message,
  signal,
  maxBytes,
  authHeaders,
}: {
  target: TBackendTarget;
  /** The protocol's headers for this message in the backend's era (frame-for-backend.ts). */
  mcpHeaders: Record<string, string>;
  message: unknown;
  signal?: AbortSignal;
  /** The most the answer may hold; Tumiki's own requests (lists) allow less than a tool's result. */
  maxBytes?: number;
  /** The credential, when the caller fetched it already (in parallel with the backend session). */
  authHeaders?: Record<string, string>;
}): Promise<TOutboundStream> {
  return traceBackendRequest({
    message,
    url: target.backend.url,
    serverSlug: target.backend.slug,
    mcpHeaders,
    send: (traced) =>
      requestBackend({
        target,
        method: "POST",
        headers: {
          ...mcpHeaders,
          accept: "application/json, text/event-stream",
          "content-type": "application/json",
        },
        body: JSON.stringify(traced),
        signal,
        maxBytes,
        authHeaders,
        healthEvidence: isClientShaped(message) ? "transport" : "full",
      }),
  });
}
