import { type ChildProcess, spawn } from "node:child_process";
import { prepareLocalEnv } from "./local-env";
import { runCommand, runCommandOrExit } from "./run-command";

// `npm run dev`: works on a fresh machine with only Node.js. Applies the migrations, seeds the demo
// user on the embedded database (printing how to sign in), then starts `next dev` and, beside it, the
// OAuth-protected demo MCP server "Demo Notes" (scripts/demo-backend.ts, in the seeded catalog), so
// connecting a backend can be tried without any third-party account.

/** Adds `entry` to a comma-separated list unless it is there already. */
function withListEntry(list: string | undefined, entry: string): string {
  const entries = (list ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.some((e) => e.toLowerCase() === entry) ? entries.join(",") : [...entries, entry].join(",");
}

// Its own process (a crash there never takes the app down), run by node directly rather than through
// npx, so stopping it reaches the server itself.
function startDemoBackendProcess(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo-backend.ts"], {
    stdio: "inherit",
    env,
  });
  child.on("exit", (code, signal) => {
    if (code && !signal)
      console.warn(`[tumiki] the demo backend stopped (exit code ${code}); the app keeps running.`);
  });
  return child;
}

async function main(): Promise<void> {
  const env = prepareLocalEnv();
  const port = env.PORT ?? "3000";
  env.APP_URL ??= `http://localhost:${port}`;
  env.DEMO_BACKEND_PORT ??= "3400";
  // Tumiki reaches backends only over https unless a host:port is allowlisted: the demo backend is
  // plain http on localhost.
  env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = withListEntry(
    env.OUTBOUND_ALLOWED_PRIVATE_HOSTS,
    `localhost:${env.DEMO_BACKEND_PORT}`,
  );

  await runCommandOrExit("npx", ["prisma", "migrate", "deploy"], env);
  // The demo user (a well-known password) goes only into the embedded database, never into a
  // PostgreSQL that DATABASE_URL names, which may be shared; `npm run db:seed` adds it on purpose.
  if (!env.DATABASE_URL) await runCommandOrExit("npx", ["tsx", "prisma/seed.ts"], env);

  const demoBackend = startDemoBackendProcess(env);
  const stopDemoBackend = () => {
    if (demoBackend.exitCode === null && demoBackend.signalCode === null) demoBackend.kill("SIGTERM");
  };
  process.on("exit", stopDemoBackend);
  const code = await runCommand("npx", ["next", "dev", "--port", port], env);
  stopDemoBackend();
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
