import { writeAuditEvent } from "../audit/write-audit-event";
import { AppError, RateLimitError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import type { TAccountProfile, TSignUpInput } from "./account-schemas";
import { createUserAccount } from "./create-user-account";

type TSignUpUserOptions = { input: TSignUpInput; origin: TRequestOrigin };

/** Sign-up as the public edge offers it: rate limited per IP, audited whatever the outcome. */
export async function signUpUser({ input, origin }: TSignUpUserOptions): Promise<TAccountProfile> {
  const auditBase = { eventType: "auth.sign_up", ip: origin.ip, userAgent: origin.userAgent } as const;
  try {
    await assertRateLimit("signUp", origin.ip);
    const user = await createUserAccount(input);
    writeAuditEvent({ ...auditBase, outcome: "SUCCESS", actorUserId: user.id });
    return user;
  } catch (error) {
    if (error instanceof RateLimitError) {
      writeAuditEvent({ ...auditBase, outcome: "DENIED", reason: "rate_limited" });
    } else if (error instanceof AppError && error.code === "CONFLICT") {
      writeAuditEvent({ ...auditBase, outcome: "FAILURE", reason: "email_taken" });
    }
    throw error;
  }
}
