import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { flushAuditEvents } from "../audit/write-audit-event";
import { getDb } from "../db";
import { RateLimitError } from "../errors";
import { RATE_LIMIT_POLICIES } from "../rate-limit/rate-limit-policies";
import { waitForFreshWindow } from "../testing/wait-for-fresh-window";
import { createUserAccount } from "./create-user-account";
import { signInWithPassword } from "./sign-in-with-password";

const newOrigin = () => ({ ip: `203.0.113.${randomBytes(4).toString("hex")}`, userAgent: "vitest" });

async function lastSignInAudit() {
  await flushAuditEvents();
  return getDb().auditLog.findFirst({ where: { eventType: "auth.sign_in" }, orderBy: { createdAt: "desc" } });
}

describe("signInWithPassword", () => {
  it("returns the account for the right password and audits the success", async () => {
    const user = await createUserAccount({ email: "ok@example.com", password: "right password" });

    const result = await signInWithPassword({
      credentials: { email: "OK@example.com", password: "right password" },
      origin: newOrigin(),
    });

    expect(result).toEqual(user);
    expect(await lastSignInAudit()).toMatchObject({ outcome: "SUCCESS", actorUserId: user.id });
  });

  it("returns null for a wrong password and audits it with a reason code, never the password", async () => {
    await createUserAccount({ email: "bad@example.com", password: "right password" });

    const result = await signInWithPassword({
      credentials: { email: "bad@example.com", password: "wrong password" },
      origin: newOrigin(),
    });

    expect(result).toBeNull();
    const audit = await lastSignInAudit();
    expect(audit).toMatchObject({ outcome: "FAILURE", reason: "invalid_credentials" });
    expect(JSON.stringify(audit)).not.toContain("wrong password");
  });

  it("records a wrong password against the targeted account, so its owner can see the attempt", async () => {
    const user = await createUserAccount({ email: "target@example.com", password: "right password" });

    const result = await signInWithPassword({
      credentials: { email: "Target@Example.com", password: "wrong password" },
      origin: newOrigin(),
    });

    expect(result).toBeNull();
    expect(await lastSignInAudit()).toMatchObject({
      outcome: "FAILURE",
      reason: "invalid_credentials",
      actorUserId: user.id,
    });
  });

  it("records an attempt at an unknown email with no account", async () => {
    const result = await signInWithPassword({
      credentials: { email: "ghost@example.com", password: "any password" },
      origin: newOrigin(),
    });

    expect(result).toBeNull();
    expect(await lastSignInAudit()).toMatchObject({
      outcome: "FAILURE",
      reason: "invalid_credentials",
      actorUserId: null,
    });
  });

  it("returns null for input that is not an email and password", async () => {
    const result = await signInWithPassword({ credentials: { email: "not-an-email" }, origin: newOrigin() });

    expect(result).toBeNull();
    expect(await lastSignInAudit()).toMatchObject({ outcome: "FAILURE", reason: "invalid_input" });
  });

  it("refuses the eleventh attempt for one address and email, even with the right password", async () => {
    const user = await createUserAccount({ email: "guessed@example.com", password: "right password" });
    const origin = newOrigin();
    for (let i = 0; i < 10; i += 1) {
      await signInWithPassword({
        credentials: { email: "guessed@example.com", password: `guess ${i}` },
        origin,
      });
    }

    const attempt = signInWithPassword({
      credentials: { email: "guessed@example.com", password: "right password" },
      origin,
    });

    await expect(attempt).rejects.toBeInstanceOf(RateLimitError);
    expect(await lastSignInAudit()).toMatchObject({
      outcome: "DENIED",
      reason: "rate_limited",
      actorUserId: user.id,
    });
    // Another address is not locked out by this one's failures.
    await expect(
      signInWithPassword({
        credentials: { email: "guessed@example.com", password: "right password" },
        origin: newOrigin(),
      }),
    ).resolves.not.toBeNull();
  });

  it("never locks out an owner who signs in often: 40 successes in a row from one address", async () => {
    // Past both budgets (10 per address and email, 30 per account), in one window.
    const user = await createUserAccount({ email: "frequent@example.com", password: "right password" });
    const origin = newOrigin();
    for (let i = 0; i < 40; i += 1) {
      await expect(
        signInWithPassword({
          credentials: { email: "frequent@example.com", password: "right password" },
          origin,
        }),
      ).resolves.toEqual(user);
    }
  });

  it("resets this address's failure count on success: 9 failures, a success, then 10 more before a refusal", async () => {
    await waitForFreshWindow(RATE_LIMIT_POLICIES.signIn);
    await createUserAccount({ email: "forgetful@example.com", password: "right password" });
    const origin = newOrigin();
    const attempt = (password: string) =>
      signInWithPassword({ credentials: { email: "forgetful@example.com", password }, origin });
    for (let i = 0; i < 9; i += 1) await expect(attempt(`guess ${i}`)).resolves.toBeNull();
    await expect(attempt("right password")).resolves.not.toBeNull();
    // Without the reset, the 20 attempts so far would be well past the 10 allowed.
    for (let i = 0; i < 10; i += 1) await expect(attempt(`guess again ${i}`)).resolves.toBeNull();
    // Failures still count: the eleventh since the success is refused, the right password included.
    await expect(attempt("right password")).rejects.toBeInstanceOf(RateLimitError);
  });

  it("resets the per-account failure count on success, and counts failures against it again afterwards", async () => {
    await waitForFreshWindow(RATE_LIMIT_POLICIES.signInAccount);
    await createUserAccount({ email: "reset-account@example.com", password: "right password" });
    const attempt = (password: string) =>
      signInWithPassword({
        credentials: { email: "reset-account@example.com", password },
        origin: newOrigin(),
      });
    for (let i = 0; i < 29; i += 1) await expect(attempt(`guess ${i}`)).resolves.toBeNull();
    await expect(attempt("right password")).resolves.not.toBeNull();
    for (let i = 0; i < 30; i += 1) await expect(attempt(`guess again ${i}`)).resolves.toBeNull();
    await expect(attempt("right password")).rejects.toBeInstanceOf(RateLimitError);
  });

  it("caps guesses at one account however many addresses they come from", async () => {
    await createUserAccount({ email: "sprayed@example.com", password: "right password" });
    // 30 per hour per email; each guess from a fresh (forged) address stays under the per-IP limit.
    for (let i = 0; i < 30; i += 1) {
      await signInWithPassword({
        credentials: { email: "sprayed@example.com", password: `guess ${i}` },
        origin: newOrigin(),
      });
    }
    await expect(
      signInWithPassword({
        credentials: { email: "sprayed@example.com", password: "right password" },
        origin: newOrigin(),
      }),
    ).rejects.toBeInstanceOf(RateLimitError);
    // Other accounts are unaffected.
    await createUserAccount({ email: "other@example.com", password: "right password" });
    await expect(
      signInWithPassword({
        credentials: { email: "other@example.com", password: "right password" },
        origin: newOrigin(),
      }),
    ).resolves.not.toBeNull();
  });
});
