import { createParser } from "eventsource-parser";
import { expect } from "vitest";
import { openRawSession, postMcp, readRpcResponse, type TJsonRpcMessage } from "./proxy-fixtures";

// Raw HTTP requests to /mcp/{instanceId} as the proxy tests make them, without an SDK in between: a
// 2026-07-28 request with its envelope and headers, a 2025 session and a POST in it, and the messages
// of a response read one by one as they arrive.

export const MODERN = "2026-07-28";
/** Form elicitation: what the tests' 2026-07-28 clients declare unless they say otherwise. */
export const ELICITATION = { elicitation: { form: {} } };
const NAME_KEY: Record<string, "name" | "uri"> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

export type TRawTarget = { url: string; bearer: string };

/** A 2026-07-28 request with the envelope and the standard headers. */
export function postModern(
  target: TRawTarget,
  {
    id,
    method,
    params = {},
    capabilities = ELICITATION,
  }: {
    id: string | number;
    method: string;
    params?: Record<string, unknown>;
    capabilities?: Record<string, unknown>;
  },
) {
  const nameKey = NAME_KEY[method];
  const name = nameKey ? params[nameKey] : undefined;
  return postMcp({
    url: target.url,
    bearer: target.bearer,
    message: {
      jsonrpc: "2.0",
      id,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": MODERN,
          "io.modelcontextprotocol/clientCapabilities": capabilities,
          "io.modelcontextprotocol/clientInfo": { name: "tumiki-raw-test", version: "1.0.0" },
        },
      },
    },
    headers: {
      "mcp-protocol-version": MODERN,
      "mcp-method": method,
      ...(typeof name === "string" ? { "mcp-name": name } : {}),
    },
  });
}

/** The JSON-RPC response of a 2026-07-28 tools/call (HTTP 200). */
export async function callModern(
  target: TRawTarget,
  request: {
    id: string | number;
    name: string;
    arguments?: Record<string, unknown>;
    capabilities?: Record<string, unknown>;
    retry?: Record<string, unknown>;
  },
) {
  const response = await postModern(target, {
    id: request.id,
    method: "tools/call",
    params: { name: request.name, arguments: request.arguments ?? {}, ...request.retry },
    capabilities: request.capabilities,
  });
  const answer = await readRpcResponse(response, request.id);
  expect(response.status, JSON.stringify(answer)).toBe(200);
  return answer;
}

export type TLegacySession = Awaited<ReturnType<typeof openLegacy>>;

/** A 2025 session opened with raw requests, and a POST in it. */
export async function openLegacy(
  target: TRawTarget,
  capabilities: Record<string, unknown> = { elicitation: {} },
) {
  const session = await openRawSession({ url: target.url, bearer: target.bearer, capabilities });
  const post = (message: unknown) =>
    postMcp({
      url: target.url,
      bearer: target.bearer,
      sessionId: session.sessionId,
      message,
      headers: { "mcp-protocol-version": session.protocolVersion },
    });
  return { ...session, target, post };
}

/** The messages of a response as they arrive (JSON body or SSE events), one by one. */
export function readAsTheyCome(response: Response) {
  const queue: TJsonRpcMessage[] = [];
  const seen: TJsonRpcMessage[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const isSse = (response.headers.get("content-type") ?? "").includes("text/event-stream");
  const take = (message: TJsonRpcMessage) => {
    queue.push(message);
    seen.push(message);
    wake?.();
  };
  const parser = createParser({
    onEvent(event) {
      if (event.data !== "") take(JSON.parse(event.data) as TJsonRpcMessage);
    },
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let text = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const chunk = decoder.decode(value, { stream: true });
        if (isSse) parser.feed(chunk);
        else text += chunk;
      }
      if (!isSse && text !== "") take(JSON.parse(text) as TJsonRpcMessage);
    } catch {
      // Cancelled by close(), or the connection ended: next() reports what was seen.
    } finally {
      ended = true;
      wake?.();
    }
  })();
  return {
    seen,
    async next(timeoutMs = 15_000): Promise<TJsonRpcMessage> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const message = queue.shift();
        if (message) return message;
        if (ended || Date.now() > deadline) {
          throw new Error(`no further message (ended: ${ended}); seen: ${JSON.stringify(seen)}`);
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
        wake = undefined;
      }
    },
    close: () => reader.cancel().catch(() => undefined),
  };
}
