import { describe, expect, it } from "vitest";
import { flushAuditEvents } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { InsufficientScopeError } from "../oauth-errors";
import { assertServerScope } from "./assert-server-scope";
import type { TMcpAuthContext } from "./mcp-auth-context";

// The scope check the proxy runs before a tools/call: exact segments, `*` for every server, and an
// audited refusal naming the scope the client needs.

const authWith = (scopes: string[]): TMcpAuthContext => ({
  kind: "oauth",
  userId: "user-1",
  instanceId: "3f1c2e9a-8b7d-4c6e-9a1b-2c3d4e5f6a7b",
  clientId: "oauth-client-1",
  clientRowId: "client-row-1",
  scopes,
  jti: "jti-1",
});

describe("assertServerScope", () => {
  it("grants the named server and every server for mcp:access:*", () => {
    expect(() =>
      assertServerScope({ auth: authWith(["mcp:access:notion"]), serverSlug: "notion" }),
    ).not.toThrow();
    expect(() => assertServerScope({ auth: authWith(["mcp:access:*"]), serverSlug: "notion" })).not.toThrow();
    expect(() => assertServerScope({ auth: authWith(["mcp:access:*"]), serverSlug: "linear" })).not.toThrow();
  });

  it("compares whole segments: mcp:access:not does not grant notion", async () => {
    const error = (() => {
      try {
        assertServerScope({
          auth: authWith(["mcp:access:not", "mcp:access:notion:x"]),
          serverSlug: "notion",
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect((error as InsufficientScopeError).scopes).toEqual(["mcp:access:notion"]);
    expect((error as InsufficientScopeError).status).toBe(403);

    await flushAuditEvents();
    const event = await getDb().auditLog.findFirst({ where: { eventType: "mcp.scope_denied" } });
    expect(event).toMatchObject({
      outcome: "DENIED",
      actorUserId: "user-1",
      // The AiClient row id, as every audit writer stores it; the OAuth client_id only in the detail.
      clientId: "client-row-1",
      reason: "insufficient_scope",
      detail: { serverSlug: "notion", requiredScope: "mcp:access:notion", oauthClientId: "oauth-client-1" },
    });
  });

  it("grants nothing with no scopes", () => {
    expect(() => assertServerScope({ auth: authWith([]), serverSlug: "notion" })).toThrow(
      InsufficientScopeError,
    );
  });
});
