import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

// A second Tumiki process for multi-process tests (*.services.test.ts): scripts/serve-mcp-route.ts in a
// child process, with this process's environment (the same DATABASE_URL schema, REDIS_URL, secrets and
// APP_URL, which the caller sets first) plus `env`. The two share only PostgreSQL and Redis, as two
// `next start` processes behind a load balancer do, so anything a request leaves in process memory
// is invisible to the next request when it lands on the other one.

export type TTumikiProcess = {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  mcpUrl(instanceId: string): string;
  close(): Promise<void>;
};

const ENTRY = path.join(import.meta.dirname, "../../scripts/serve-mcp-route.ts");
const TSX = path.join(import.meta.dirname, "../../node_modules/tsx/dist/cli.mjs");
const START_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_CHARS = 4_000;

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 3_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function startTumikiProcess({
  env = {},
}: {
  env?: Record<string, string>;
} = {}): Promise<TTumikiProcess> {
  const child = spawn(process.execPath, [TSX, ENTRY], {
    env: { ...process.env, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the second Tumiki process did not start:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
      const listening = /listening (http:\/\/\S+)/.exec(output);
      if (listening?.[1]) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the second Tumiki process exited (${code}):\n${output}`));
    });
  });
  return {
    origin,
    mcpUrl: (instanceId) => `${origin}/mcp/${instanceId}`,
    close: () => stop(child),
  };
}
