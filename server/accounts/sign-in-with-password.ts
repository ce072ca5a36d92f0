import { writeAuditEvent } from "../audit/write-audit-event";
import { getDb } from "../db";
import { RateLimitError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { getLogger } from "../logger";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { resetRateLimit } from "../rate-limit/reset-rate-limit";
import { type TAccountProfile, ZSignInInput } from "./account-schemas";
import { verifyUserPassword } from "./verify-user-password";

// Only failed sign-ins add up: every attempt is counted before the password is checked, and a right
// password deletes this email's counts (per address and per account). Counting only after a failure,
// as the token endpoint does for client authentication, would let parallel guesses all pass the check
// while the first ones are still being verified; counting first keeps the bound exact, and the reset
// keeps an owner who signs in often (17 times in half an hour locked accounts out before) from ever
// running into it.

type TSignInWithPasswordOptions = { credentials: unknown; origin: TRequestOrigin };

/**
 * Email + password sign-in for the Credentials provider: the account, or null for any failure the user
 * may only learn as "email or password is incorrect". Throws RateLimitError when over the limit.
 */
export async function signInWithPassword({
  credentials,
  origin,
}: TSignInWithPasswordOptions): Promise<TAccountProfile | null> {
  const auditBase = { eventType: "auth.sign_in", ip: origin.ip, userAgent: origin.userAgent } as const;
  const parsed = ZSignInInput.safeParse(credentials);
  if (!parsed.success) {
    writeAuditEvent({ ...auditBase, outcome: "FAILURE", reason: "invalid_input" });
    return null;
  }
  const perAddress = `${origin.ip}:${parsed.data.email}`;
  try {
    // Keyed by IP and email: one attacker cannot lock a victim out from everywhere, nor spray one account.
    await assertRateLimit("signIn", perAddress);
    // And by email alone: rotating forged addresses must not buy unlimited guesses at one account.
    await assertRateLimit("signInAccount", parsed.data.email);
  } catch (error) {
    if (error instanceof RateLimitError) {
      const actorUserId = await lookUpTargetedUserId(parsed.data.email);
      writeAuditEvent({ ...auditBase, outcome: "DENIED", reason: "rate_limited", actorUserId });
    }
    throw error;
  }
  const user = await verifyUserPassword(parsed.data);
  if (!user) {
    const actorUserId = await lookUpTargetedUserId(parsed.data.email);
    writeAuditEvent({ ...auditBase, outcome: "FAILURE", reason: "invalid_credentials", actorUserId });
    return null;
  }
  writeAuditEvent({ ...auditBase, outcome: "SUCCESS", actorUserId: user.id, detail: { method: "password" } });
  await forgetFailedSignIns(perAddress, parsed.data.email);
  return user;
}

/** The password was right: earlier failures no longer count. A store failure costs only the reset. */
async function forgetFailedSignIns(perAddress: string, email: string): Promise<void> {
  try {
    await Promise.all([resetRateLimit("signIn", perAddress), resetRateLimit("signInAccount", email)]);
  } catch (error) {
    getLogger().warn(
      { err: error },
      "sign-in failure counts could not be reset; they expire with their window",
    );
  }
}

/**
 * The account a failed attempt was aimed at, so its owner's audit log shows attempts against it. The
 * client never sees it, and the lookup runs for unknown emails too, so it adds no timing difference.
 */
async function lookUpTargetedUserId(email: string): Promise<string | undefined> {
  const user = await getDb().user.findUnique({ where: { email }, select: { id: true } });
  return user?.id;
}
