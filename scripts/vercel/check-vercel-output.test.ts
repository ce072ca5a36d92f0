import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkVercelOutput } from "./check-vercel-output";

// Small Build Output directories shaped like the ones `vercel build` writes for this app (Next.js 16
// adapter): functions/<route>.func/.vc-config.json, and config.json with the crons.

const CRON = { path: "/api/cron/cleanup", schedule: "17 3 * * *" };
const node = (maxDuration?: number, filePathMap: Record<string, string> = {}) => ({
  runtime: "nodejs24.x",
  handler: "___next_launcher.cjs",
  launcherType: "Nodejs",
  filePathMap,
  ...(maxDuration === undefined ? {} : { maxDuration }),
});
// The server bundle the /mcp function ships (a path from the project root, as the adapter writes it).
const MCP_BUNDLE = ".next/server/app/mcp/[instanceId]/route.js";
const edge = { runtime: "edge", entrypoint: "index.js", name: "app/api/health/route" };

type TFixture = {
  functions?: Record<string, object>;
  config?: object | string;
  vercelJson?: object;
  /** Files in the project, by path from its root, with their size in bytes (sparse: no disk used). */
  projectFiles?: Record<string, number>;
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const goodFunctions = () => ({
  index: node(),
  "mcp/[instanceId]": node(300, { [MCP_BUNDLE]: MCP_BUNDLE }),
  "mcp/[instanceId].rsc": node(300),
  "api/cron/cleanup": node(300),
  "api/health": node(),
  "oauth/token": node(),
  ".well-known/jwks.json": node(),
});

function writeFixture({
  functions = goodFunctions(),
  config = { version: 3, routes: [], crons: [CRON] },
  vercelJson = { framework: "nextjs", crons: [CRON] },
  projectFiles = { [MCP_BUNDLE]: 2_000_000 },
}: TFixture = {}) {
  const project = mkdtempSync(path.join(tmpdir(), "tumiki-vercel-output-"));
  dirs.push(project);
  for (const [file, bytes] of Object.entries(projectFiles)) {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), "");
    truncateSync(path.join(project, file), bytes);
  }
  const output = path.join(project, ".vercel", "output");
  for (const [route, vcConfig] of Object.entries(functions)) {
    const dir = path.join(output, "functions", `${route}.func`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, ".vc-config.json"), JSON.stringify(vcConfig));
  }
  mkdirSync(output, { recursive: true });
  writeFileSync(
    path.join(output, "config.json"),
    typeof config === "string" ? config : JSON.stringify(config),
  );
  writeFileSync(path.join(project, "vercel.json"), JSON.stringify(vercelJson));
  return { project, output };
}

const check = ({ project }: { project: string }) =>
  checkVercelOutput({
    projectDir: project,
    requiredFunctions: [
      { route: "/mcp/[instanceId]", maxDuration: 300 },
      { route: "/api/cron/cleanup", maxDuration: 300 },
    ],
    requiredCronPaths: ["/api/cron/cleanup"],
  });

describe("checkVercelOutput", () => {
  it("passes an output with the Node functions, their maxDuration and the cron, and says so", () => {
    const result = check(writeFixture());
    expect(result.problems).toEqual([]);
    expect(result.summary).toEqual([
      "7 functions, runtimes: nodejs24.x",
      "largest function: /mcp/[instanceId], 2.0 MB",
      "/mcp/[instanceId]: nodejs24.x, maxDuration 300",
      "/api/cron/cleanup: nodejs24.x, maxDuration 300",
      'cron /api/cron/cleanup at "17 3 * * *"',
    ]);
  });

  it("fails an edge function, naming its route", () => {
    const result = check(writeFixture({ functions: { ...goodFunctions(), "api/health": edge } }));
    expect(result.problems).toEqual([
      "/api/health: built for the edge runtime; every Tumiki route needs Node.js",
    ]);
  });

  it("fails an edge /mcp function even with the right maxDuration", () => {
    const result = check(
      writeFixture({ functions: { ...goodFunctions(), "mcp/[instanceId]": { ...edge, maxDuration: 300 } } }),
    );
    expect(result.problems).toEqual([
      "/mcp/[instanceId]: built for the edge runtime; every Tumiki route needs Node.js",
    ]);
  });

  it("reads functions that Next links to others (symlinked .func directories)", () => {
    const fixture = writeFixture();
    const functions = path.join(fixture.output, "functions");
    mkdirSync(path.join(functions, "_global-error.segments"));
    symlinkSync(
      path.join(functions, "api", "health.func"),
      path.join(functions, "_global-error.segments", "x.func"),
    );
    const result = check(fixture);
    expect(result.problems).toEqual([]);
    expect(result.summary[0]).toBe("8 functions, runtimes: nodejs24.x");
  });

  it("fails a wrong or missing maxDuration on a required function", () => {
    const wrong = check(writeFixture({ functions: { ...goodFunctions(), "mcp/[instanceId]": node(60) } }));
    expect(wrong.problems).toEqual(["/mcp/[instanceId]: maxDuration is 60, expected 300"]);
    const unset = check(writeFixture({ functions: { ...goodFunctions(), "api/cron/cleanup": node() } }));
    expect(unset.problems).toEqual([
      "/api/cron/cleanup: maxDuration is unset (the plan's default), expected 300",
    ]);
  });

  it("fails when a required function was not built, and the cron then reaches nothing", () => {
    const { "api/cron/cleanup": _cron, ...withoutCron } = goodFunctions();
    const result = check(writeFixture({ functions: withoutCron }));
    expect(result.problems).toEqual([
      "/api/cron/cleanup: no function was built for it",
      "cron /api/cron/cleanup: no function serves its path",
    ]);
  });

  it("fails a cron missing from config.json, whether or not vercel.json declares it", () => {
    const declared = check(writeFixture({ config: { version: 3, routes: [] } }));
    expect(declared.problems).toEqual([
      "cron /api/cron/cleanup: in vercel.json but not registered in config.json",
      'cron /api/cron/cleanup: not registered (vercel.json "crons")',
    ]);
    const undeclared = check(writeFixture({ config: { version: 3 }, vercelJson: { framework: "nextjs" } }));
    expect(undeclared.problems).toEqual(['cron /api/cron/cleanup: not registered (vercel.json "crons")']);
  });

  it("fails a cron registered at another schedule than vercel.json's", () => {
    const result = check(
      writeFixture({ config: { version: 3, crons: [{ ...CRON, schedule: "0 * * * *" }] } }),
    );
    expect(result.problems).toEqual([
      'cron /api/cron/cleanup: registered at "0 * * * *", vercel.json says "17 3 * * *"',
    ]);
  });

  it("names a missing, unreadable or wrong-version config.json instead of throwing", () => {
    const missing = writeFixture();
    rmSync(path.join(missing.output, "config.json"));
    expect(check(missing).problems).toEqual([`${path.join(missing.output, "config.json")} is missing`]);

    const notJson = writeFixture({ config: "{" });
    expect(check(notJson).problems).toEqual([`${path.join(notJson.output, "config.json")} is not JSON`]);

    const v2 = writeFixture({ config: { version: 2 } });
    expect(check(v2).problems).toEqual([
      `${path.join(v2.output, "config.json")}: version Invalid input: expected 3`,
    ]);
  });

  it("fails a function larger than Vercel accepts, counting the files it ships", () => {
    const result = check(writeFixture({ projectFiles: { [MCP_BUNDLE]: 251_000_000 } }));
    expect(result.problems).toEqual(["/mcp/[instanceId]: 251.0 MB, over Vercel's 250.0 MB limit"]);
    expect(result.summary).toContain("largest function: /mcp/[instanceId], 251.0 MB");
  });

  it("fails a function that ships a file the build did not leave", () => {
    const result = check(writeFixture({ projectFiles: {} }));
    expect(result.problems).toEqual([`/mcp/[instanceId]: ships ${MCP_BUNDLE}, which is missing`]);
  });

  it("names a function whose .vc-config.json has no runtime", () => {
    const result = check(
      writeFixture({ functions: { ...goodFunctions(), "oauth/token": { handler: "x.cjs" } } }),
    );
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/oauth\/token\.func\/\.vc-config\.json: runtime /);
  });
});
