import { type ChildProcess, spawn } from "node:child_process";

// The bench's child processes (the build, the demo backend, `next start`), each in a process group of
// its own, so stopping one also stops whatever it spawned (npm → next build workers). Stopping is
// idempotent and escalates to SIGKILL; killAllChildProcessesNow is the last resort of an exiting bench.

const OUTPUT_LINES_KEPT = 80;
const STOP_GRACE_MS = 5_000;

export type TChildProcess = {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** The last lines the process printed, for an error message. */
  recentOutput(): string;
  /** Calls back with every stdout line. */
  onLine(listener: (line: string) => void): void;
  stop(): Promise<void>;
};

const running = new Set<TChildProcess>();

const isAlive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
};

export function startChildProcess(options: {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Show the output as it comes (the build) rather than keeping it for errors only. */
  inheritOutput?: boolean;
}): TChildProcess {
  const child = spawn(options.command, options.args, {
    env: options.env,
    detached: true,
    stdio: options.inheritOutput ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  const collect = (stream: NodeJS.ReadableStream | null, isStdout: boolean) => {
    let pending = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (text: string) => {
      const parts = (pending + text).split("\n");
      pending = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
        if (isStdout) for (const listener of listeners) listener(line);
      }
    });
  };
  collect(child.stdout, true);
  collect(child.stderr, false);

  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(1));
  });
  const handle: TChildProcess = {
    name: options.name,
    process: child,
    exited,
    recentOutput: () => lines.join("\n"),
    onLine: (listener) => listeners.push(listener),
    async stop() {
      if (isAlive(child)) {
        killGroup(child, "SIGTERM");
        const timer = setTimeout(() => killGroup(child, "SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      // What the group leader left behind (a worker it did not wait for).
      killGroup(child, "SIGKILL");
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

/** Runs a command to its end; rejects naming it, with its last output, when it fails. */
export async function runChildProcessOrThrow(
  options: Parameters<typeof startChildProcess>[0],
): Promise<void> {
  const child = startChildProcess(options);
  const code = await child.exited;
  await child.stop();
  if (code !== 0) {
    throw new Error(
      `${options.name} (${options.command} ${options.args.join(" ")}) failed with exit code ${code}\n${child.recentOutput()}`,
    );
  }
}

/** Synchronous, for process.on("exit"): SIGKILL to every group still running. */
export function killAllChildProcessesNow(): void {
  for (const child of running) killGroup(child.process, "SIGKILL");
}
