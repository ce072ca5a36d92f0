import { z } from "zod";
import { type TRateLimitOverrides, ZRateLimitEnv } from "./rate-limit/rate-limit-env";

// The only module that reads process.env (DESIGN.md convention 9). Every variable is listed, with its
// meaning, in .env.example. getEnv() validates once and throws an error that names each bad variable;
// instrumentation.ts calls it at start-up so a misconfigured deployment stops before serving.

const ZBase64Key = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]+$/, "expected <key-id>:<base64 of 32 bytes>")
  .refine((value) => Buffer.from(value.split(":")[1] ?? "", "base64").length === 32, {
    message: "the key must be 32 bytes (AES-256), base64-encoded",
  });

const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());

export const ZEnv = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    APP_URL: z.url().default("http://localhost:3000"),
    DATABASE_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, "expected a postgresql:// URL")
        .optional(),
    ),
    PGLITE_DATA_DIR: z.string().default(".data/pglite"),
    REDIS_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL")
        .optional(),
    ),
    UPSTASH_REDIS_REST_URL: optionalUrl,
    UPSTASH_REDIS_REST_TOKEN: optionalString,
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)"),
    AUTH_OIDC_ISSUER: optionalUrl,
    AUTH_OIDC_CLIENT_ID: optionalString,
    AUTH_OIDC_CLIENT_SECRET: optionalString,
    AUTH_OIDC_NAME: z.string().default("Single sign-on"),
    ENCRYPTION_KEY: ZBase64Key,
    ENCRYPTION_PREVIOUS_KEYS: z.preprocess(
      (v) => (typeof v === "string" && v.trim() !== "" ? v.split(",").map((s) => s.trim()) : []),
      z.array(ZBase64Key),
    ),
    // How many proxies in front of Tumiki append to X-Forwarded-For: the client address is that many
    // entries from the right. 0 (no proxy) trusts no header at all. Default: 1 on Vercel, else 0.
    TRUSTED_PROXY_HOPS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(0).max(10).optional(),
    ),
    // An external issuer of tier-1 access tokens (the plan's Auth0 mode), accepted beside Tumiki's own.
    EXTERNAL_AUTH_ISSUER: optionalUrl,
    EXTERNAL_AUTH_JWKS_URL: optionalUrl,
    EXTERNAL_AUTH_AUDIENCE: optionalString,
    // Development allowlist of outbound `host:port` pairs that may resolve to loopback or private
    // addresses (a local demo backend, a test's metadata document). Empty in production.
    OUTBOUND_ALLOWED_PRIVATE_HOSTS: z.preprocess(
      (v) =>
        typeof v === "string" && v.trim() !== "" ? v.split(",").map((s) => s.trim().toLowerCase()) : [],
      z.array(z.string().regex(/^[a-z0-9.[\]:-]+:\d{1,5}$/, "expected host:port entries, comma-separated")),
    ),
    // Tier 2: a backend token is refreshed when it expires within this many seconds, and its cache
    // entry ends that long before the token does.
    BACKEND_TOKEN_REFRESH_BUFFER_SECONDS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(0).default(300),
    ),
    // The MCP endpoint (/mcp/{instanceId}). Browser origins allowed besides APP_URL's own (an `Origin`
    // header naming any other is refused with 403: DNS rebinding), e.g. a browser-based MCP inspector.
    MCP_ALLOWED_ORIGINS: z.preprocess(
      (v) => (typeof v === "string" && v.trim() !== "" ? v.split(",").map((s) => s.trim()) : []),
      z.array(z.url().transform((url) => new URL(url).origin)),
    ),
    // How long a backend may take to start answering one request, in milliseconds (lists, calls).
    MCP_BACKEND_TIMEOUT_MS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(100).max(300_000).default(30_000),
    ),
    // Circuit breaking (server/backend-health): a backend server is "down" after this many failed
    // requests in a row (unreachable, timed out, HTTP 5xx) and skipped at once, without waiting for its
    // timeout, until a probe after BACKEND_RETRY_AFTER_SECONDS (fractions allowed) finds it answering.
    BACKEND_DOWN_AFTER_FAILURES: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(1).max(100).default(3),
    ),
    BACKEND_RETRY_AFTER_SECONDS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().positive().max(3600).default(30),
    ),
    // An MCP session (and the backend sessions opened for it) ends after this many idle seconds.
    MCP_SESSION_TTL_SECONDS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce
        .number()
        .int()
        .min(60)
        .default(24 * 3600),
    ),
    // A 2025 client that drops the stream of a running call may resume it (Last-Event-ID); the call is
    // cancelled when nobody has resumed it within this many seconds.
    MCP_STREAM_RESUME_GRACE_SECONDS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(1).max(600).default(30),
    ),
    // How long a person has to confirm a call of a tool that needs confirmation (issue 13); no answer by
    // then refuses the call. Below the call's own deadline (290 s), so a 2025 client hears the refusal;
    // the default stays below the MCP SDK's default request timeout (60 s), so a client built on it
    // hears Tumiki's refusal rather than giving up on the call itself.
    MCP_CONFIRMATION_TIMEOUT_SECONDS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(1).max(240).default(50),
    ),
    // A long-lived stream checks its credential again this often, and ends once it is revoked or expired
    // (the client reconnects, and is asked to authorize again).
    MCP_STREAM_AUTH_RECHECK_SECONDS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(1).max(300).default(30),
    ),
    // How many long-lived streams (a 2025 session's GET stream, a 2026-07-28 subscriptions/listen stream)
    // one user may hold open at once, across all app processes.
    MCP_MAX_STREAMS_PER_USER: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(1).max(1000).default(20),
    ),
    // Operations (issue 12). The bearer secret of GET /api/metrics (Prometheus text); unset, the
    // endpoint answers 404, so metrics are never public by accident.
    METRICS_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -hex 24`)").optional(),
    ),
    // The bearer secret of the Vercel Cron routes (/api/cron/*); Vercel sends it as
    // `Authorization: Bearer <CRON_SECRET>`. Unset, the cron routes answer 404.
    CRON_SECRET: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -hex 24`)").optional(),
    ),
    // The clean-up job deletes audit rows older than this many days (the plan's task 5.1: 90).
    AUDIT_RETENTION_DAYS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(1).max(3650).default(90),
    ),
    // The clean-up job forgets what an instance knew of a tool (its pinned definition, the owner's
    // choices) once its server has gone this many days without serving it.
    TOOL_RECORD_RETENTION_DAYS: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number().int().min(1).max(3650).default(90),
    ),
    // Operators: signed-in users with one of these emails see the admin page (per-user limits).
    ADMIN_EMAILS: z.preprocess(
      (v) =>
        typeof v === "string" && v.trim() !== "" ? v.split(",").map((s) => s.trim().toLowerCase()) : [],
      z.array(z.email("expected email addresses, comma-separated")),
    ),
    // OpenTelemetry: traces (and metrics) are exported over OTLP/HTTP when the endpoint is set; the
    // standard OTEL_* variables (headers, protocol) are read by the exporter itself.
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    OTEL_SERVICE_NAME: z.string().default("tumiki"),
    // `npm run bench` only: "1" turns on the framework-floor route, which forwards to this URL.
    BENCH_FLOOR_ROUTE: z.enum(["0", "1"]).optional(),
    BENCH_FLOOR_TARGET_URL: optionalUrl,
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    VERCEL: optionalString,
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
      ctx.addIssue({
        code: "custom",
        path: [env.UPSTASH_REDIS_REST_URL ? "UPSTASH_REDIS_REST_TOKEN" : "UPSTASH_REDIS_REST_URL"],
        message: "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are set together or not at all",
      });
    }
    const oidc = [env.AUTH_OIDC_ISSUER, env.AUTH_OIDC_CLIENT_ID, env.AUTH_OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_OIDC_ISSUER"],
        message: "AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET are set together",
      });
    }
    const external = [env.EXTERNAL_AUTH_ISSUER, env.EXTERNAL_AUTH_JWKS_URL, env.EXTERNAL_AUTH_AUDIENCE];
    if (external.some(Boolean) && !external.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["EXTERNAL_AUTH_ISSUER"],
        message: "EXTERNAL_AUTH_ISSUER, EXTERNAL_AUTH_JWKS_URL and EXTERNAL_AUTH_AUDIENCE are set together",
      });
    }
    if (env.VERCEL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: "is required on Vercel: the embedded database cannot persist on serverless functions",
      });
    }
  });

export type TEnv = Omit<z.infer<typeof ZEnv>, "TRUSTED_PROXY_HOPS"> & {
  TRUSTED_PROXY_HOPS: number;
  /** Rate-limit policies overridden by RATE_LIMIT_<POLICY>="<attempts>/<window>" (rate-limit-env.ts). */
  RATE_LIMITS: TRateLimitOverrides;
};

export class EnvError extends Error {
  constructor(
    readonly variables: string[],
    details: string,
  ) {
    super(`Invalid environment configuration:\n${details}\nSee .env.example for every variable.`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): TEnv {
  const result = ZEnv.safeParse(source);
  const rateLimits = ZRateLimitEnv.safeParse(source);
  if (result.success && rateLimits.success) {
    // Vercel overwrites X-Forwarded-For with the client's address; anywhere else the header is the
    // client's own unless an operator says how many proxies stand in front.
    return {
      ...result.data,
      TRUSTED_PROXY_HOPS: result.data.TRUSTED_PROXY_HOPS ?? (result.data.VERCEL ? 1 : 0),
      RATE_LIMITS: rateLimits.data,
    };
  }
  const issues = [...(result.error?.issues ?? []), ...(rateLimits.error?.issues ?? [])];
  const lines = issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    // Never echo the value: it may be a secret.
    const message =
      issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
    return `  ${name}: ${message}`;
  });
  throw new EnvError(
    issues.map((issue) => issue.path.join(".")),
    lines.join("\n"),
  );
}

let cached: TEnv | undefined;

export function getEnv(): TEnv {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests and scripts that change process.env after start-up (e.g. a key rotation). */
export function resetEnvCache(): void {
  cached = undefined;
}
