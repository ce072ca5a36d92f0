import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

// Judges what `vercel build` wrote (.vercel/output, Build Output API v3) against what Tumiki needs on
// Vercel: the named functions run on Node.js with their maxDuration, vercel.json's crons are registered
// and each reaches a function, no function is an edge function, and none is larger than Vercel accepts.
// Every route of Tumiki reaches server/ (Prisma, node:crypto, node:http through the SSRF-guarded
// resolver), which the edge runtime cannot run, so an edge function anywhere is a route that would fail
// once deployed.

const ZCron = z.object({ path: z.string(), schedule: z.string() });

const ZVercelJson = z.object({ crons: z.array(ZCron).default([]) });

const ZOutputConfig = z.object({ version: z.literal(3), crons: z.array(ZCron).default([]) });

// Node functions name their runtime (nodejs24.x) and handler; edge functions say "edge" and an entrypoint.
// filePathMap: the files the function ships besides its own directory, as paths from the project root.
const ZFunctionConfig = z.object({
  runtime: z.string(),
  maxDuration: z.number().optional(),
  filePathMap: z.record(z.string(), z.string()).default({}),
});

// Vercel refuses a deployment with a function over 250 MB uncompressed (its standard limit).
const MAX_FUNCTION_BYTES = 250 * 1000 * 1000;

type TRequiredFunction = { route: string; maxDuration: number };

type TVercelOutputCheck = { problems: string[]; summary: string[] };

type TFoundFunction = { route: string; runtime: string; maxDuration?: number; bytes: number };

/** The file's content, or undefined after naming what is wrong with it in `problems`. */
function readJsonFile<T extends z.ZodType>(
  file: string,
  schema: T,
  problems: string[],
): z.output<T> | undefined {
  if (!existsSync(file) || !statSync(file).isFile()) {
    problems.push(`${file} is missing`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    problems.push(`${file} is not JSON`);
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  problems.push(
    `${file}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"} ${issue.message}`).join("; ")}`,
  );
  return undefined;
}

/** functions/mcp/[instanceId].func → /mcp/[instanceId]; functions/index.func → /. */
const routeOf = (relativeDir: string) => {
  const route = `/${relativeDir
    .split(path.sep)
    .join("/")
    .replace(/\.func$/, "")}`;
  return route === "/index" ? "/" : route;
};

// Next links some functions to others (symlinked .func directories): those are read through the link.
function findFunctionDirs(functionsDir: string, relative = ""): string[] {
  return readdirSync(path.join(functionsDir, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(relative, entry.name);
    if (entry.name.endsWith(".func")) return [child];
    return entry.isDirectory() ? findFunctionDirs(functionsDir, child) : [];
  });
}

/** What the function would upload: its own directory and the files its filePathMap names. */
function measureFunction(projectDir: string, funcDir: string, filePathMap: Record<string, string>) {
  const own = readdirSync(funcDir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(funcDir, entry.name));
  const shipped = [...new Set(Object.values(filePathMap))].map((file) => path.join(projectDir, file));
  const missing = shipped.filter((file) => !existsSync(file));
  const bytes = [...own, ...shipped]
    .filter((file) => existsSync(file))
    .reduce((sum, file) => sum + statSync(file).size, 0);
  return { bytes, missing };
}

function readFunctions(projectDir: string, functionsDir: string, problems: string[]): TFoundFunction[] {
  if (!existsSync(functionsDir)) return [];
  return findFunctionDirs(functionsDir).flatMap((dir) => {
    const funcDir = path.join(functionsDir, dir);
    const config = readJsonFile(path.join(funcDir, ".vc-config.json"), ZFunctionConfig, problems);
    if (!config) return [];
    const route = routeOf(dir);
    const { bytes, missing } = measureFunction(projectDir, funcDir, config.filePathMap);
    for (const file of missing)
      problems.push(`${route}: ships ${path.relative(projectDir, file)}, which is missing`);
    return [{ route, runtime: config.runtime, maxDuration: config.maxDuration, bytes }];
  });
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Judges `<projectDir>/.vercel/output` against `<projectDir>/vercel.json`. Never throws for a bad or
 * missing output: every finding is a line of `problems`.
 */
export function checkVercelOutput({
  projectDir,
  requiredFunctions,
  requiredCronPaths,
}: {
  projectDir: string;
  requiredFunctions: TRequiredFunction[];
  requiredCronPaths: string[];
}): TVercelOutputCheck {
  const problems: string[] = [];
  const summary: string[] = [];
  const outputDir = path.join(projectDir, ".vercel", "output");
  const config = readJsonFile(path.join(outputDir, "config.json"), ZOutputConfig, problems);
  const vercelJson = readJsonFile(path.join(projectDir, "vercel.json"), ZVercelJson, problems);
  if (!config || !vercelJson) return { problems, summary };

  const functions = readFunctions(projectDir, path.join(outputDir, "functions"), problems);
  const byRoute = new Map(functions.map((fn) => [fn.route, fn]));

  const notNode = functions.filter((fn) => !fn.runtime.startsWith("nodejs"));
  for (const fn of notNode) {
    problems.push(`${fn.route}: built for the ${fn.runtime} runtime; every Tumiki route needs Node.js`);
  }
  const runtimes = [...new Set(functions.map((fn) => fn.runtime))].sort();
  summary.push(`${functions.length} functions, runtimes: ${runtimes.join(", ") || "none"}`);
  for (const fn of functions.filter((found) => found.bytes > MAX_FUNCTION_BYTES)) {
    problems.push(
      `${fn.route}: ${megabytes(fn.bytes)}, over Vercel's ${megabytes(MAX_FUNCTION_BYTES)} limit`,
    );
  }
  const largest = functions.reduce<TFoundFunction | undefined>(
    (max, fn) => (max && max.bytes >= fn.bytes ? max : fn),
    undefined,
  );
  if (largest) summary.push(`largest function: ${largest.route}, ${megabytes(largest.bytes)}`);

  for (const required of requiredFunctions) {
    const fn = byRoute.get(required.route);
    if (!fn) {
      problems.push(`${required.route}: no function was built for it`);
      continue;
    }
    if (fn.maxDuration !== required.maxDuration) {
      problems.push(
        `${required.route}: maxDuration is ${fn.maxDuration ?? "unset (the plan's default)"}, expected ${required.maxDuration}`,
      );
    }
    summary.push(`${required.route}: ${fn.runtime}, maxDuration ${fn.maxDuration ?? "unset"}`);
  }

  const registered = config.crons;
  for (const cron of vercelJson.crons) {
    const match = registered.find((entry) => entry.path === cron.path);
    if (!match) problems.push(`cron ${cron.path}: in vercel.json but not registered in config.json`);
    else if (match.schedule !== cron.schedule) {
      problems.push(
        `cron ${cron.path}: registered at "${match.schedule}", vercel.json says "${cron.schedule}"`,
      );
    }
  }
  for (const cronPath of requiredCronPaths) {
    if (!registered.some((entry) => entry.path === cronPath)) {
      problems.push(`cron ${cronPath}: not registered (vercel.json "crons")`);
    }
  }
  for (const cron of registered) {
    const routePath = cron.path.split("?")[0] ?? cron.path;
    if (!byRoute.has(routePath)) problems.push(`cron ${cron.path}: no function serves its path`);
    summary.push(`cron ${cron.path} at "${cron.schedule}"`);
  }
  return { problems, summary };
}
