import { createInterface } from "node:readline";
import { flushAuditEvents } from "../audit/write-audit-event";
import { getValidToken } from "../backends/get-valid-token";
import { getDb } from "../db";
import { getRedis } from "../redis";
import { hashToken } from "./hash-token";

// Child process of the token manager's concurrency tests: `node --import tsx
// server/testing/concurrent-get-valid-token.ts <userId> <mcpServerId> <calls>`, with DATABASE_URL,
// REDIS_URL, ENCRYPTION_KEY… in its environment. It connects first and prints "ready", waits for "go" on
// stdin (so two processes start their calls together), makes <calls> concurrent getValidToken calls
// and prints one JSON line: the sha256 prefixes of the tokens it got (never a token), and errors.

// A function, not top-level await: without "type": "module" tsx runs this file as CommonJS.
async function main(): Promise<void> {
  const [userId, mcpServerId, callsArg] = process.argv.slice(2);
  if (!userId || !mcpServerId)
    throw new Error("usage: concurrent-get-valid-token.ts <userId> <mcpServerId> <calls>");
  const calls = Number(callsArg ?? "25");

  // Warm up (connections, query compilation) on a connection that does not exist, so both processes
  // reach the token at the same speed after "go". Redis may be down on purpose (advisory lock test).
  await getRedis()
    .ping()
    .catch(() => undefined);
  await getValidToken({ userId, mcpServerId: "warm-up" }).catch(() => undefined);
  process.stdout.write("ready\n");

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === "go") break;
  lines.close();

  const results = await Promise.allSettled(
    Array.from({ length: calls }, () => getValidToken({ userId, mcpServerId })),
  );
  const hashes = results.flatMap((r) => (r.status === "fulfilled" ? [hashToken(r.value.accessToken)] : []));
  const errors = results.flatMap((r) =>
    r.status === "rejected" ? [`${(r.reason as Error)?.name}: ${(r.reason as Error)?.message}`] : [],
  );
  // Reported once its audit rows are written: the parent reads them as soon as it has the results.
  await flushAuditEvents();
  process.stdout.write(`${JSON.stringify({ hashes, errors })}\n`);
  await getDb().$disconnect();
  await getRedis().close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
