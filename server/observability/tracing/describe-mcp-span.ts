import { createHash } from "node:crypto";
import type { Attributes } from "@opentelemetry/api";

// The name and attributes of a span for one MCP message, by the OpenTelemetry GenAI semantic
// conventions for MCP (semantic-conventions-genai, docs/gen-ai/mcp.md): the span is named
// `{mcp.method.name} {target}`, the target being the tool or prompt name (low cardinality); a resource
// URI is never part of the name. Tool arguments and results (opt-in attributes there) are never recorded.
// The attributes are computed only for a span that records (a provider is registered and sampled it).

export type TMcpMessageLike = {
  method: string;
  id?: string | number | null;
  params?: Record<string, unknown>;
};

/** The methods whose target names the span, and the attribute that carries it. */
const TARGETS: Record<string, "gen_ai.tool.name" | "gen_ai.prompt.name"> = {
  "tools/call": "gen_ai.tool.name",
  "prompts/get": "gen_ai.prompt.name",
};

const MAX_TARGET_LENGTH = 200;

/**
 * An MCP session id is a bearer-like value (whoever holds it speaks in the session): spans carry a
 * digest, which still correlates the requests of one session.
 */
const hashSessionId = (sessionId: string) =>
  createHash("sha256").update(sessionId, "utf8").digest("hex").slice(0, 32);

export function describeMcpSpan({
  message,
  sessionId,
  protocolVersion,
}: {
  message: TMcpMessageLike;
  /** The session the message belongs to (raw: hashed here), when it has one. */
  sessionId?: string | null;
  protocolVersion?: string | null;
}): { name: string; attributes: () => Attributes } {
  const { method, id, params } = message;
  const targetKey = TARGETS[method];
  const raw = targetKey ? params?.name : undefined;
  // A client may send any name (an unknown tool is refused later): bounded like the proxy's messages.
  const target = typeof raw === "string" && raw !== "" ? raw.slice(0, MAX_TARGET_LENGTH) : undefined;
  return {
    name: target ? `${method} ${target}` : method,
    attributes: () => {
      const attributes: Attributes = {
        "mcp.method.name": method,
        "network.transport": "tcp",
        "network.protocol.name": "http",
      };
      if (id !== undefined && id !== null) attributes["jsonrpc.request.id"] = String(id);
      if (protocolVersion) attributes["mcp.protocol.version"] = protocolVersion;
      if (sessionId) attributes["mcp.session.id"] = hashSessionId(sessionId);
      if (method === "tools/call") attributes["gen_ai.operation.name"] = "execute_tool";
      if (targetKey && target) attributes[targetKey] = target;
      return attributes;
    },
  };
}
