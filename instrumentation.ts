// Runs once when a Next.js server starts. A missing or malformed variable stops start-up here, with a
// message that names it, instead of surfacing as a 500 on the first request that needs it.
export async function register(): Promise<void> {
  const { EnvError, getEnv } = await import("./server/env");
  try {
    getEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`[tumiki] ${error.message}`);
    process.exit(1);
  }
}
