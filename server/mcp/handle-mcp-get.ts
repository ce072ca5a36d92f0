import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import { JSON_RPC_ERROR, LAST_EVENT_ID_HEADER, MCP_SESSION_HEADER } from "../protocol/mcp-protocol";
import { describeLegacyClient } from "./describe-legacy-client";
import { getInstanceBackends } from "./get-instance-backends";
import { getMcpSessionOrThrow } from "./get-mcp-session-or-throw";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";
import { parseEventId } from "./relay/stream-log-keys";
import { openSessionStream } from "./streams/open-session-stream";
import { resumeCallStream } from "./streams/resume-call-stream";

// GET /mcp/{instanceId}. 2025: a session's standing stream of server messages, or, with Last-Event-ID,
// the resumption of a stream the client dropped: a call's (`c.…`) or the session stream's own (`s.…`).
// An id Tumiki did not give is ignored (a fresh session stream), as the 2025 transport allows.
// 2026-07-28 has no GET: without Mcp-Session-Id it is answered 405.

const accepts = (header: string | null, type: string) =>
  (header ?? "")
    .split(",")
    .map((entry) => entry.split(";")[0]?.trim().toLowerCase())
    .some((entry) => entry === type || entry === "text/*" || entry === "*/*");

export async function handleMcpGet({
  request,
  auth,
  instanceId,
  waitUntil,
  recheckAuth,
}: {
  request: Request;
  auth: TMcpAuthContext;
  instanceId: string;
  waitUntil: TMcpRequestContext["waitUntil"];
  recheckAuth: TMcpRequestContext["recheckAuth"];
}): Promise<Response> {
  const sessionId = request.headers.get(MCP_SESSION_HEADER);
  if (sessionId === null) {
    throw new McpRequestError("METHOD_NOT_ALLOWED", {
      rpcCode: JSON_RPC_ERROR.transportError,
      message:
        "Method Not Allowed: GET opens a 2025 session's stream and needs its Mcp-Session-Id; use POST.",
      headers: { Allow: "POST, GET, DELETE" },
    });
  }
  if (!accepts(request.headers.get("accept"), "text/event-stream")) {
    throw new McpRequestError("NOT_ACCEPTABLE", {
      rpcCode: JSON_RPC_ERROR.transportError,
      message: "Not Acceptable: the Accept header must list text/event-stream.",
    });
  }
  const handle = await getMcpSessionOrThrow({ sessionId, userId: auth.userId, instanceId });
  const resumeFrom = parseEventId(request.headers.get(LAST_EVENT_ID_HEADER) ?? "");
  if (resumeFrom?.kind === "call") {
    return resumeCallStream({ handle, streamId: resumeFrom.streamId, after: resumeFrom.seq, recheckAuth });
  }
  const backends = await getInstanceBackends({ instanceId, userId: auth.userId });
  const ctx: TMcpRequestContext = {
    auth,
    instanceId,
    client: describeLegacyClient(handle),
    backends,
    signal: request.signal,
    waitUntil,
    recheckAuth,
  };
  return openSessionStream({ ctx, lastLogId: resumeFrom?.kind === "session" ? resumeFrom.logId : null });
}
