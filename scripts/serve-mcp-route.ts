import * as route from "../app/mcp/[instanceId]/route";
import { serveRouteHandlers } from "../server/testing/serve-route-handlers";

// One more Tumiki process for tests that prove a client's requests may reach any process
// (server/testing/start-tumiki-process.ts starts it): the /mcp route handlers served on PORT (0: any
// free port), configured entirely by the environment, exactly as the test's own process serves them.
// It shares nothing with the test's process but PostgreSQL and Redis. Prints "listening <origin>".

async function main() {
  const served = await serveRouteHandlers({ handlers: route, port: Number(process.env.PORT ?? 0) });
  console.log(`listening ${served.origin}`);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void served.close().finally(() => process.exit(0));
    });
  }
}

void main();
