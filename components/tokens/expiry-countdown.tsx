"use client";

import { formatDateTime } from "../dashboard/format";
import { formatCountdown } from "./token-format";
import { useNow } from "./use-now";

/**
 * "in 4m 12s", ticking every second; the absolute time is in the <time> element and its tooltip. Only
 * this cell re-renders each second, not the table. Not a live region: a screen reader reads it when
 * the user gets there, instead of hearing it every second.
 */
export function ExpiryCountdown({ expiresAt }: { expiresAt: Date | null }) {
  const now = useNow();
  if (!expiresAt) return <span>{formatCountdown(null, now)}</span>;
  const absolute = formatDateTime(expiresAt);
  return (
    <time dateTime={expiresAt.toISOString()} title={absolute}>
      {formatCountdown(expiresAt, now)}
      <span className="block text-xs text-slate-500">{absolute}</span>
    </time>
  );
}
