import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { flushAuditEvents } from "../audit/write-audit-event";
import { getDb } from "../db";
import { RateLimitError } from "../errors";
import { signUpUser } from "./sign-up-user";

// A fresh address per test keeps each test in its own rate-limit window.
const newOrigin = () => ({ ip: `198.51.100.${randomBytes(4).toString("hex")}`, userAgent: "vitest" });

async function auditRows() {
  await flushAuditEvents();
  return getDb().auditLog.findMany({ where: { eventType: "auth.sign_up" }, orderBy: { createdAt: "asc" } });
}

describe("signUpUser", () => {
  it("creates the account and audits the sign-up with the caller's address", async () => {
    const origin = newOrigin();

    const user = await signUpUser({ input: { email: "new@example.com", password: "long enough" }, origin });

    const rows = await auditRows();
    expect(rows.at(-1)).toMatchObject({
      outcome: "SUCCESS",
      actorUserId: user.id,
      ip: origin.ip,
      userAgent: "vitest",
    });
  });

  it("audits a duplicate email as a failure and rethrows the CONFLICT", async () => {
    const origin = newOrigin();
    await signUpUser({ input: { email: "twice@example.com", password: "long enough" }, origin });

    await expect(
      signUpUser({ input: { email: "twice@example.com", password: "long enough" }, origin }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await auditRows()).at(-1)).toMatchObject({ outcome: "FAILURE", reason: "email_taken" });
  });

  it("refuses the sixth sign-up from one address within the hour, before creating anything", async () => {
    const origin = newOrigin();
    for (let i = 0; i < 5; i += 1) {
      await signUpUser({ input: { email: `burst${i}@example.com`, password: "long enough" }, origin });
    }

    const sixth = signUpUser({ input: { email: "burst5@example.com", password: "long enough" }, origin });

    await expect(sixth).rejects.toBeInstanceOf(RateLimitError);
    expect(await getDb().user.count({ where: { email: "burst5@example.com" } })).toBe(0);
    expect((await auditRows()).at(-1)).toMatchObject({ outcome: "DENIED", reason: "rate_limited" });
  });
});
