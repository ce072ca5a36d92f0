import path from "node:path";
import { startChildProcess, type TChildProcess } from "./start-child-process";

// Starts scripts/bench/run-demo-backend.ts as a child process and waits for the URLs it announces.

export const READY_PREFIX = "bench-demo-backend ";
const START_TIMEOUT_MS = 30_000;

export type TBenchBackend = { origin: string; issuer: string; mcpUrl: string; child: TChildProcess };

export async function startBenchBackend(options: { env: NodeJS.ProcessEnv }): Promise<TBenchBackend> {
  const child = startChildProcess({
    name: "demo backend",
    command: process.execPath,
    args: ["--import", "tsx", path.join(import.meta.dirname, "run-demo-backend.ts")],
    env: options.env,
  });
  const announced = new Promise<Omit<TBenchBackend, "child">>((resolve) => {
    child.onLine((line) => {
      if (line.startsWith(READY_PREFIX)) resolve(JSON.parse(line.slice(READY_PREFIX.length)));
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const failed = Promise.race([
    child.exited.then((code) => `exited with code ${code}`),
    new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`did not start within ${START_TIMEOUT_MS / 1000} s`),
        START_TIMEOUT_MS,
      );
    }),
  ]);
  const outcome = await Promise.race([announced, failed]);
  clearTimeout(timer);
  if (typeof outcome === "string") {
    await child.stop();
    throw new Error(`the demo backend ${outcome}:\n${child.recentOutput()}`);
  }
  return { ...outcome, child };
}
