import { createHash, timingSafeEqual } from "node:crypto";
import { getEnv } from "../env";
import { AppError } from "../errors";

// The gate of the Vercel Cron routes (/api/cron/*): Vercel sends `Authorization: Bearer <CRON_SECRET>`.
// Without CRON_SECRET the routes do not exist (404, as any unknown URL), so a deployment never exposes a
// job to anyone by accident. The secret is compared as SHA-256 digests with timingSafeEqual: equal
// lengths always, and the time taken says nothing about how much of a guess was right.

const digest = (value: string) => createHash("sha256").update(value).digest();

export function assertCronRequest({ request }: { request: Request }): void {
  const secret = getEnv().CRON_SECRET;
  if (!secret) throw new AppError("NOT_FOUND", { message: "CRON_SECRET is not set" });
  const presented = /^Bearer +(\S+) *$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!timingSafeEqual(digest(presented), digest(secret))) {
    throw new AppError("UNAUTHORIZED", {
      message: "cron request without the right CRON_SECRET",
      userMessage: "A valid cron secret is required.",
    });
  }
}
