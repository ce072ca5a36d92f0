import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config as loadDotenv } from "dotenv";

// The environment of `npm run dev` and `npm start` on a developer's machine: .env if there is one,
// then embedded defaults for what is missing, each announced. Secrets made here are kept in
// .data/local-secrets.json (git-ignored, mode 600) so sessions and encrypted rows survive restarts.
// Deployments (Vercel) never come through here: they set every variable themselves.

const DATA_DIR = ".data";
const SECRETS_FILE = path.join(DATA_DIR, "local-secrets.json");

type LocalSecrets = { AUTH_SECRET: string; ENCRYPTION_KEY: string };

function readOrCreateLocalSecrets(): LocalSecrets {
  if (existsSync(SECRETS_FILE)) return JSON.parse(readFileSync(SECRETS_FILE, "utf8")) as LocalSecrets;
  const secrets: LocalSecrets = {
    AUTH_SECRET: randomBytes(32).toString("base64"),
    ENCRYPTION_KEY: `local1:${randomBytes(32).toString("base64")}`,
  };
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(SECRETS_FILE, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function prepareLocalEnv(options: { quiet?: boolean } = {}): NodeJS.ProcessEnv {
  loadDotenv({ quiet: true });
  const env = { ...process.env };
  const notes: string[] = [];

  if (!env.AUTH_SECRET || !env.ENCRYPTION_KEY) {
    const secrets = readOrCreateLocalSecrets();
    env.AUTH_SECRET ||= secrets.AUTH_SECRET;
    env.ENCRYPTION_KEY ||= secrets.ENCRYPTION_KEY;
    notes.push(`AUTH_SECRET / ENCRYPTION_KEY not set: using local ones from ${SECRETS_FILE}.`);
  }
  if (!env.DATABASE_URL) {
    notes.push(
      `DATABASE_URL not set: using the embedded PostgreSQL (PGlite) in ${env.PGLITE_DATA_DIR ?? ".data/pglite"}. One process at a time; set DATABASE_URL for a real PostgreSQL.`,
    );
  }
  if (!env.REDIS_URL && !env.UPSTASH_REDIS_REST_URL) {
    notes.push("No REDIS_URL or UPSTASH_REDIS_REST_URL: using an in-memory store (single process only).");
  }

  if (!options.quiet) for (const note of notes) console.warn(`[tumiki] ${note}`);
  return env;
}
