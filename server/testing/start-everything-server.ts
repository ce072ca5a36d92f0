import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";

// @modelcontextprotocol/server-everything (the MCP project's reference server exercising every feature:
// tools with progress, images, structured content; resources and templates; prompts with arguments;
// completions; logging) as a real third-party backend over Streamable HTTP, in a child process of the
// test. It takes its port from PORT only and reports it on stderr, so the port is picked here (in the
// range tests may use) and retried when another process takes it first.

export type TEverythingServer = {
  /** http://localhost:<port>/mcp, no authentication. */
  mcpUrl: string;
  port: number;
  close(): Promise<void>;
};

const ENTRY = path.join(
  import.meta.dirname,
  "../../node_modules/@modelcontextprotocol/server-everything/dist/index.js",
);
const PORT_RANGE = { min: 4100, max: 4999 };
const START_TIMEOUT_MS = 15_000;
const ATTEMPTS = 5;
const STDERR_TAIL_CHARS = 2_000;

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

async function pickFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = randomInt(PORT_RANGE.min, PORT_RANGE.max + 1);
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port in ${PORT_RANGE.min}-${PORT_RANGE.max}`);
}

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

/** Resolves once the child logs that it listens; rejects with its stderr when it exits or hangs first. */
function waitUntilListening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(`server-everything did not listen on ${port} within ${START_TIMEOUT_MS} ms: ${stderr}`),
      );
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
      if (stderr.includes(`listening on port ${port}`)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`server-everything exited (code ${code}) before listening on ${port}: ${stderr}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

async function startOnce(): Promise<TEverythingServer> {
  const port = await pickFreePort();
  // A bare environment: the server's get-env tool returns its whole environment to any caller, and
  // this process's holds database URLs and secrets.
  const child = spawn(process.execPath, [ENTRY, "streamableHttp"], {
    env: { PATH: process.env.PATH ?? "", PORT: String(port), NODE_ENV: "test" },
    // It logs every request on stdout; an unread pipe would fill and stall it.
    stdio: ["ignore", "ignore", "pipe"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  try {
    await waitUntilListening(child, port);
  } catch (error) {
    process.off("exit", killOnExit);
    await stop(child);
    throw error;
  }
  // Keep draining stderr for the child's lifetime, for the same reason as stdout.
  child.stderr?.resume();
  return {
    mcpUrl: `http://localhost:${port}/mcp`,
    port,
    async close() {
      process.off("exit", killOnExit);
      await stop(child);
    },
  };
}

/** Starts server-everything on a free port in 4100-4999 and waits until it listens. */
export async function startEverythingServer(): Promise<TEverythingServer> {
  let lastError: unknown;
  // Between the probe and the child's listen another process may take the port: try another one.
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    try {
      return await startOnce();
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error && error.message.includes("already in use"))) throw error;
    }
  }
  throw lastError;
}
