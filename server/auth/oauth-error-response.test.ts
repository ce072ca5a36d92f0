import { describe, expect, it } from "vitest";
import { AppError, RateLimitError } from "../errors";
import { oauthErrorResponse } from "./oauth-error-response";
import {
  InsufficientScopeError,
  InvalidClientError,
  InvalidGrantError,
  InvalidTokenError,
} from "./oauth-errors";

// The one OAuth error serializer: status codes and challenges as RFC 6749 §5.2 and RFC 6750 §3 define
// them, and no internal detail in any body.

const RESOURCE_METADATA =
  "http://localhost:3000/.well-known/oauth-protected-resource/mcp/3f1c2e9a-8b7d-4c6e-9a1b-2c3d4e5f6a7b";

describe("oauthErrorResponse", () => {
  it("answers insufficient_scope with 403 and a Bearer challenge naming the scope and the metadata", async () => {
    const response = oauthErrorResponse(new InsufficientScopeError(["mcp:access:x"]), {
      resourceMetadataUrl: RESOURCE_METADATA,
    });
    expect(response.status).toBe(403);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer error="insufficient_scope", error_description="[^"]+"/);
    expect(challenge).toContain('scope="mcp:access:x"');
    expect(challenge).toContain(`resource_metadata="${RESOURCE_METADATA}"`);
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("names every scope an insufficient_scope needs in one challenge, even given other scopes", async () => {
    const response = oauthErrorResponse(new InsufficientScopeError(["mcp:access:a", "mcp:access:b"]), {
      resourceMetadataUrl: RESOURCE_METADATA,
      challengeScopes: ["mcp:access:*"],
    });
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge.match(/scope="/g)).toHaveLength(1);
    expect(challenge).toContain('scope="mcp:access:a mcp:access:b"');
    expect(challenge).not.toContain("mcp:access:*");
    expect((await response.json()).error_description).toBe(
      "This request needs the scopes mcp:access:a mcp:access:b.",
    );
  });

  it("names the challenge scopes in a 401, with or without an error code", async () => {
    const invalid = oauthErrorResponse(new InvalidTokenError("The access token has expired."), {
      resourceMetadataUrl: RESOURCE_METADATA,
      challengeScopes: ["mcp:access:*"],
    });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get("www-authenticate")).toBe(
      `Bearer error="invalid_token", error_description="The access token has expired.", scope="mcp:access:*", resource_metadata="${RESOURCE_METADATA}"`,
    );

    const missing = oauthErrorResponse(
      new InvalidTokenError("An access token is needed.", { reason: "missing_token" }),
      { resourceMetadataUrl: RESOURCE_METADATA, challengeScopes: ["mcp:access:*"] },
    );
    // RFC 6750 §3.1: no error code for a request without credentials; the scope is guidance, not an error.
    expect(missing.headers.get("www-authenticate")).toBe(
      `Bearer scope="mcp:access:*", resource_metadata="${RESOURCE_METADATA}"`,
    );
  });

  it("writes no scope without challenge scopes, and no challenge at all outside the protected resource", () => {
    const bare = oauthErrorResponse(new InvalidTokenError("The access token has expired."), {
      resourceMetadataUrl: RESOURCE_METADATA,
    });
    expect(bare.headers.get("www-authenticate")).not.toContain("scope=");

    const token = oauthErrorResponse(new InvalidGrantError("The code is invalid."), {
      challengeScopes: ["mcp:access:*"],
    });
    expect(token.headers.get("www-authenticate")).toBeNull();
  });

  it("answers invalid_client with 401 and a Basic challenge when the client used Basic", async () => {
    const response = oauthErrorResponse(new InvalidClientError("Client authentication failed."), {
      usedBasicAuth: true,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="tumiki"');
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  it("answers invalid_client with 400 and no challenge when the client did not use Basic", async () => {
    const response = oauthErrorResponse(new InvalidClientError("Client authentication failed."));
    expect(response.status).toBe(400);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  it("answers an unavailable dependency with 503 and Retry-After", async () => {
    const response = oauthErrorResponse(
      new AppError("UNAVAILABLE", { message: "redis down", userMessage: "Try again in a minute." }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toEqual({
      error: "temporarily_unavailable",
      error_description: "Try again in a minute.",
    });
  });

  it("answers a rate limit with 429 and Retry-After", () => {
    const now = Date.now();
    const response = oauthErrorResponse(
      new RateLimitError("oauthToken", { limit: 100, remaining: 0, resetAt: now + 30_000 }, now),
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("answers other OAuth errors with their status, no-store and no challenge", async () => {
    const response = oauthErrorResponse(new InvalidGrantError("The authorization code is invalid."));
    expect(response.status).toBe(400);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("www-authenticate")).toBeNull();
  });

  it("answers anything else with a generic server_error and no internal message", async () => {
    const response = oauthErrorResponse(new Error("database password is hunter2"));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: "server_error" });
    expect(text).not.toContain("hunter2");
  });
});
