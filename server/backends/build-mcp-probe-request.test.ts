import { describe, expect, it } from "vitest";
import { buildMcpProbeRequest } from "./build-mcp-probe-request";

describe("buildMcpProbeRequest", () => {
  it("initialize: a 2025-11-25 Streamable HTTP initialize with its version header, refusing redirects", () => {
    const request = buildMcpProbeRequest({ kind: "initialize", url: "https://mcp.example.test/mcp" });

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

  it("discover: a 2026-07-28 server/discover whose headers match its _meta", () => {
    const request = buildMcpProbeRequest({ kind: "discover", url: "https://mcp.example.test/mcp" });

    expect(request.headers).toEqual({
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "server/discover",
    });
    expect(JSON.parse(String(request.body))).toEqual({
      jsonrpc: "2.0",
      id: 1,
      method: "server/discover",
      params: {
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": { name: "Tumiki", version: "1.0.0" },
        },
      },
    });
  });

  it("adds the caller's headers, e.g. an API key", () => {
    for (const kind of ["discover", "initialize"] as const) {
      const request = buildMcpProbeRequest({
        kind,
        url: "https://mcp.example.test/mcp",
        headers: { "x-api-key": "key" },
      });
      expect(request.headers).toMatchObject({ "x-api-key": "key" });
    }
  });
});
