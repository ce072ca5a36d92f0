import { withRouteErrors } from "@/server/http/with-route-errors";
import { assertCronRequest } from "@/server/jobs/assert-cron-request";
import { runCleanup } from "@/server/jobs/cleanup/run-cleanup";

// The retention and clean-up job as a Vercel Cron route (vercel.json: daily at 03:17 UTC). Self-hosted,
// `npm run jobs:cleanup` runs the same job from the system's cron.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const maxDuration = 300;

// No batch starts after four minutes, so the function ends well within maxDuration; the next run
// carries on where this one stopped.
const TIME_BUDGET_MS = 240_000;

export const GET = withRouteErrors(async (request) => {
  assertCronRequest({ request });
  const result = await runCleanup({ timeBudgetMs: TIME_BUDGET_MS });
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
});
