import { prepareLocalEnv } from "../scripts/local-env";
import { createUserAccount } from "../server/accounts/create-user-account";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { AppError } from "../server/errors";

// Seeds a demo user with a well-known password, and the catalog entry of the local demo backend, for
// trying Tumiki locally. Idempotent. `npm run dev` runs it only on the embedded database; `npm run
// db:seed` runs it on purpose. It refuses production (NODE_ENV=production or Vercel), where a
// well-known password would be an open door.

const DEMO_EMAIL = "demo@example.com";
const DEMO_PASSWORD = "tumiki-demo-password";

// The OAuth-protected MCP server that `npm run dev` starts beside the app (scripts/demo-backend.ts).
const DEMO_BACKEND = {
  name: "Demo Notes",
  slug: "demo-notes",
  // The port npm run dev starts the demo backend on (scripts/dev.ts).
  url: `http://localhost:${process.env.DEMO_BACKEND_PORT || "3400"}/mcp`,
  authType: "OAUTH",
  description:
    "A notes MCP server behind its own OAuth authorization server: the local demo backend that npm run dev starts. Sign in there with any account name.",
} as const;

/** The catalog entry (no owner) for the demo backend; a user's own server with that slug is left alone. */
async function seedDemoBackendCatalogEntry(): Promise<void> {
  const db = getDb();
  const existing = await db.mcpServer.findUnique({ where: { slug: DEMO_BACKEND.slug } });
  if (existing?.ownerUserId) {
    console.warn(
      `[seed] a user's server already has the slug "${DEMO_BACKEND.slug}": catalog entry not added.`,
    );
    return;
  }
  await db.mcpServer.upsert({
    where: { slug: DEMO_BACKEND.slug },
    create: { ...DEMO_BACKEND, ownerUserId: null },
    update: DEMO_BACKEND,
  });
  console.log(`[seed] catalog: "${DEMO_BACKEND.name}" at ${DEMO_BACKEND.url}.`);
}

async function seed(): Promise<void> {
  // Standalone `npm run db:seed` gets the same local defaults as `npm run dev`.
  Object.assign(process.env, prepareLocalEnv({ quiet: true }));
  const env = getEnv();
  if (env.VERCEL || env.NODE_ENV === "production") {
    console.error("[seed] refusing to seed a demo user in production (NODE_ENV=production or VERCEL set).");
    process.exit(1);
  }
  try {
    await createUserAccount({ email: DEMO_EMAIL, password: DEMO_PASSWORD, name: "Demo user" });
    console.log("[seed] created the demo user.");
  } catch (error) {
    if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
  }
  await seedDemoBackendCatalogEntry();
  console.log(`[seed] sign in at ${env.APP_URL}/sign-in`);
  console.log(`[seed]   email:    ${DEMO_EMAIL}`);
  console.log(`[seed]   password: ${DEMO_PASSWORD}`);
  await getDb().$disconnect();
}

seed().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
