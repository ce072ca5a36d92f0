import { prepareLocalEnv } from "./local-env";
import { runCommand, runCommandOrExit } from "./run-command";

// `npm start` after `npm run build`: the production server on this machine, with the same embedded
// defaults as `npm run dev`. Migrations are applied first, so a new build never meets an old schema.

async function main(): Promise<void> {
  const env = prepareLocalEnv();
  const port = env.PORT ?? "3000";
  env.APP_URL ??= `http://localhost:${port}`;

  await runCommandOrExit("npx", ["prisma", "migrate", "deploy"], env);
  process.exit(await runCommand("npx", ["next", "start", "--port", port], env));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
