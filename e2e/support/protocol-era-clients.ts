import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { expect, type Page } from "@playwright/test";
import { authorizeSdkClient } from "./authorize-sdk-client";
import { InMemoryOAuthClientProvider } from "./in-memory-oauth-client-provider";
import { readToolText } from "./mcp-tool-text";
import { ModernOAuthClientProvider } from "./modern-oauth-client-provider";
import { approveInBrowser, type TLoopbackReceiver } from "./oauth-flow";
import { parseSseMessages, type TJsonRpcMessage } from "./post-mcp-message";

// The three MCP clients an instance must serve on one URL, behind one interface: the v2 SDK
// (`@modelcontextprotocol/client`) pinned to 2026-07-28, the v2 SDK in `auto` mode (it probes with
// server/discover and takes whichever era the server offers), and the v1 SDK
// (`@modelcontextprotocol/sdk`, 2025-11-25 sessions). Each answers a form elicitation with the name it
// was given and records what it was asked, and each sends its requests through a fetch that records the
// JSON-RPC messages it POSTed and the ones answered to them, so a spec can tell a multi round-trip
// request (2026-07-28) from a relayed server-to-client request (2025-11-25) on the wire.
//
// Each signs in either with an API key (a bearer header) or with OAuth against Tumiki's own
// authorization server, knowing nothing but the instance URL, the user approving the consent page in
// the signed-in browser: the v2 SDK the way its docs/clients/oauth.md runs it (connect, UnauthorizedError,
// finishAuth with the whole callback query, connect again), the v1 SDK through its auth() as
// authorize-sdk-client.ts runs it.

export type TEraClientKind = "pinned-2026" | "auto" | "sdk-1x";

export const ERA_CLIENT_KINDS: { kind: TEraClientKind; label: string }[] = [
  { kind: "pinned-2026", label: "a v2 client pinned to 2026-07-28" },
  { kind: "auto", label: "a v2 client in auto mode" },
  { kind: "sdk-1x", label: "a 1.x SDK client" },
];

/** One HTTP exchange of the client with the MCP endpoint, as the recording fetch saw it. */
export type TWireExchange = {
  method: string;
  /** What the client POSTed (one JSON-RPC message), when it was JSON. */
  sent?: TJsonRpcMessage;
  status: number;
  /** The messages of the answer (JSON or a finite SSE stream); filled once the answer ended. */
  received: Promise<TJsonRpcMessage[]>;
};

export type TEraClient = {
  kind: TEraClientKind;
  /** getProtocolEra() of a v2 client: "modern" or "legacy"; the v1 SDK knows one era and has none. */
  era: string | undefined;
  protocolVersion: string | undefined;
  /** The Mcp-Session-Id Tumiki gave a 2025-11-25 client (none for a 2026-07-28 one). */
  sessionId: string | undefined;
  serverName: string | undefined;
  listToolNames(): Promise<string[]>;
  callTool(
    name: string,
    args: Record<string, unknown>,
  ): Promise<{ text: string; isError: boolean; structuredContent: unknown }>;
  /** The form elicitations the client was asked, in order. */
  elicitations: { message: unknown; requestedSchema: unknown }[];
  /** Every exchange since connect (or the last clearWire()). */
  wire: TWireExchange[];
  clearWire(): void;
  close(): Promise<void>;
};

export type TEraClientAuth =
  | { type: "bearer"; bearer: string }
  | {
      type: "oauth";
      page: Page;
      loopback: TLoopbackReceiver;
      /** Looks at the consent page before it is approved. */
      checkConsentPage?: (page: Page) => Promise<void>;
    };

const CLIENT_INFO = { name: "e2e-protocol-eras", version: "1.0.0" };

function readBody(init: RequestInit | undefined): TJsonRpcMessage | undefined {
  if (typeof init?.body !== "string") return undefined;
  try {
    return JSON.parse(init.body) as TJsonRpcMessage;
  } catch {
    return undefined;
  }
}

/**
 * A fetch that records what the client exchanges with `mcpUrl` (discovery and token requests to other
 * paths pass unrecorded). Only POST answers are read (from a copy): a GET stream never ends.
 */
function recordingFetch(fetchFn: typeof fetch, mcpUrl: string, wire: TWireExchange[]): typeof fetch {
  const target = new URL(mcpUrl);
  return async (input, init) => {
    const response = await fetchFn(input, init);
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    if (url.origin !== target.origin || url.pathname !== target.pathname) return response;
    const contentType = response.headers.get("content-type") ?? "";
    const received =
      method !== "POST" || !response.body
        ? Promise.resolve([])
        : response
            .clone()
            .text()
            .then((text) => {
              if (contentType.startsWith("text/event-stream")) return parseSseMessages(text);
              if (contentType.startsWith("application/json") && text)
                return [JSON.parse(text) as TJsonRpcMessage];
              return [];
            })
            .catch(() => []);
    wire.push({ method, sent: readBody(init), status: response.status, received });
    return response;
  };
}

function formAnswer(elicitedName: string, params: Record<string, unknown>) {
  // Only a form can carry a name; this client declares no URL mode.
  if (params.mode === "url") return { action: "decline" as const };
  return { action: "accept" as const, content: { name: elicitedName } };
}

async function connectModern({
  kind,
  mcpUrl,
  auth,
  fetchFn,
  elicitedName,
}: {
  kind: Exclude<TEraClientKind, "sdk-1x">;
  mcpUrl: string;
  auth: TEraClientAuth;
  fetchFn: typeof fetch;
  elicitedName: string;
}): Promise<TEraClient> {
  const wire: TWireExchange[] = [];
  const elicitations: TEraClient["elicitations"] = [];
  const client = new ModernClient(CLIENT_INFO, {
    capabilities: { elicitation: { form: {} } },
    versionNegotiation: { mode: kind === "pinned-2026" ? { pin: "2026-07-28" } : "auto" },
  });
  client.setRequestHandler("elicitation/create", async (request) => {
    const params = request.params as Record<string, unknown>;
    elicitations.push({ message: params.message, requestedSchema: params.requestedSchema });
    return formAnswer(elicitedName, params);
  });
  const recorded = recordingFetch(fetchFn, mcpUrl, wire);

  if (auth.type === "bearer") {
    await client.connect(
      new ModernTransport(new URL(mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${auth.bearer}` } },
        fetch: recorded,
      }),
    );
  } else {
    const provider = new ModernOAuthClientProvider({
      clientName: `E2E ${kind} client`,
      redirectUri: auth.loopback.redirectUri,
    });
    const first = new ModernTransport(new URL(mcpUrl), { authProvider: provider, fetch: recorded });
    // Knowing nothing but the URL: the first request is refused, the SDK discovers Tumiki's
    // authorization server from the 401, registers, and hands over the authorization URL.
    const refused = await client.connect(first).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused, "connect() without a token ends in UnauthorizedError").toBeInstanceOf(UnauthorizedError);
    const authorizationUrl = provider.authorizationUrl;
    if (!authorizationUrl) throw new Error("the v2 SDK did not ask for a redirect");
    expect(authorizationUrl.origin).toBe(new URL(mcpUrl).origin);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("resource")).toBe(mcpUrl);
    expect(provider.registeredClientIds()).toHaveLength(1);

    const callback = await approveInBrowser(
      auth.page,
      auth.loopback,
      authorizationUrl,
      auth.checkConsentPage,
    );
    expect(callback.searchParams.get("state")).toBe(provider.lastState);
    // finishAuth checks iss (RFC 9207) itself and exchanges the code where discovery found the AS.
    await first.finishAuth(callback.searchParams);
    expect(provider.tokens()?.access_token).toBeTruthy();
    await client.connect(new ModernTransport(new URL(mcpUrl), { authProvider: provider, fetch: recorded }));
  }

  return {
    kind,
    era: client.getProtocolEra(),
    protocolVersion: client.getNegotiatedProtocolVersion(),
    sessionId: undefined,
    serverName: client.getServerVersion()?.name,
    listToolNames: async () => (await client.listTools()).tools.map((tool) => tool.name),
    callTool: async (name, args) => {
      const result = await client.callTool({ name, arguments: args });
      return {
        text: readToolText(result),
        isError: Boolean(result.isError),
        structuredContent: result.structuredContent,
      };
    },
    elicitations,
    wire,
    clearWire: () => {
      wire.length = 0;
    },
    close: () => client.close(),
  };
}

async function connectLegacy({
  mcpUrl,
  auth,
  fetchFn,
  elicitedName,
}: {
  mcpUrl: string;
  auth: TEraClientAuth;
  fetchFn: typeof fetch;
  elicitedName: string;
}): Promise<TEraClient> {
  const wire: TWireExchange[] = [];
  const elicitations: TEraClient["elicitations"] = [];
  const client = new LegacyClient(CLIENT_INFO, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const params = request.params as Record<string, unknown>;
    elicitations.push({ message: params.message, requestedSchema: params.requestedSchema });
    return formAnswer(elicitedName, params);
  });
  const recorded = recordingFetch(fetchFn, mcpUrl, wire);

  let transport: LegacyTransport;
  if (auth.type === "bearer") {
    transport = new LegacyTransport(new URL(mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${auth.bearer}` } },
      fetch: recorded,
    });
  } else {
    const provider = new InMemoryOAuthClientProvider({
      clientName: "E2E sdk-1x client",
      redirectUri: auth.loopback.redirectUri,
    });
    await authorizeSdkClient({
      page: auth.page,
      loopback: auth.loopback,
      provider,
      mcpUrl,
      fetchFn,
      checkConsentPage: auth.checkConsentPage,
    });
    transport = new LegacyTransport(new URL(mcpUrl), { authProvider: provider, fetch: recorded });
  }
  await client.connect(transport);

  return {
    kind: "sdk-1x",
    era: undefined,
    protocolVersion: transport.protocolVersion,
    sessionId: transport.sessionId,
    serverName: client.getServerVersion()?.name,
    listToolNames: async () => (await client.listTools()).tools.map((tool) => tool.name),
    callTool: async (name, args) => {
      const result = await client.callTool({ name, arguments: args });
      return {
        text: readToolText(result),
        isError: Boolean(result.isError),
        structuredContent: result.structuredContent,
      };
    },
    elicitations,
    wire,
    clearWire: () => {
      wire.length = 0;
    },
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

export async function connectEraClient(options: {
  kind: TEraClientKind;
  mcpUrl: string;
  auth: TEraClientAuth;
  fetchFn: typeof fetch;
  /** What the client answers when a tool asks for the user's name. */
  elicitedName: string;
}): Promise<TEraClient> {
  const { kind, ...rest } = options;
  return kind === "sdk-1x" ? connectLegacy(rest) : connectModern({ kind, ...rest });
}
