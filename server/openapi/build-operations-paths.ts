import { CLEANUP_RULES } from "../jobs/cleanup/cleanup-rules";
import { appErrorResponse, jsonContent, ref, type TOpenApiObject } from "./openapi-fragments";

// The operator's endpoints: health for load balancers, Prometheus metrics, the clean-up job's cron
// route, and this document itself.

const plainText = (description: string, example: string) => ({
  description,
  content: { "text/plain": { schema: { type: "string" }, example } },
});

export function buildOperationsPaths(): Record<string, TOpenApiObject> {
  const health = (status: "ok" | "degraded", redis: "ok" | "down") => ({
    status,
    database: { status: "ok", kind: "postgres", latencyMs: 2 },
    redis: { status: redis, kind: "redis", latencyMs: redis === "ok" ? 1 : 2000 },
  });
  return {
    "/api/health": {
      get: {
        tags: ["Operations"],
        operationId: "getHealth",
        summary: "Health of the app, its database and Redis",
        description: "For load balancers and uptime checks. Names no host, URL or error message.",
        responses: {
          "200": {
            description: "Everything answers.",
            content: jsonContent(ref("schemas", "Health"), health("ok", "ok")),
          },
          "503": {
            description: "The database or Redis does not answer.",
            content: jsonContent(ref("schemas", "Health"), health("degraded", "down")),
          },
        },
      },
    },
    "/api/metrics": {
      get: {
        tags: ["Operations"],
        operationId: "getMetrics",
        summary: "Prometheus metrics",
        description:
          "The process's figures in the Prometheus text format: HTTP and MCP requests and latency, backend latency, " +
          "token refreshes, authentications, rate-limit refusals, open streams, Redis and database errors, clean-up " +
          "runs. Needs `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN set the endpoint does not exist.",
        security: [{ metricsToken: [] }],
        responses: {
          "200": plainText(
            "The metrics (Content-Type `text/plain; version=0.0.4`).",
            '# HELP tumiki_mcp_requests_total MCP requests on /mcp/{instanceId}\n# TYPE tumiki_mcp_requests_total counter\ntumiki_mcp_requests_total{method="tools/call",server="linear",outcome="success",era="modern"} 42\n',
          ),
          "401": {
            ...plainText("No or a wrong bearer token.", "Unauthorized"),
            headers: {
              "WWW-Authenticate": { schema: { type: "string" }, example: 'Bearer realm="tumiki-metrics"' },
            },
          },
          "404": plainText("METRICS_TOKEN is not set.", "Not Found"),
        },
      },
    },
    "/api/cron/cleanup": {
      get: {
        tags: ["Operations"],
        operationId: "runCleanup",
        summary: "Run the retention and clean-up job (Vercel Cron)",
        description:
          "Deletes, in bounded batches, audit rows older than AUDIT_RETENTION_DAYS and expired or used codes, " +
          "tokens, authorization states, orphaned consent and records of tools a server stopped serving more than " +
          "TOOL_RECORD_RETENTION_DAYS ago. Vercel Cron calls it daily with " +
          "`Authorization: Bearer <CRON_SECRET>`; self-hosted, `npm run jobs:cleanup` runs the same job. Idempotent; " +
          "safe to run twice at once.",
        security: [{ cronSecret: [] }],
        responses: {
          "200": {
            description: "What was deleted.",
            content: jsonContent(ref("schemas", "CleanupResult"), {
              deleted: Object.fromEntries(
                CLEANUP_RULES.map((rule) => [rule.table, rule.table === "audit_log" ? 1200 : 0]),
              ),
              total: 1200,
              complete: true,
              durationMs: 840,
            }),
          },
          "401": appErrorResponse(
            "No or a wrong cron secret.",
            "UNAUTHORIZED",
            "A valid cron secret is required.",
          ),
          "404": appErrorResponse("CRON_SECRET is not set.", "NOT_FOUND", "Not found."),
          "500": appErrorResponse(
            "The job failed.",
            "INTERNAL",
            "Something went wrong on our side. Try again later.",
          ),
        },
      },
    },
    "/api/openapi.json": {
      get: {
        tags: ["Operations"],
        operationId: "getOpenApiDocument",
        summary: "This document",
        description:
          "OpenAPI 3.1, generated from the zod schemas the routes parse with. Browse it at /docs/api.",
        responses: {
          "200": {
            description: "The document.",
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
  };
}
