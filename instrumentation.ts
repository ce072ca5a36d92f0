// Runs once when a Next.js server starts. A missing or malformed variable stops start-up here, with a
// message that names it, instead of surfacing as a 500 on the first request that needs it.
export async function register(): Promise<void> {
  // NEXT_RUNTIME is Next.js's own marker, inlined at build time, not configuration (that is server/env.ts).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { EnvError, getEnv } = await import("./server/env");
  try {
    getEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`[tumiki] ${error.message}`);
    process.exit(1);
  }
}
