import type { ConnectionStatus } from "@/server/generated/prisma/enums";

const BADGE = {
  CONNECTED: { label: "Connected", className: "bg-emerald-50 text-emerald-800 ring-emerald-600/20" },
  PENDING: { label: "Needs authorization", className: "bg-amber-50 text-amber-800 ring-amber-600/20" },
  NEEDS_REAUTH: {
    label: "Needs re-authorization",
    className: "bg-amber-50 text-amber-800 ring-amber-600/20",
  },
  ERROR: { label: "Error", className: "bg-red-50 text-red-800 ring-red-600/20" },
} as const satisfies Record<ConnectionStatus, { label: string; className: string }>;

/** A connection's status in words (the colour only repeats them). */
export function ServerStatusBadge({ status }: { status: ConnectionStatus }) {
  const { label, className } = BADGE[status];
  return (
    <span
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${className}`}
    >
      {label}
    </span>
  );
}
