import { getEnv } from "../env";
import { AppError } from "../errors";
import { isPresentedBearerSecret } from "../http/is-presented-bearer-secret";

// The gate of the Vercel Cron routes (/api/cron/*): Vercel sends `Authorization: Bearer <CRON_SECRET>`.
// Without CRON_SECRET the routes do not exist (404, as any unknown URL), so a deployment never exposes a job
// to anyone by accident.

export function assertCronRequest({ request }: { request: Request }): void {
  const secret = getEnv().CRON_SECRET;
  if (!secret) throw new AppError("NOT_FOUND", { message: "CRON_SECRET is not set" });
  if (!isPresentedBearerSecret({ authorization: request.headers.get("authorization"), secret })) {
    throw new AppError("UNAUTHORIZED", {
      message: "cron request without the right CRON_SECRET",
      userMessage: "A valid cron secret is required.",
    });
  }
}
