import type { TBackendTokenStatus } from "@/server/backends/backend-token-status";
import { STATUS_LABEL } from "./token-format";

const TONE: Record<TBackendTokenStatus, string> = {
  connected: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  expiring: "bg-amber-50 text-amber-900 ring-amber-200",
  needs_reauth: "bg-red-50 text-red-800 ring-red-200",
  error: "bg-orange-50 text-orange-900 ring-orange-200",
};

/** The status as a coloured pill; the colour only repeats what the text says. */
export function TokenStatusBadge({ status }: { status: TBackendTokenStatus }) {
  return (
    <span
      className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE[status]}`}
    >
      {STATUS_LABEL[status]}
    </span>
  );
}
