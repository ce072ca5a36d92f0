import { registerBackendsGauge } from "../backend-health/register-backends-gauge";
import { defineCounter, defineHistogram, defineUpDownGauge } from "./metrics";

// The catalogue of Tumiki's metrics (names are what ops/grafana and ops/prometheus/alerts.yml query;
// server/observability/ops-files.test.ts checks that every name they use is defined here).

/**
 * Every HTTP request Tumiki answers, by route family ("mcp", "oauth", "well_known", "api", "trpc", "auth").
 */
export const httpRequests = defineCounter("tumiki_http_requests_total", "HTTP requests answered", [
  "route",
  "method",
  "status",
] as const);

export const httpRequestDuration = defineHistogram(
  "tumiki_http_request_duration_seconds",
  "Time to the response's headers, by route family and outcome (success, client_error, server_error)",
  ["route", "outcome"] as const,
);

/** One per JSON-RPC request on /mcp; a JSON-RPC error or an isError result is outcome "failure". */
export const mcpRequests = defineCounter("tumiki_mcp_requests_total", "MCP requests on /mcp/{instanceId}", [
  "method",
  "server",
  "outcome",
  "era",
] as const);

export const mcpRequestDuration = defineHistogram(
  "tumiki_mcp_request_duration_seconds",
  "Duration of MCP requests on /mcp/{instanceId}, by method and outcome",
  ["method", "outcome"] as const,
);

/** Entries of a backend server into a health state (healthy, degraded, down): server/backend-health. */
export const backendStateChanges = defineCounter(
  "tumiki_backend_state_changes_total",
  "Backend MCP servers entering a health state (healthy, degraded, down)",
  ["state"] as const,
);

/**
 * Backend servers in use per health state, counted from Redis at each scrape (any process answers for all).
 */
export const backends = registerBackendsGauge();

export const backendRequestDuration = defineHistogram(
  "tumiki_backend_request_duration_seconds",
  "Time a backend MCP server took to answer, by server and outcome",
  ["server", "outcome"] as const,
);

/** Tier 2: outcome is "success", "invalid_grant" (the user must authorize again) or "transient_failure". */
export const backendTokenRefreshes = defineCounter(
  "tumiki_backend_token_refreshes_total",
  "Backend token refreshes by outcome",
  ["outcome"] as const,
);

/** Tier 1: every credential presented to /mcp, by kind (oauth, api_key, external) and outcome. */
export const authAttempts = defineCounter(
  "tumiki_auth_attempts_total",
  "Tier-1 authentications on /mcp by credential kind and outcome (success, failure)",
  ["kind", "outcome"] as const,
);

export const rateLimitRefusals = defineCounter(
  "tumiki_rate_limit_refusals_total",
  "Requests refused by a rate-limit policy",
  ["policy"] as const,
);

/**
 * Calls of tools that need the user's confirmation (issue 13), by outcome: "accepted", "declined",
 * "timed_out", "unavailable" (the client cannot ask), "reused" (a replayed confirmed retry), "cancelled"
 * (the 2025 client cancelled the call or went away while asked).
 */
export const toolConfirmations = defineCounter(
  "tumiki_tool_confirmations_total",
  "Confirmations of tool calls asked of users, by outcome",
  ["outcome"] as const,
);

/** Long-lived streams a process holds: "session" (2025 GET), "listen" (2026-07-28), "call". */
export const openStreams = defineUpDownGauge("tumiki_open_streams", "Open long-lived MCP streams", [
  "kind",
] as const);

export const activeSubscriptions = defineUpDownGauge(
  "tumiki_active_subscriptions",
  "Resource subscriptions held open for clients",
  [] as const,
);

export const redisErrors = defineCounter("tumiki_redis_errors_total", "Failed Redis operations", [] as const);

export const databaseErrors = defineCounter(
  "tumiki_database_errors_total",
  "Failed database operations",
  [] as const,
);

/** The clean-up job: rows deleted per table ("audit_log", "authorization_code", ...). */
export const cleanupDeletedRows = defineCounter(
  "tumiki_cleanup_deleted_rows_total",
  "Rows the clean-up job deleted, by table",
  ["table"] as const,
);

export const cleanupRuns = defineCounter("tumiki_cleanup_runs_total", "Clean-up job runs by outcome", [
  "outcome",
] as const);
