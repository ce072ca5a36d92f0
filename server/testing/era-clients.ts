import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

// MCP clients of both protocol eras for tests that put Tumiki between them and backends: the v1 SDK
// (`@modelcontextprotocol/sdk`, 2025-11-25, sessions) and the v2 SDK (`@modelcontextprotocol/client`,
// 2026-07-28 when pinned, or whichever era it negotiates in `auto` mode). Both declare elicitation
// (form and URL), sampling and roots, and answer them the same way, so a test can compare what a backend
// gets through Tumiki from either. Each records what it was asked.
//
// `fetch` can spread a client's requests over several Tumiki processes (roundRobinFetch): the answer to
// a relayed request, the retry of a multi round-trip request and the next call then land on another
// process than the one holding the stream they belong to.

export const ELICITED_NAME = "Ada";
export const SAMPLED_TEXT = "A summary from the client's model.";
export const CLIENT_ROOTS = [{ uri: "file:///projects/project", name: "Project" }];

const CAPABILITIES = { elicitation: { form: {}, url: {} }, sampling: {}, roots: { listChanged: true } };

export type TAsked = { method: string; params: Record<string, unknown> }[];

/** Sends each request to the next origin in turn, keeping path, query, headers and body. */
export function roundRobinFetch(origins: string[]): typeof fetch {
  let next = 0;
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const origin = new URL(origins[next % origins.length] as string);
    next += 1;
    url.protocol = origin.protocol;
    url.host = origin.host;
    return fetch(input instanceof Request ? new Request(url, input) : url, init);
  };
}

const elicitationAnswer = (params: Record<string, unknown>) =>
  params.mode === "url"
    ? { action: "accept" as const }
    : { action: "accept" as const, content: { name: ELICITED_NAME } };

const samplingAnswer = () => ({
  role: "assistant" as const,
  model: "test-model",
  stopReason: "endTurn",
  content: { type: "text" as const, text: SAMPLED_TEXT },
});

export async function connectLegacyClient({
  url,
  bearer,
  fetch: fetchFn = fetch,
}: {
  url: string;
  bearer: string;
  fetch?: typeof fetch;
}): Promise<{ client: LegacyClient; asked: TAsked }> {
  const asked: TAsked = [];
  const client = new LegacyClient(
    { name: "legacy-test-client", version: "1.0.0" },
    { capabilities: CAPABILITIES },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push({ method: request.method, params: request.params as Record<string, unknown> });
    return elicitationAnswer(request.params as Record<string, unknown>);
  });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    asked.push({ method: request.method, params: request.params as Record<string, unknown> });
    return samplingAnswer();
  });
  client.setRequestHandler(ListRootsRequestSchema, async (request) => {
    asked.push({ method: request.method, params: (request.params ?? {}) as Record<string, unknown> });
    return { roots: CLIENT_ROOTS };
  });
  const transport = new LegacyTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${bearer}` } },
    fetch: fetchFn,
  });
  await client.connect(transport);
  return { client, asked };
}

export async function connectModernClient({
  url,
  bearer,
  fetch: fetchFn = fetch,
  mode = "pin",
}: {
  url: string;
  bearer: string;
  fetch?: typeof fetch;
  /** "pin": 2026-07-28 or nothing; "auto": probe with server/discover, fall back to 2025. */
  mode?: "pin" | "auto";
}): Promise<{ client: ModernClient; asked: TAsked }> {
  const asked: TAsked = [];
  const client = new ModernClient(
    { name: "modern-test-client", version: "1.0.0" },
    {
      capabilities: CAPABILITIES,
      versionNegotiation: { mode: mode === "pin" ? { pin: "2026-07-28" } : "auto" },
    },
  );
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push({ method: "elicitation/create", params: request.params as Record<string, unknown> });
    return elicitationAnswer(request.params as Record<string, unknown>);
  });
  client.setRequestHandler("sampling/createMessage", async (request) => {
    asked.push({ method: "sampling/createMessage", params: request.params as Record<string, unknown> });
    return samplingAnswer();
  });
  client.setRequestHandler("roots/list", async (request) => {
    asked.push({ method: "roots/list", params: (request.params ?? {}) as Record<string, unknown> });
    return { roots: CLIENT_ROOTS };
  });
  const transport = new ModernTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${bearer}` } },
    fetch: fetchFn,
  });
  await client.connect(transport);
  return { client, asked };
}
