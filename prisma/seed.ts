import { prepareLocalEnv } from "../scripts/local-env";
import { createUserAccount } from "../server/accounts/create-user-account";
import { getDb } from "../server/db";
import { AppError } from "../server/errors";

// Seeds a demo user for local use (npm run dev, npm run db:seed). Idempotent. Refuses to run against a
// deployment, where a well-known password would be an open door.

const DEMO_EMAIL = "demo@example.com";
const DEMO_PASSWORD = "tumiki-demo-password";

if (process.env.VERCEL || process.env.NODE_ENV === "production") {
  console.error("[seed] refusing to seed a demo user in production (NODE_ENV=production or VERCEL set).");
  process.exit(1);
}

async function seed(): Promise<void> {
  // Standalone `npm run db:seed` gets the same local defaults as `npm run dev`.
  Object.assign(process.env, prepareLocalEnv({ quiet: true }));
  try {
    await createUserAccount({ email: DEMO_EMAIL, password: DEMO_PASSWORD, name: "Demo user" });
    console.log("[seed] created the demo user.");
  } catch (error) {
    if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
  }
  console.log(`[seed] sign in at ${process.env.APP_URL ?? "http://localhost:3000"}/sign-in`);
  console.log(`[seed]   email:    ${DEMO_EMAIL}`);
  console.log(`[seed]   password: ${DEMO_PASSWORD}`);
  await getDb().$disconnect();
}

seed().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
