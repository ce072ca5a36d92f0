import type { TConnectionState, TConnectionStatus } from "@/server/backends/derive-connection-state";

// The words for a connection's state (server/backends/derive-connection-state.ts), on every page that
// shows one: the Servers page, the catalog and the Tokens page.

const STATUS_BADGE: Record<TConnectionStatus, { label: string; className: string }> = {
  connected: { label: "Connected", className: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  expiring: { label: "Expiring soon", className: "bg-amber-50 text-amber-900 ring-amber-200" },
  // Nothing for the user to do: the token manager refreshes it when an AI client next uses the server.
  expired: { label: "Expired: renews on next use", className: "bg-sky-50 text-sky-900 ring-sky-200" },
  not_connected: { label: "Not connected", className: "bg-slate-50 text-slate-700 ring-slate-200" },
  needs_reauth: { label: "Needs re-auth", className: "bg-red-50 text-red-800 ring-red-200" },
  error: { label: "Error", className: "bg-orange-50 text-orange-900 ring-orange-200" },
};

export const CONNECTION_ACTION_LABEL: Record<NonNullable<TConnectionState["action"]>, string> = {
  connect: "Connect",
  reconnect: "Reconnect",
};

/** The status as a coloured pill; the colour only repeats what the text says. */
export function ConnectionStatusBadge({ status }: { status: TConnectionStatus }) {
  const { label, className } = STATUS_BADGE[status];
  return (
    <span
      className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${className}`}
    >
      {label}
    </span>
  );
}
