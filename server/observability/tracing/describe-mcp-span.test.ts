import { describe, expect, it } from "vitest";
import { describeMcpSpan } from "./describe-mcp-span";

// Span names and attributes by the OpenTelemetry GenAI conventions for MCP.

describe("describeMcpSpan", () => {
  it("names a tool call after its tool, with the execute_tool operation", () => {
    const span = describeMcpSpan({
      message: { method: "tools/call", id: 3, params: { name: "search", arguments: { q: "secret" } } },
      protocolVersion: "2025-11-25",
    });
    expect(span.name).toBe("tools/call search");
    expect(span.attributes()).toEqual({
      "mcp.method.name": "tools/call",
      "jsonrpc.request.id": "3",
      "mcp.protocol.version": "2025-11-25",
      "gen_ai.tool.name": "search",
      "gen_ai.operation.name": "execute_tool",
      "network.transport": "tcp",
      "network.protocol.name": "http",
    });
  });

  it("names prompts/get after its prompt, and anything else (or a call without a name) after the method", () => {
    const prompt = describeMcpSpan({
      message: { method: "prompts/get", id: "a", params: { name: "greet" } },
    });
    expect(prompt.name).toBe("prompts/get greet");
    expect(prompt.attributes()["gen_ai.prompt.name"]).toBe("greet");
    expect(prompt.attributes()["gen_ai.operation.name"]).toBeUndefined();
    const read = describeMcpSpan({
      message: { method: "resources/read", id: 1, params: { uri: "file:///x" } },
    });
    expect(read.name).toBe("resources/read");
    expect(JSON.stringify(read.attributes())).not.toContain("file:///x");
    expect(describeMcpSpan({ message: { method: "tools/call", id: 1, params: { name: 42 } } }).name).toBe(
      "tools/call",
    );
  });

  it("keeps a client's overlong tool name out of the span name", () => {
    const span = describeMcpSpan({
      message: { method: "tools/call", id: 1, params: { name: "x".repeat(5000) } },
    });
    expect(span.name.length).toBeLessThanOrEqual("tools/call ".length + 200);
  });

  it("records a session id only as a stable digest", () => {
    const sessionId = "3f1c0e4d-session-id-bearer-like";
    const first = describeMcpSpan({ message: { method: "tools/list", id: 1 }, sessionId }).attributes();
    const again = describeMcpSpan({ message: { method: "tools/list", id: 2 }, sessionId }).attributes();
    expect(first["mcp.session.id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(first["mcp.session.id"]).toBe(again["mcp.session.id"]);
    expect(JSON.stringify(first)).not.toContain(sessionId);
    expect(describeMcpSpan({ message: { method: "tools/list", id: 1 } }).attributes()["mcp.session.id"]).toBe(
      undefined,
    );
  });
});
