import { spawn } from "node:child_process";

// Runs a command with inherited output; resolves with its exit code. Signals reach the child, so
// Ctrl-C stops `next dev` cleanly.
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

export async function runCommandOrExit(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const code = await runCommand(command, args, env);
  if (code !== 0) {
    console.error(`[tumiki] ${command} ${args.join(" ")} failed with exit code ${code}`);
    process.exit(code);
  }
}
