import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Provider } from "oidc-provider";
import { DEMO_SCOPES } from "./create-demo-provider";
import { createNotesServer, type TNotesByAccount } from "./create-notes-server";
import type { TDemoMcpStats } from "./demo-stats";
import type { TDemoToolDescriptions } from "./demo-tool-descriptions";
import { sendJson } from "./send-json";

// The demo backend's MCP endpoint (Streamable HTTP), a protected resource as the MCP authorization spec
// describes one: every request carries a Bearer token of our AS for this resource, else 401 naming the
// RFC 9728 metadata. Sessions are kept in memory, like a real remote server's, each bound to the
// account that opened it (another account's token gets the same 404 as an unknown session).
// With `publicAccount` the endpoint needs no token at all: everyone is that one account (a server
// without authentication, for trying Tumiki's servers that need no sign-in).

const MAX_BODY_BYTES = 1024 * 1024;

type TSession = { transport: StreamableHTTPServerTransport; server: McpServer; accountId: string };

export type TDemoMcpEndpoint = {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
};

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string) {
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function isCancelledNotification(message: unknown): boolean {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as { method?: unknown }).method === "notifications/cancelled"
  );
}

function isInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
}

export function createDemoMcpEndpoint(options: {
  provider: Provider;
  mcpUrl: string;
  resourceMetadataUrl: string;
  stats: TDemoMcpStats;
  descriptions: TDemoToolDescriptions;
  publicAccount?: string;
}): TDemoMcpEndpoint {
  const sessions = new Map<string, TSession>();
  const notesByAccount: TNotesByAccount = new Map();
  const scope = DEMO_SCOPES.join(" ");

  const challenge = (res: ServerResponse, tokenSent: boolean) => {
    const error = tokenSent
      ? 'error="invalid_token", error_description="The access token is invalid or expired", '
      : "";
    sendJson(
      res,
      401,
      {
        error: tokenSent ? "invalid_token" : "unauthorized",
        error_description: "A Bearer token is required",
      },
      {
        "www-authenticate": `Bearer ${error}resource_metadata="${options.resourceMetadataUrl}", scope="${scope}"`,
      },
    );
  };

  /** The account of a valid access token for this resource, or undefined. */
  const authenticate = async (header: string | undefined): Promise<string | undefined> => {
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header ?? "");
    if (!match?.[1]) return undefined;
    // Malformed values make oidc-provider throw; they are as invalid as unknown ones.
    const token = await options.provider.AccessToken.find(match[1]).catch(() => undefined);
    if (!token || token.isExpired) return undefined;
    const audiences = Array.isArray(token.aud) ? token.aud : [token.aud];
    return audiences.includes(options.mcpUrl) ? token.accountId : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const authorization = req.headers.authorization;
    const accountId = options.publicAccount ?? (await authenticate(authorization));
    if (!accountId) {
      challenge(res, Boolean(authorization));
      return;
    }

    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const session = sessions.get(sessionId);
      if (!session || session.accountId !== accountId) {
        jsonRpcError(res, 404, -32001, "Session not found");
        return;
      }
      await session.transport.handleRequest(req, res);
      return;
    }

    if (req.method !== "POST") {
      jsonRpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return;
    }
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch {
      jsonRpcError(res, 400, -32700, "Parse error");
      return;
    }
    if (!isInitialize(body)) {
      jsonRpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return;
    }

    const server = createNotesServer({
      accountId,
      notesByAccount,
      stats: options.stats,
      descriptions: options.descriptions,
    });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, accountId });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    // Counted before the SDK handles it (it aborts the named request): tests check that a proxy
    // passes cancellations on, which the tool call's own outcome alone cannot show.
    const deliver = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if (isCancelledNotification(message)) options.stats.cancellations += 1;
      deliver?.(message, extra);
    };
    await transport.handleRequest(req, res, body);
  };

  return {
    handle,
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((session) => session.server.close()));
    },
  };
}
