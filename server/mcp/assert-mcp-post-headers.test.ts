import { describe, expect, it } from "vitest";
import { assertMcpPostHeaders } from "./assert-mcp-post-headers";
import { McpRequestError } from "./mcp-request-error";

const statusOf = (headers: Record<string, string>, era: "legacy" | "modern" = "legacy") => {
  try {
    assertMcpPostHeaders(new Headers(headers), era);
    return 0;
  } catch (error) {
    if (error instanceof McpRequestError) return error.status;
    throw error;
  }
};

const good = { accept: "application/json, text/event-stream", "content-type": "application/json" };

describe("assertMcpPostHeaders", () => {
  it("passes a conforming POST, with parameters, wildcards and any supported version", () => {
    expect(statusOf(good)).toBe(0);
    expect(statusOf({ ...good, accept: "text/event-stream;q=0.9, application/json;q=1" })).toBe(0);
    expect(statusOf({ ...good, accept: "*/*" })).toBe(0);
    expect(statusOf({ ...good, "content-type": "application/json; charset=utf-8" })).toBe(0);
    for (const version of ["2025-11-25", "2025-06-18", "2025-03-26"]) {
      expect(statusOf({ ...good, "mcp-protocol-version": version })).toBe(0);
    }
  });

  it("refuses an Accept without both types with 406", () => {
    for (const accept of ["application/json", "text/event-stream", "text/html", ""]) {
      expect(statusOf({ ...good, accept }), accept).toBe(406);
    }
  });

  it("refuses a body that is not JSON with 415", () => {
    for (const type of ["text/plain", "application/jsonx", "multipart/form-data", ""]) {
      expect(statusOf({ ...good, "content-type": type }), type).toBe(415);
    }
  });

  it("refuses an unsupported MCP-Protocol-Version of a 2025 session with 400", () => {
    for (const version of ["2024-11-05", "2026-01-01", "latest", ""]) {
      expect(statusOf({ ...good, "mcp-protocol-version": version }), version).toBe(400);
    }
  });

  it("leaves a 2026-07-28 request's version to the envelope check, but not its media types", () => {
    expect(statusOf({ ...good, "mcp-protocol-version": "2026-07-28" }, "modern")).toBe(0);
    expect(statusOf({ ...good, "mcp-protocol-version": "v999" }, "modern")).toBe(0);
    expect(statusOf({ ...good, accept: "application/json" }, "modern")).toBe(406);
  });
});
