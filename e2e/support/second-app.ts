// The second app process of e2e/proxy/two-app-processes.spec.ts: another `next start` with the same
// PostgreSQL, Redis and APP_URL as the first, on its own port, as two instances behind a load balancer
// run. CI (.ci/run) starts it on 3302 and passes E2E_SECOND_BASE_URL. When Playwright starts the app
// itself (no E2E_BASE_URL), it starts this one too, on SECOND_APP_LOCAL_PORT, but only with a real
// PostgreSQL and Redis in its environment: the embedded defaults (PGlite, in-memory store) belong to one
// process, so two processes could share nothing.

export const SECOND_APP_LOCAL_PORT = 3002;

const sharesDatabaseAndRedis = Boolean(
  process.env.DATABASE_URL && (process.env.REDIS_URL || process.env.UPSTASH_REDIS_REST_URL),
);

/** Whether playwright.config.ts starts the second app process itself. */
export const startsSecondAppLocally =
  !process.env.E2E_BASE_URL && !process.env.E2E_SECOND_BASE_URL && sharesDatabaseAndRedis;

export function getSecondAppBaseUrlOrThrow(): string {
  const configured = process.env.E2E_SECOND_BASE_URL;
  if (configured) return configured.replace(/\/$/, "");
  if (startsSecondAppLocally) return `http://localhost:${SECOND_APP_LOCAL_PORT}`;
  throw new Error(
    process.env.E2E_BASE_URL
      ? "No second app process: start another `next start` with the same DATABASE_URL, REDIS_URL and APP_URL as E2E_BASE_URL's on another port, and set E2E_SECOND_BASE_URL to it (.ci/run does)."
      : "No second app process: set DATABASE_URL and REDIS_URL (a real PostgreSQL and Redis) so Playwright starts two app processes that share them.",
  );
}
