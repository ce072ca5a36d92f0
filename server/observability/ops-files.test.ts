import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { getMetricsRegistry } from "./metrics";
import "./tumiki-metrics";

// ops/grafana/tumiki.json and ops/prometheus/alerts.yml may only query figures Tumiki exports: a
// renamed or removed metric would otherwise leave a dashboard panel empty and an alert that can never
// fire, silently. Every PromQL expression is reduced to the metric names it selects, which must be
// registered in the registry /api/metrics serves. The plan's watch list must be there too.

const root = path.resolve(import.meta.dirname, "../..");
const dashboard = JSON.parse(readFileSync(path.join(root, "ops/grafana/tumiki.json"), "utf8")) as unknown;
const alerts = parse(readFileSync(path.join(root, "ops/prometheus/alerts.yml"), "utf8")) as {
  groups: { name: string; rules: { alert: string; expr: string; for?: string }[] }[];
};
const alertRules = alerts.groups.flatMap((group) => group.rules);

/** Every `expr` string anywhere in the dashboard (panels, rows' nested panels). */
function dashboardExpressions(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(dashboardExpressions);
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === "expr" && typeof value === "string" ? [value] : dashboardExpressions(value),
  );
}

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "bool",
  "inf",
  "nan",
]);

/** The metric names a PromQL expression selects, histogram series reduced to their metric. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "") // label values
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges, $__rate_interval
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ""); // label lists
  const names = [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    // A name followed by `(` is a function (rate, sum, histogram_quantile).
    .filter((match) => !/^\s*\(/.test(bare.slice((match.index ?? 0) + match[0].length)))
    .map((match) => match[0])
    .filter((token) => !KEYWORDS.has(token.toLowerCase()));
  return [...new Set(names.map((name) => name.replace(/_(bucket|sum|count)$/, "")))];
}

function exportedMetricNames(): Set<string> {
  return new Set(
    getMetricsRegistry()
      .getMetricsAsArray()
      .map((metric) => metric.name),
  );
}

describe("metricNamesIn (the checker itself)", () => {
  it("finds the metrics of an expression, and only those", () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, method) (rate(tumiki_x_seconds_bucket{a="b",c=~"d|e"}[5m]))) / on(job) group_left sum(other_total) > 2 and max(up) < bool 1',
      ).sort(),
    ).toEqual(["other_total", "tumiki_x_seconds", "up"]);
  });
});

describe("ops files", () => {
  const exported = exportedMetricNames();
  const expressions = [
    ...dashboardExpressions(dashboard).map((expr) => ({ where: "ops/grafana/tumiki.json", expr })),
    ...alertRules.map((rule) => ({ where: `alerts.yml ${rule.alert}`, expr: rule.expr })),
  ];

  it("query only metrics Tumiki exports", () => {
    expect(expressions.length).toBeGreaterThan(20);
    for (const { where, expr } of expressions) {
      const names = metricNamesIn(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${where} names ${name}: ${expr}`).toBe(true);
    }
  });

  it("have the plan's watch list as alerts, with its thresholds", () => {
    const find = (pattern: RegExp) => alertRules.filter((rule) => pattern.test(rule.expr));
    expect(find(/tumiki_mcp_requests_total\{outcome="failure"\}/)).not.toHaveLength(0);
    expect(find(/histogram_quantile\(0\.95,.*tumiki_http_request_duration_seconds_bucket/)).not.toHaveLength(
      0,
    );
    expect(find(/tumiki_backend_token_refreshes_total\{outcome="success"\}[\s\S]*< 0\.99\b/)).toHaveLength(1);
    expect(find(/tumiki_auth_attempts_total\{[^}]*outcome="success"\}[\s\S]*< 0\.999\b/)).toHaveLength(1);
    expect(find(/tumiki_backends\{state="down"\}/)).toHaveLength(1);
    for (const rule of alertRules) expect(rule.for, rule.alert).toMatch(/^\d+m$/);
  });

  it("show the watch list on the dashboard", () => {
    const titles = (dashboard as { panels: { title: string }[] }).panels.map((panel) => panel.title);
    for (const title of [
      "MCP error rate",
      "p95 latency",
      "Token refresh success rate",
      "Authentication success rate",
      "Backends down",
      "Open streams",
      "Rate-limit refusals",
    ]) {
      expect(titles.some((panelTitle) => panelTitle.startsWith(title))).toBe(true);
    }
  });
});
