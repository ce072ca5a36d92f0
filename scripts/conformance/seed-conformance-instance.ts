import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createUserAccount } from "../../server/accounts/create-user-account";
import { flushAuditEvents } from "../../server/audit/write-audit-event";
import { createApiKey } from "../../server/auth/api-keys/create-api-key";
import { getInstanceResourceUrl } from "../../server/auth/resource-urls";
import { ALL_SERVERS_SCOPE } from "../../server/auth/scopes";
import { getDatabaseTarget, getDb } from "../../server/db";
import { EnvError, getEnv } from "../../server/env";
import { createInstance } from "../../server/instances/create-instance";
import { setInstanceConnections } from "../../server/instances/set-instance-connections";
import { createServerConnection } from "../../server/servers/create-server-connection";
import { prepareLocalEnv } from "../local-env";

// The rows the MCP conformance suite needs to test Tumiki as a gateway (../shared/conformance/run.sh):
// a fresh user, that user's unauthenticated connection to the conformance reference server, an instance
// bundling exactly that connection, and an API key of the instance with the all-servers scope (the suite
// cannot do OAuth; run.sh's forwarder adds the key to every request). scripts/conformance/
// run-conformance.sh runs it once per protocol revision, so each run starts from its own user, with its
// own rate-limit budget, sessions and caches.
//
// Everything is created through the domain functions the dashboard uses, so the instance is exactly what
// a user would have built. The server is not contacted here (createServerConnection, not addServer):
// run.sh starts the reference server only after this has run. Names are fresh on every run (a random
// suffix), so seeding twice never collides and never reuses an earlier run's key.
//
// Usage: tsx scripts/conformance/seed-conformance-instance.ts [--app-url URL] [--backend-url URL]
//   --app-url      the running app's base URL, used for the printed MCP URL (default: APP_URL)
//   --backend-url  the reference server (default http://localhost:3390/mcp, run.sh's REF_PORT)
// The database is the app's: DATABASE_URL, or the embedded PGlite database when it is unset (then the
// app must not be running: PGlite serves one process at a time). ENCRYPTION_KEY and AUTH_SECRET must be
// the app's too; unset, the local ones of `npm start` are used, as `npm run db:seed` does.
// Prints one JSON line on stdout, {"mcpUrl","apiKey","instanceId","userId","serverSlug"}; everything
// else goes to stderr. Exit status 2 on invalid configuration, 1 on any other failure.

const DEFAULT_BACKEND_URL = "http://localhost:3390/mcp";

function log(message: string): void {
  console.error(`[conformance-seed] ${message}`);
}

async function seed(options: { backendUrl: string }): Promise<void> {
  const target = getDatabaseTarget();
  log(
    `database: ${target.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${target.dataDir}`}`,
  );

  const suffix = randomBytes(4).toString("hex");
  const user = await createUserAccount({
    email: `conformance-${suffix}@example.com`,
    // Never printed: nobody signs in as this user; the API key is its only credential in use.
    password: randomBytes(24).toString("base64url"),
    name: `Conformance ${suffix}`,
  });
  const connection = await createServerConnection({
    userId: user.id,
    name: "Conformance reference server",
    url: options.backendUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  const instance = await createInstance({ userId: user.id, name: `Conformance ${suffix}` });
  await setInstanceConnections({
    userId: user.id,
    instanceId: instance.id,
    connectionIds: [connection.connectionId],
  });
  const apiKey = await createApiKey({
    userId: user.id,
    instanceId: instance.id,
    name: `conformance ${suffix}`,
    scopes: [ALL_SERVERS_SCOPE],
  });
  log(`user ${user.email}, server ${connection.slug} at ${connection.url}`);
  log(`instance ${getInstanceResourceUrl(instance.id)} (APP_URL ${getEnv().APP_URL})`);

  // The API key's audit row is written off the caller's path: wait for it before leaving.
  await flushAuditEvents();
  console.log(
    JSON.stringify({
      mcpUrl: getInstanceResourceUrl(instance.id),
      apiKey: apiKey.key,
      instanceId: instance.id,
      userId: user.id,
      serverSlug: connection.slug,
    }),
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "app-url": { type: "string" }, "backend-url": { type: "string" } },
  });
  // The app's own local defaults (.env, then .data/local-secrets.json), as `npm start` gives them.
  Object.assign(process.env, prepareLocalEnv({ quiet: true }));
  if (values["app-url"]) process.env.APP_URL = values["app-url"].replace(/\/+$/, "");
  try {
    getEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      log(error.message);
      return 2;
    }
    throw error;
  }
  await seed({ backendUrl: values["backend-url"] ?? DEFAULT_BACKEND_URL });
  await getDb().$disconnect();
  return 0;
}

main().then(
  // Exits explicitly: the audit write's connection pool (server/db-hot-query.ts) would otherwise keep
  // the process alive until its idle connections time out.
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
