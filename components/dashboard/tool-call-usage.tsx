"use client";

import { keepPreviousData } from "@tanstack/react-query";
import Link from "next/link";
import { type ReactElement, useId, useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { TToolCallUsage, TUsageWindow } from "@/server/usage/usage-schemas";
import { FormAlert } from "../auth/form-alert";
import { textLink } from "../button-styles";
import { api } from "../trpc";
import { DataTable } from "./data-table";
import { EmptyListBox } from "./empty-list-box";
import { describeMutationError, formatDateTime } from "./format";
import { SelectField } from "./select-field";
import { card, cell } from "./table-styles";
import { describeErrors, formatLatency, selectUsage, type TUsageScope, toChartPoints } from "./usage-format";

// The dashboard's charts of tool calls (router usage.toolCalls): calls and errors, and latency, over the
// last 24 hours or 7 days, for the whole account or one instance or server, with the figures per
// instance and per server below. The totals are text next to the charts: what a screen reader reads.

const WINDOWS: { value: TUsageWindow; label: string }[] = [
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
];

const REFRESH_MS = 60_000;
const COLORS = { success: "#4f46e5", error: "#dc2626", p50: "#0891b2", p95: "#d97706" };
const CHART_MARGIN = { top: 4, right: 8, bottom: 0, left: -16 };
const TIME_AXIS = {
  dataKey: "label",
  tick: { fontSize: 11 },
  interval: "preserveStartEnd",
  minTickGap: 12,
} as const;

export function ToolCallUsage() {
  const [period, setPeriod] = useState<TUsageWindow>("24h");
  const [scope, setScope] = useState<TUsageScope>("all");
  const usage = api.usage.toolCalls.useQuery(
    { window: period },
    { placeholderData: keepPreviousData, refetchInterval: REFRESH_MS },
  );

  return (
    <section aria-labelledby="usage-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="usage-heading" className="text-lg font-semibold text-slate-900">
          Tool calls
        </h2>
        <fieldset className="flex gap-1 rounded-lg bg-slate-100 p-1">
          <legend className="sr-only">Period</legend>
          {WINDOWS.map((option) => (
            <button
              key={option.value}
              type="button"
              aria-pressed={period === option.value}
              onClick={() => setPeriod(option.value)}
              className={`rounded-md px-3 py-1.5 text-xs font-semibold focus-visible:outline-2 focus-visible:outline-brand ${
                period === option.value
                  ? "bg-white text-slate-900 shadow-sm"
                  : "text-slate-600 hover:text-slate-900"
              }`}
            >
              {option.label}
            </button>
          ))}
        </fieldset>
      </div>
      {usage.error && !usage.data ? (
        <FormAlert message={describeMutationError(usage.error)} />
      ) : !usage.data ? (
        <p className="text-sm text-slate-600">Loading tool calls…</p>
      ) : usage.data.overall.total.calls === 0 ? (
        <EmptyListBox title={`No tool calls in the ${period === "24h" ? "last 24 hours" : "last 7 days"}`}>
          Calls your AI clients make through your instances are counted here. Copy an instance's MCP URL from
          the{" "}
          <Link href="/instances" className={textLink}>
            Instances page
          </Link>{" "}
          into an AI client to start.
        </EmptyListBox>
      ) : (
        <UsageFigures usage={usage.data} scope={scope} onScopeChange={setScope} />
      )}
    </section>
  );
}

function UsageFigures({
  usage,
  scope,
  onScopeChange,
}: {
  usage: TToolCallUsage;
  scope: TUsageScope;
  onScopeChange: (scope: TUsageScope) => void;
}) {
  const chartsId = useId();
  const selected = selectUsage(usage, scope);
  const points = toChartPoints(usage, selected.series);
  const span = `Since ${formatDateTime(usage.from)}, ${usage.window === "24h" ? "hourly" : "every 6 hours"}`;
  const options = [
    { value: "all", label: "All instances and servers" },
    ...usage.instances.map((item) => ({
      value: `instance:${item.instanceId}`,
      label: `Instance: ${item.name ?? "deleted instance"}`,
    })),
    ...usage.servers.map((item) => ({
      value: `server:${item.mcpServerId}`,
      label: `Server: ${item.name ?? "removed server"}`,
    })),
  ];
  const isKnownScope = options.some((option) => option.value === scope);

  return (
    <div className="space-y-4">
      <div className={`${card} space-y-5`}>
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div className="w-full max-w-xs">
            <SelectField
              label="Show"
              value={isKnownScope ? scope : "all"}
              onChange={(event) => onScopeChange(event.target.value as TUsageScope)}
              options={options}
              aria-controls={chartsId}
            />
          </div>
          <p className="text-xs text-slate-500">{span}</p>
        </div>
        <dl data-testid="usage-totals" className="grid grid-cols-2 gap-4 sm:grid-cols-4">
          <Figure label="Calls" value={String(selected.total.calls)} />
          <Figure label="Errors" value={describeErrors(selected.total)} />
          <Figure label="Latency p50" value={formatLatency(selected.total.p50Ms)} />
          <Figure label="Latency p95" value={formatLatency(selected.total.p95Ms)} />
        </dl>
        <div id={chartsId} className="grid gap-6 lg:grid-cols-2">
          <ChartFigure testId="calls-chart" caption="Calls and errors">
            <BarChart data={points} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
              <XAxis {...TIME_AXIS} />
              <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Bar dataKey="successes" name="Succeeded" stackId="calls" fill={COLORS.success} />
              <Bar dataKey="errors" name="Errors" stackId="calls" fill={COLORS.error} />
            </BarChart>
          </ChartFigure>
          <ChartFigure testId="latency-chart" caption="Latency (ms)">
            <LineChart data={points} margin={CHART_MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
              <XAxis {...TIME_AXIS} />
              <YAxis tick={{ fontSize: 11 }} />
              <Tooltip formatter={(value) => formatLatency(typeof value === "number" ? value : null)} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Line dataKey="p50" name="p50" stroke={COLORS.p50} dot={{ r: 2 }} connectNulls />
              <Line dataKey="p95" name="p95" stroke={COLORS.p95} dot={{ r: 2 }} connectNulls />
            </LineChart>
          </ChartFigure>
        </div>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Breakdown
          caption="Tool calls per instance"
          title="Instance"
          rows={usage.instances.map((item) => ({
            id: item.instanceId,
            name: item.name ?? "Deleted instance",
            total: item.total,
          }))}
        />
        <Breakdown
          caption="Tool calls per server"
          title="Server"
          rows={usage.servers.map((item) => ({
            id: item.mcpServerId,
            name: item.name ?? "Removed server",
            total: item.total,
          }))}
        />
      </div>
    </div>
  );
}

function ChartFigure({
  testId,
  caption,
  children,
}: {
  testId: string;
  caption: string;
  children: ReactElement;
}) {
  return (
    <figure className="space-y-2" data-testid={testId}>
      <figcaption className="text-sm font-medium text-slate-800">{caption}</figcaption>
      <div className="h-56">
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold text-slate-900">{value}</dd>
    </div>
  );
}

function Breakdown({
  caption,
  title,
  rows,
}: {
  caption: string;
  title: string;
  rows: { id: string; name: string; total: TToolCallUsage["overall"]["total"] }[];
}) {
  return (
    <DataTable caption={caption} columns={[title, "Calls", "Errors", "p50", "p95"]}>
      {rows.map((row) => (
        <tr key={row.id}>
          <td className={`${cell} font-medium text-slate-900`}>{row.name}</td>
          <td className={cell}>{row.total.calls}</td>
          <td className={cell}>{describeErrors(row.total)}</td>
          <td className={`${cell} whitespace-nowrap`}>{formatLatency(row.total.p50Ms)}</td>
          <td className={`${cell} whitespace-nowrap`}>{formatLatency(row.total.p95Ms)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
