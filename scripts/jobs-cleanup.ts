import { getDb } from "../server/db";
import { runCleanup } from "../server/jobs/cleanup/run-cleanup";
import { prepareLocalEnv } from "./local-env";

// The environment `npm start` runs with: .env, then on a developer's machine the local secrets and the
// embedded database it made (a deployment sets every variable itself).
Object.assign(process.env, prepareLocalEnv({ quiet: true }));

// `npm run jobs:cleanup`: the retention and clean-up job for self-hosted deployments, from the system's
// cron (README, "Retention and clean-up"). No time budget: it runs until nothing expired is left. Safe
// to start while another run is going; exits non-zero when the job failed.

async function main(): Promise<void> {
  const result = await runCleanup();
  for (const [table, count] of Object.entries(result.deleted)) console.log(`${table}: ${count} deleted`);
  console.log(`total: ${result.total} rows in ${(result.durationMs / 1000).toFixed(1)} s`);
  await getDb().$disconnect();
  // The audit write's connection pool would keep the process alive.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
