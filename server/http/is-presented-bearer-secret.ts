import { createHash, timingSafeEqual } from "node:crypto";

// The gate of the operator endpoints that take a shared secret as a bearer token (/api/metrics with
// METRICS_TOKEN, /api/cron/* with CRON_SECRET). Both sides are hashed before timingSafeEqual, so the
// time taken says nothing about the lengths or about how much of a guess was right. A shared leaf: it
// needs no tier's secrets machinery.

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function isPresentedBearerSecret({
  authorization,
  secret,
}: {
  authorization: string | null;
  secret: string;
}): boolean {
  const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1] ?? "";
  return timingSafeEqual(digest(presented), digest(secret));
}
