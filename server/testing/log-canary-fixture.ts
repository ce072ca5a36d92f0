import { AppError } from "../errors";
import { withRouteErrors } from "../http/with-route-errors";
import { getLogger } from "../logger";

// Run in a child process by server/log-canary.test.ts, so the test reads the real stdout of a
// process that logs the way the app does. The canary token arrives in the request and travels
// through an error message, an error cause and a log call.

const canary = process.argv[2] ?? "";

const failing = withRouteErrors(async (request: Request) => {
  const auth = request.headers.get("authorization");
  getLogger().info({ headers: Object.fromEntries(request.headers), url: request.url }, "incoming");
  throw new Error(`backend refused ${auth}`, {
    cause: new AppError("UNAUTHORIZED", { message: `token ${canary} expired` }),
  });
});

const refused = withRouteErrors(async () => {
  throw new AppError("FORBIDDEN", { message: `scope missing for access_token=${canary}` });
});

async function main(): Promise<void> {
  const request = new Request(`http://localhost/api/x?access_token=${canary}`, {
    headers: { authorization: `Bearer ${canary}`, cookie: `authjs.session-token=${canary}` },
  });
  const responses = [await failing(request, {}), await refused(request, {})];
  for (const response of responses) {
    process.stdout.write(
      `RESPONSE ${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}\n`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
