import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// A canary token pushed through the error paths of a route: it must appear in no log line and in no
// response, while the logs still say what happened.

const run = promisify(execFile);

describe("log and response redaction (canary)", () => {
  it("leaks the token nowhere", async () => {
    // Opaque, like the tokens backends issue: no shape a regex could recognise on its own.
    const canary = randomBytes(24).toString("hex");
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "testing", "log-canary-fixture.ts"), canary],
      { env: { ...process.env, LOG_LEVEL: "debug" }, cwd: path.resolve(import.meta.dirname, "..") },
    );
    const output = stdout + stderr;
    expect(output).not.toContain(canary);
    expect(output).not.toContain(canary.slice(0, 16));

    const lines = stdout.trim().split("\n");
    const logs = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(logs.map((l) => l.msg)).toEqual(["incoming", "request failed", "request refused"]);
    expect(logs.find((l) => l.msg === "request failed")?.err?.message).toMatch(
      /backend refused Bearer \[redacted\]/,
    );

    const responses = lines.filter((l) => l.startsWith("RESPONSE"));
    expect(responses[0]).toMatch(/^RESPONSE 500 .*"code":"INTERNAL"/);
    expect(responses[0]).not.toMatch(/stack|backend refused/);
    expect(responses[1]).toMatch(/^RESPONSE 403 .*"code":"FORBIDDEN"/);
  });
});
