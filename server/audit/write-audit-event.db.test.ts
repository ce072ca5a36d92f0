import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "../db";
import * as logger from "../logger";
import { flushAuditEvents, persistAuditEvent, writeAuditEvent } from "./write-audit-event";

const db = getDb();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("writeAuditEvent", () => {
  it("writes the event in the background (nothing to await), and redacts secrets from its detail", async () => {
    const jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";
    const returned = writeAuditEvent({
      eventType: "oauth.token_issued",
      outcome: "SUCCESS",
      actorUserId: "user-audit-1",
      clientId: "client-1",
      ip: "192.0.2.7",
      userAgent: "test-agent",
      detail: { grantType: "authorization_code", access_token: jwt, note: `issued ${jwt}`, code: "abc" },
    });
    expect(returned).toBeUndefined();
    await flushAuditEvents();

    const [row] = await db.auditLog.findMany({ where: { actorUserId: "user-audit-1" } });
    expect(row).toMatchObject({
      eventType: "oauth.token_issued",
      outcome: "SUCCESS",
      clientId: "client-1",
      ip: "192.0.2.7",
    });
    expect(row?.detail).toEqual({
      grantType: "authorization_code",
      access_token: "[redacted]",
      note: "issued [redacted]",
      code: "[redacted]",
    });
    expect(JSON.stringify(row)).not.toContain(jwt);
  });

  it("rejects an event of an unknown type before it reaches the database", async () => {
    await expect(
      persistAuditEvent({ eventType: "nope" as "auth.sign_in", outcome: "SUCCESS" }),
    ).rejects.toThrow();
  });

  it("never loses a failed write silently: it is logged, redacted", async () => {
    const error = vi.fn();
    vi.spyOn(logger, "getLogger").mockReturnValue({ error } as unknown as ReturnType<
      typeof logger.getLogger
    >);
    writeAuditEvent({
      eventType: "auth.sign_in",
      outcome: "FAILURE",
      actorUserId: "user-audit-2",
      // Longer than the schema allows: the write fails validation.
      reason: "x".repeat(500),
      detail: { password: "hunter2" },
    });
    await flushAuditEvents();
    expect(error).toHaveBeenCalledTimes(1);
    const [fields, message] = error.mock.calls[0] as [Record<string, unknown>, string];
    expect(message).toBe("audit event could not be written");
    expect(fields.auditEvent).toMatchObject({ eventType: "auth.sign_in", actorUserId: "user-audit-2" });
    expect(JSON.stringify(fields)).not.toContain("hunter2");
    expect(await db.auditLog.count({ where: { actorUserId: "user-audit-2" } })).toBe(0);
  });
});
