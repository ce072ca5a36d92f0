import path from "node:path";
import { checkVercelOutput } from "./vercel/check-vercel-output";

// `tsx scripts/check-vercel-output.ts [project dir]`: judges the .vercel/output that `vercel build` wrote
// in the project directory (default: this checkout) against its vercel.json. scripts/vercel/build-offline.sh
// runs it after the build; .ci/run runs that.

const projectDir = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, ".."));

const { problems, summary } = checkVercelOutput({
  projectDir,
  // Both come from the routes' `maxDuration` exports, which Vercel's Next.js adapter prefers over
  // vercel.json "functions". /mcp: above the proxy's own 290-second bounds (server/mcp/forward-request.ts),
  // so a client gets an answer rather than a cut connection; the cron: above the job's time budget.
  // 300 s is also the most a Hobby plan allows.
  requiredFunctions: [
    { route: "/mcp/[instanceId]", maxDuration: 300 },
    { route: "/api/cron/cleanup", maxDuration: 300 },
  ],
  requiredCronPaths: ["/api/cron/cleanup"],
});

for (const line of summary) console.log(`vercel output: ${line}`);
for (const problem of problems) console.error(`vercel output: FAILED ${problem}`);
console.log(
  problems.length === 0 ? "vercel output: ok" : `vercel output: ${problems.length} problem(s), see above`,
);
process.exit(problems.length === 0 ? 0 : 1);
