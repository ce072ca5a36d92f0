import { prepareLocalEnv } from "./local-env";
import { runCommand, runCommandOrExit } from "./run-command";

// `npm run dev`: works on a fresh machine with only Node.js. Applies the migrations, seeds the demo
// user on the embedded database (printing how to sign in), then starts `next dev`.

async function main(): Promise<void> {
  const env = prepareLocalEnv();
  const port = env.PORT ?? "3000";
  env.APP_URL ??= `http://localhost:${port}`;

  await runCommandOrExit("npx", ["prisma", "migrate", "deploy"], env);
  // The demo user (a well-known password) goes only into the embedded database, never into a
  // PostgreSQL that DATABASE_URL names, which may be shared; `npm run db:seed` adds it on purpose.
  if (!env.DATABASE_URL) await runCommandOrExit("npx", ["tsx", "prisma/seed.ts"], env);
  process.exit(await runCommand("npx", ["next", "dev", "--port", port], env));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
