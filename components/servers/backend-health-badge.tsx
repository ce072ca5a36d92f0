import type { TBackendHealth, TBackendHealthState } from "@/server/backend-health/backend-health-schemas";
import { formatDateTime } from "../dashboard/format";

// A backend server's health (server/backend-health) on the Servers and instance pages: a pill with
// the state, and what last went wrong and how long ago. The colour only repeats what the text says.

const STATE_BADGE: Record<TBackendHealthState, { label: string; className: string }> = {
  healthy: { label: "Healthy", className: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  degraded: { label: "Degraded", className: "bg-amber-50 text-amber-900 ring-amber-200" },
  down: { label: "Down", className: "bg-red-50 text-red-800 ring-red-200" },
  unknown: { label: "Unknown", className: "bg-slate-50 text-slate-700 ring-slate-200" },
};

const STATE_TITLE: Record<TBackendHealthState, string> = {
  healthy: "Its recent requests succeeded.",
  degraded: "Its latest requests failed; it is still tried.",
  down: "Several requests in a row failed: AI clients are told it is unavailable until it answers again.",
  unknown: "Tumiki has not talked to it recently.",
};

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", Number.POSITIVE_INFINITY],
];

/** "5 minutes ago", "yesterday". */
function formatAgo(iso: string, now: number): string {
  let value = Math.round((Date.parse(iso) - now) / 1000);
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return relative.format(value, unit);
    value = Math.round(value / size);
  }
  return relative.format(value, "day");
}

export function BackendHealthBadge({
  health,
  compact = false,
}: {
  /** undefined while health loads (or when it could not be loaded): nothing is shown. */
  health: TBackendHealth | undefined;
  /** Only the pill and, when the server is failing, the error: for lists of servers. */
  compact?: boolean;
}) {
  if (!health) return null;
  const { label, className } = STATE_BADGE[health.state];
  const failing = health.state === "down" || health.state === "degraded";
  const { lastError, lastErrorAt } = health;
  const showError = lastError !== undefined && lastErrorAt !== undefined && (failing || !compact);
  return (
    <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-1">
      <span
        title={STATE_TITLE[health.state]}
        className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${className}`}
      >
        {label}
      </span>
      {showError ? (
        <span className="text-xs text-slate-600">
          {failing ? "" : "Last error: "}
          {lastError},{" "}
          <time dateTime={lastErrorAt} title={formatDateTime(new Date(lastErrorAt))}>
            {formatAgo(lastErrorAt, Date.now())}
          </time>
        </span>
      ) : null}
    </span>
  );
}
