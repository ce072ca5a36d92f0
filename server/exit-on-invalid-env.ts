import { EnvError, getEnv } from "./env";

/** Called once at server start (instrumentation.ts): a bad configuration stops the process, named. */
export function exitOnInvalidEnv(): void {
  try {
    getEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`[tumiki] ${error.message}`);
    process.exit(1);
  }
}
