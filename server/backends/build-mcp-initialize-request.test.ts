import { describe, expect, it } from "vitest";
import { buildMcpInitializeRequest } from "./build-mcp-initialize-request";

describe("buildMcpInitializeRequest", () => {
  it("is a Streamable HTTP initialize with the protocol version header, refusing redirects", () => {
    const request = buildMcpInitializeRequest({ url: "https://mcp.example.test/mcp" });

    expect(request).toMatchObject({ url: "https://mcp.example.test/mcp", method: "POST", maxRedirects: 0 });
    expect(request.headers).toEqual({
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-protocol-version": "2025-11-25",
    });
    expect(JSON.parse(String(request.body))).toMatchObject({
      jsonrpc: "2.0",
      method: "initialize",
      params: { protocolVersion: "2025-11-25", clientInfo: { name: "Tumiki" } },
    });
  });

  it("adds the caller's headers, e.g. an API key", () => {
    const request = buildMcpInitializeRequest({
      url: "https://mcp.example.test/mcp",
      headers: { "x-api-key": "key" },
    });

    expect(request.headers).toMatchObject({ "x-api-key": "key", "mcp-protocol-version": "2025-11-25" });
  });
});
