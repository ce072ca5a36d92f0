import { setTimeout as sleep } from "node:timers/promises";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

// MCP clients of both eras for the tests of tool call confirmation (issue 13): the v1 SDK (2025-11-25,
// Tumiki's question arrives as an elicitation/create request on the call's stream) and the v2 SDK pinned
// to 2026-07-28 (it arrives in an InputRequiredResult, which the SDK fulfils through the same handler
// and retries). The person behind each gives one scripted answer to every question; without elicitation
// the client declares none (the 2026-07-28 one declares sampling, so it still has capabilities).

/** What the person answers: an action, an error answer, never, or a yes that comes `lateMs` late. */
export type TConfirmAnswer = "accept" | "decline" | "cancel" | "error" | "never" | { lateMs: number };

export type TConfirmClient = {
  /** The params of each elicitation request the client was sent. */
  asked: Record<string, unknown>[];
  callTool(
    name: string,
    args: Record<string, unknown>,
    options?: { signal?: AbortSignal },
  ): Promise<Record<string, unknown>>;
  listTools(): Promise<string[]>;
  close(): Promise<void>;
};

export type TConfirmClientOptions = {
  url: string;
  bearer: string;
  answer?: TConfirmAnswer;
  /** Whether the client declares form elicitation (default true). */
  elicitation?: boolean;
  fetch?: typeof fetch;
  /** Called when a question arrives, before it is answered. */
  onAsk?: () => void;
};

export type TConfirmEra = {
  label: string;
  era: "legacy" | "modern";
  connect(options: TConfirmClientOptions): Promise<TConfirmClient>;
};

function answerWith(answer: TConfirmAnswer, asked: Record<string, unknown>[], onAsk?: () => void) {
  return async (request: { params: unknown }) => {
    asked.push(request.params as Record<string, unknown>);
    onAsk?.();
    if (answer === "never") return new Promise<never>(() => undefined);
    if (answer === "error") throw new Error("the user closed the dialog");
    if (typeof answer === "object") {
      await sleep(answer.lateMs);
      return { action: "accept" as const };
    }
    return { action: answer };
  };
}

export const LEGACY_CONFIRM_CLIENT: TConfirmEra = {
  label: "a 2025-11-25 client (SDK 1.x)",
  era: "legacy",
  async connect({ url, bearer, answer = "accept", elicitation = true, fetch: fetchFn = fetch, onAsk }) {
    const asked: Record<string, unknown>[] = [];
    const client = new LegacyClient(
      { name: "confirm-test-legacy", version: "1.0.0" },
      { capabilities: elicitation ? { elicitation: { form: {} } } : {} },
    );
    if (elicitation) client.setRequestHandler(ElicitRequestSchema, answerWith(answer, asked, onAsk));
    await client.connect(
      new LegacyTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${bearer}` } },
        fetch: fetchFn,
      }),
    );
    return {
      asked,
      callTool: async (name, args, options) =>
        (await client.callTool({ name, arguments: args }, undefined, options)) as Record<string, unknown>,
      listTools: async () => (await client.listTools()).tools.map((tool) => tool.name),
      close: () => client.close(),
    };
  },
};

export const MODERN_CONFIRM_CLIENT: TConfirmEra = {
  label: "a 2026-07-28 client (SDK 2.x)",
  era: "modern",
  async connect({ url, bearer, answer = "accept", elicitation = true, fetch: fetchFn = fetch, onAsk }) {
    const asked: Record<string, unknown>[] = [];
    const client = new ModernClient(
      { name: "confirm-test-modern", version: "1.0.0" },
      {
        capabilities: elicitation ? { elicitation: { form: {} } } : { sampling: {} },
        versionNegotiation: { mode: { pin: "2026-07-28" } },
      },
    );
    if (elicitation) client.setRequestHandler("elicitation/create", answerWith(answer, asked, onAsk));
    else
      client.setRequestHandler("sampling/createMessage", async () => ({
        role: "assistant" as const,
        model: "none",
        content: { type: "text" as const, text: "" },
      }));
    await client.connect(
      new ModernTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${bearer}` } },
        fetch: fetchFn,
      }),
    );
    if (client.getNegotiatedProtocolVersion() !== "2026-07-28") {
      throw new Error(`the client negotiated ${client.getNegotiatedProtocolVersion()}, not 2026-07-28`);
    }
    return {
      asked,
      callTool: async (name, args, options) =>
        (await client.callTool({ name, arguments: args }, options)) as unknown as Record<string, unknown>,
      listTools: async () =>
        (await client.listTools(undefined, { cacheMode: "bypass" })).tools.map((tool) => tool.name),
      close: () => client.close(),
    };
  },
};
