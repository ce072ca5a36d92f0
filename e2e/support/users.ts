import { randomBytes } from "node:crypto";

/** A user no earlier run has created, so specs never depend on database state. */
export function createTestUser(): { email: string; password: string; name: string } {
  const id = randomBytes(6).toString("hex");
  return {
    email: `e2e-${id}@example.test`,
    password: `pw-${randomBytes(9).toString("base64url")}`,
    name: `E2E ${id}`,
  };
}

/**
 * A client address (198.18.0.0/15, reserved for testing) sent as x-forwarded-for, the way the reverse
 * proxy in front of Tumiki reports it: the app under test runs with TRUSTED_PROXY_HOPS=1. Sign-up allows
 * 5 accounts per address an hour: without this, repeated runs and other spec files would share one
 * bucket and fail on each other's sign-ups.
 */
export function createTestClientIp(): string {
  const [a = 0, b = 0, c = 0] = randomBytes(3);
  return `198.${18 + (a % 2)}.${b}.${c}`;
}
