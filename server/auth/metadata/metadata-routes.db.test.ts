import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as authorizationServerRoute from "@/app/.well-known/oauth-authorization-server/route";
import * as protectedResourceRoute from "@/app/.well-known/oauth-protected-resource/mcp/[instanceId]/route";
import * as openIdConfigurationRoute from "@/app/.well-known/openid-configuration/route";
import { createTestInstance, createTestUser } from "../../testing/tier1-fixtures";

// The discovery routes as a client sees them: the real route handlers, on a real database.

const getProtectedResource = (instanceId: string) =>
  protectedResourceRoute.GET(
    new Request(`http://localhost:3000/.well-known/oauth-protected-resource/mcp/${instanceId}`),
    { params: Promise.resolve({ instanceId }) },
  );

describe("RFC 8414 metadata routes", () => {
  it("serve the same public, cacheable, CORS-readable document on both paths", async () => {
    const response = await authorizationServerRoute.GET(
      new Request("http://localhost:3000/.well-known/oauth-authorization-server"),
      undefined,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const body = await response.json();
    expect(body.issuer).toBe("http://localhost:3000");
    expect(body.code_challenge_methods_supported).toEqual(["S256"]);

    const openId = await openIdConfigurationRoute.GET(
      new Request("http://localhost:3000/.well-known/openid-configuration"),
      undefined,
    );
    expect(await openId.json()).toEqual(body);
  });

  it("answer a CORS preflight", async () => {
    const response = await authorizationServerRoute.OPTIONS(
      new Request("http://localhost:3000/.well-known/oauth-authorization-server", { method: "OPTIONS" }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toContain("GET");
  });
});

describe("RFC 9728 protected-resource metadata route", () => {
  it("describes an instance: its URL, Tumiki as its issuer, its scopes, header bearer only", async () => {
    const user = await createTestUser();
    const instance = await createTestInstance({
      userId: user.id,
      serverSlugs: [`zeta-${Date.now()}`, "alpha-pr"],
    });
    const response = await getProtectedResource(instance.id);

    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const body = await response.json();
    expect(body).toEqual({
      resource: `http://localhost:3000/mcp/${instance.id}`,
      authorization_servers: ["http://localhost:3000"],
      scopes_supported: ["mcp:access:*", "mcp:access:alpha-pr", expect.stringMatching(/^mcp:access:zeta-/)],
      bearer_methods_supported: ["header"],
      resource_name: "Tumiki MCP instance",
      resource_documentation: "http://localhost:3000/",
    });
    // The public document does not leak the instance's own name.
    expect(JSON.stringify(body)).not.toContain(instance.name);
    // MCP 2026-07-28: refresh tokens are not a resource requirement.
    expect(body.scopes_supported).not.toContain("offline_access");
  });

  it("answers 404 JSON for an unknown or malformed instance id", async () => {
    for (const instanceId of [randomUUID(), "not-a-uuid", "../../etc"]) {
      const response = await getProtectedResource(instanceId);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(await response.json()).toEqual({
        error: { code: "NOT_FOUND", message: "No MCP instance has this URL." },
      });
    }
  });
});
