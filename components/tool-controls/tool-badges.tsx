import type { TToolState } from "@/server/tool-controls/tool-control-settings";

// The pills of the tool table: a tool's state for the instance's clients, and the annotations its
// server gave it. The colour only repeats what the text says.

const pill =
  "inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

const STATE_BADGE: Record<TToolState, { label: string; className: string }> = {
  exposed: { label: "Exposed", className: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  hidden: { label: "Hidden", className: "bg-slate-50 text-slate-700 ring-slate-200" },
  held_new: { label: "New – held until chosen", className: "bg-sky-50 text-sky-900 ring-sky-200" },
  held_changed: {
    label: "Changed – held for review",
    className: "bg-amber-50 text-amber-900 ring-amber-200",
  },
};

export function ToolStateBadge({ state }: { state: TToolState }) {
  const { label, className } = STATE_BADGE[state];
  return <span className={`${pill} ${className}`}>{label}</span>;
}

export function NeedsConfirmationBadge() {
  return <span className={`${pill} bg-violet-50 text-violet-900 ring-violet-200`}>Needs confirmation</span>;
}

export function AnnotationBadges({ annotations }: { annotations: Record<string, unknown> | undefined }) {
  return (
    <>
      {annotations?.readOnlyHint === true ? (
        <span className={`${pill} bg-slate-50 text-slate-700 ring-slate-200`}>read-only</span>
      ) : null}
      {annotations?.destructiveHint === true ? (
        <span className={`${pill} bg-red-50 text-red-800 ring-red-200`}>destructive</span>
      ) : null}
    </>
  );
}
