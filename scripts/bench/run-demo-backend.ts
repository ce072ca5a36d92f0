import { startDemoBackend } from "../demo-backend/start-demo-backend";
import { READY_PREFIX } from "./start-bench-backend";

// The demo backend as a child process of `npm run bench`: in its own process, so the load generator
// and the backend never share an event loop. Access tokens live a day (no refresh during a run), and
// authorizations as BENCH_ACCOUNT complete without a page so the bench can connect the server. The
// first stdout line is the backend's URLs as JSON, prefixed with READY_PREFIX.

const BENCH_ACCOUNT = "bench";
const DAY_SECONDS = 24 * 3600;

async function main(): Promise<void> {
  const backend = await startDemoBackend({
    port: 0,
    accessTokenTtlSeconds: DAY_SECONDS,
    autoApproveAccount: BENCH_ACCOUNT,
  });
  const { origin, issuer, mcpUrl } = backend;
  console.log(`${READY_PREFIX}${JSON.stringify({ origin, issuer, mcpUrl })}`);
  const stop = () => {
    backend.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error("[bench] the demo backend could not start:", error);
  process.exit(1);
});
