import { describe, expect, it } from "vitest";
import { classifyClientEra } from "./classify-client-era";
import type { TJsonRpcMessage } from "./json-rpc-schemas";

const request = (params?: Record<string, unknown>, method = "tools/list"): TJsonRpcMessage => ({
  kind: "request",
  message: { jsonrpc: "2.0", id: 1, method, ...(params ? { params } : {}) },
});
const envelope = {
  _meta: {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
  },
};

describe("classifyClientEra", () => {
  it("serves a request with the 2026-07-28 envelope as modern, even with a session id", () => {
    expect(classifyClientEra(request(envelope), new Headers())).toBe("modern");
    expect(classifyClientEra(request(envelope), new Headers({ "mcp-session-id": "abc" }))).toBe("modern");
    expect(classifyClientEra(request(envelope, "initialize"), new Headers())).toBe("modern");
  });

  it("serves initialize and requests in a session as legacy", () => {
    expect(classifyClientEra(request({ protocolVersion: "2025-11-25" }, "initialize"), new Headers())).toBe(
      "legacy",
    );
    const inSession = new Headers({ "mcp-session-id": "abc", "mcp-protocol-version": "2025-11-25" });
    expect(classifyClientEra(request({}), inSession)).toBe("legacy");
    expect(
      classifyClientEra(
        request({}),
        new Headers({ "mcp-session-id": "abc", "mcp-protocol-version": "1900-01-01" }),
      ),
    ).toBe("legacy");
  });

  it("takes a sessionless request whose version header names no 2025 revision as modern", () => {
    expect(classifyClientEra(request({}), new Headers({ "mcp-protocol-version": "2026-07-28" }))).toBe(
      "modern",
    );
    expect(classifyClientEra(request(), new Headers({ "mcp-protocol-version": "v999.0.0" }))).toBe("modern");
    expect(classifyClientEra(request({}), new Headers({ "mcp-protocol-version": "2025-06-18" }))).toBe(
      "legacy",
    );
    expect(classifyClientEra(request({}), new Headers())).toBe("legacy");
  });

  it("takes a client's response by its headers: in a session 2025, else by its version header", () => {
    const response: TJsonRpcMessage = { kind: "response", message: { jsonrpc: "2.0", id: 1, result: {} } };
    expect(classifyClientEra(response, new Headers({ "mcp-session-id": "abc" }))).toBe("legacy");
    // 2026-07-28 clients send no responses over HTTP: the modern path refuses it plainly.
    expect(classifyClientEra(response, new Headers({ "mcp-protocol-version": "2026-07-28" }))).toBe("modern");
    expect(classifyClientEra(response, new Headers())).toBe("legacy");
  });
});
