import { setTimeout as sleep } from "node:timers/promises";
import type { TChildProcess } from "./start-child-process";

const START_TIMEOUT_MS = 90_000;
const POLL_MS = 250;

/** Resolves once the app's health check answers 200; throws if it exits or stays down too long. */
export async function waitForApp(options: { appUrl: string; child: TChildProcess }): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exitCode: number | null | undefined;
  void options.child.exited.then((code) => {
    exitCode = code;
  });
  let last = "no answer";
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`next start exited with code ${exitCode}:\n${options.child.recentOutput()}`);
    }
    try {
      const response = await fetch(`${options.appUrl}/api/health`);
      last = `${response.status} ${(await response.text()).slice(0, 200)}`;
      if (response.status === 200) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(POLL_MS);
  }
  throw new Error(
    `the app did not become healthy within ${START_TIMEOUT_MS / 1000} s (last: ${last}):\n${options.child.recentOutput()}`,
  );
}
