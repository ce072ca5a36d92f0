"use client";

import type { TToolState } from "@/server/tool-controls/tool-control-settings";
import type { TToolDefinition } from "@/server/tool-controls/tool-definition";
import { FormAlert } from "../auth/form-alert";
import { primaryButton } from "../button-styles";
import { describeMutationError } from "../dashboard/format";
import { describePendingChange } from "./describe-pending-change";
import { diffLines, type TDiffLine } from "./diff-lines";

// The side-by-side of a changed tool: what the owner approved before and what the backend serves now,
// part by part (description, input schema, output schema, the rest), with the differing lines marked.
// Approving trusts exactly the version shown here (approve-tool-change.ts checks its digest).

const pretty = (value: unknown) => (value === undefined ? "(none)" : JSON.stringify(value, null, 2));

const PARTS: Array<{ label: string; of: (definition: TToolDefinition) => string; wrap?: boolean }> = [
  { label: "Description", of: (d) => d.description ?? "(none)", wrap: true },
  { label: "Input schema", of: (d) => pretty(d.inputSchema) },
  { label: "Output schema", of: (d) => pretty(d.outputSchema) },
  { label: "Title and annotations", of: (d) => pretty({ title: d.title, annotations: d.annotations }) },
];

export function ToolChangeReview({
  toolName,
  state,
  pinToolDefinitions,
  approved,
  pending,
  onApprove,
  isApproving,
  error,
}: {
  toolName: string;
  /** The tool's state now: whether the change holds it depends on it (describe-pending-change.ts). */
  state: TToolState;
  pinToolDefinitions: boolean;
  approved: TToolDefinition;
  pending: TToolDefinition;
  onApprove: () => void;
  isApproving: boolean;
  error: unknown;
}) {
  return (
    <section aria-label={`Change of ${toolName}`} className="space-y-4 rounded-lg bg-amber-50/50 p-4">
      <p className="text-sm text-slate-700">
        The server now describes <span className="font-mono">{toolName}</span> differently from the version
        you approved. {describePendingChange({ state, pinToolDefinitions })}
      </p>
      {PARTS.map(({ label, of, wrap = false }) => {
        const before = of(approved);
        const after = of(pending);
        const diff = diffLines(before, after);
        return (
          <div key={label} className="space-y-1">
            <h4 className="text-sm font-semibold text-slate-900">
              {label}
              {before === after ? <span className="ml-2 font-normal text-slate-500">unchanged</span> : null}
            </h4>
            <div className="grid gap-3 md:grid-cols-2">
              <DiffColumn title="Approved" lines={diff.before} mark="bg-red-100 text-red-900" wrap={wrap} />
              <DiffColumn title="New" lines={diff.after} mark="bg-emerald-100 text-emerald-900" wrap={wrap} />
            </div>
          </div>
        );
      })}
      <FormAlert message={describeMutationError(error)} />
      <button type="button" className={primaryButton} disabled={isApproving} onClick={onApprove}>
        {isApproving ? "Approving…" : `Approve new version of ${toolName}`}
      </button>
    </section>
  );
}

function DiffColumn({
  title,
  lines,
  mark,
  wrap,
}: {
  title: string;
  lines: TDiffLine[];
  mark: string;
  /** Prose (a description) wraps; JSON keeps its lines and scrolls. */
  wrap: boolean;
}) {
  return (
    <figure className="min-w-0">
      <figcaption className="text-xs font-medium uppercase tracking-wide text-slate-500">{title}</figcaption>
      <pre
        className={`max-h-80 overflow-auto rounded-md border border-slate-200 bg-white p-2 font-mono text-xs ${wrap ? "whitespace-pre-wrap break-words" : ""}`}
      >
        {lines.map((line, index) => (
          // Lines repeat (closing braces): their position is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: a line of a fixed text
          <div key={index} className={line.changed ? mark : undefined}>
            {line.changed ? (
              <span className="sr-only">{title === "New" ? "added: " : "removed: "}</span>
            ) : null}
            {line.text || " "}
          </div>
        ))}
      </pre>
    </figure>
  );
}
