import { startDemoBackend } from "./demo-backend/start-demo-backend";

// `npm run demo-backend`: the OAuth-protected demo MCP server ("Demo Notes") on its own, as
// `npm run dev` starts it. DEMO_BACKEND_PORT (default 3400), DEMO_BACKEND_ACCESS_TOKEN_TTL in seconds
// (default 3600; set it low to watch Tumiki refresh tokens).

/** The integer in the variable, or the fallback; exits with a message when it is not one. */
function readIntegerOrExit(name: string, fallback: number, { allowZero = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    console.error(
      `[demo-backend] ${name} must be a ${allowZero ? "non-negative" : "positive"} integer, got "${raw}"`,
    );
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const backend = await startDemoBackend({
    port: readIntegerOrExit("DEMO_BACKEND_PORT", 3400, { allowZero: true }),
    accessTokenTtlSeconds: readIntegerOrExit("DEMO_BACKEND_ACCESS_TOKEN_TTL", 3600),
  });
  console.log(`[demo-backend] Demo Notes MCP server: ${backend.mcpUrl}`);
  console.log(`[demo-backend]   the same without authentication: ${backend.publicMcpUrl}`);
  console.log(
    `[demo-backend]   OAuth authorization server ${backend.issuer} (sign in with any account name)`,
  );

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
  console.error("[demo-backend] could not start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
