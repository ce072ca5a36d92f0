import { postMcpInitialize } from "../../server/testing/post-mcp-initialize";
import { readJsonRpcResponse } from "./read-json-rpc-response";

// MCP sessions of the bench over plain fetch (initialize, notifications/initialized, calls, DELETE), so
// the requests measured later carry exactly the headers of a real Streamable HTTP client.

export type TMcpSession = {
  label: string;
  url: string;
  /** Every header a request of this session carries. */
  headers: Record<string, string>;
  /** A 2026-07-28 client's `_meta` envelope, sent in every request's params (no session then). */
  meta?: Record<string, unknown>;
};

/**
 * A 2026-07-28 client of Tumiki: no session, the `_meta` envelope in every request and the headers
 * that mirror it (the tool's name included: every measured request calls the same tool).
 */
export function modernMcpTarget(options: {
  label: string;
  url: string;
  accessToken: string;
  toolName: string;
}): TMcpSession {
  return {
    label: options.label,
    url: options.url,
    headers: {
      authorization: `Bearer ${options.accessToken}`,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": options.toolName,
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
    },
    meta: {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
      "io.modelcontextprotocol/clientInfo": { name: "tumiki-bench", version: "1.0.0" },
    },
  };
}

const unexpectedAnswer = async (label: string, what: string, response: Response) =>
  new Error(`${label}: ${what} answered ${response.status}: ${(await response.text()).slice(0, 400)}`);

export async function openMcpSession(options: {
  label: string;
  url: string;
  accessToken: string;
}): Promise<TMcpSession> {
  const { label, url, accessToken } = options;
  const initialized = await postMcpInitialize({ url, accessToken });
  const sessionId = initialized.headers.get("mcp-session-id");
  if (initialized.status !== 200 || !sessionId)
    throw await unexpectedAnswer(label, "initialize", initialized);
  const message = readJsonRpcResponse(await initialized.text()) as {
    result?: { protocolVersion?: string };
  };
  const protocolVersion = message?.result?.protocolVersion;
  if (!protocolVersion) throw new Error(`${label}: initialize answered without a protocolVersion`);
  const session: TMcpSession = {
    label,
    url,
    headers: {
      authorization: `Bearer ${accessToken}`,
      "mcp-session-id": sessionId,
      "mcp-protocol-version": protocolVersion,
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
    },
  };
  const notified = await fetch(url, {
    method: "POST",
    headers: session.headers,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  if (notified.status !== 202) throw await unexpectedAnswer(label, "notifications/initialized", notified);
  return session;
}

let nextId = 1;

/** Calls a tool; throws on an HTTP error, a JSON-RPC error or a result with isError. */
export async function callMcpTool(options: {
  session: TMcpSession;
  name: string;
  arguments: Record<string, unknown>;
}): Promise<unknown> {
  const { session } = options;
  const response = await fetch(session.url, {
    method: "POST",
    headers: session.headers,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: `setup-${nextId++}`,
      method: "tools/call",
      params: {
        name: options.name,
        arguments: options.arguments,
        ...(session.meta ? { _meta: session.meta } : {}),
      },
    }),
  });
  if (response.status !== 200)
    throw await unexpectedAnswer(session.label, `tools/call ${options.name}`, response);
  const body = await response.text();
  const message = readJsonRpcResponse(body);
  if (!message?.result || message.result.isError === true) {
    throw new Error(`${session.label}: tools/call ${options.name} failed: ${body.slice(0, 400)}`);
  }
  return message.result;
}

/** Ends the session (DELETE); resolves the status, never throws (cleanup). */
export async function closeMcpSession(session: TMcpSession): Promise<number | string> {
  if (session.meta) return "no session";
  try {
    const response = await fetch(session.url, { method: "DELETE", headers: session.headers });
    await response.body?.cancel();
    return response.status;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
