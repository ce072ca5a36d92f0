"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { Fragment, useId, useState } from "react";
import type { AppRouter } from "@/server/api/root";
import type { TToolSelection } from "@/server/tool-controls/tool-control-settings";
import { FormAlert } from "../auth/form-alert";
import { secondaryButton } from "../button-styles";
import { describeMutationError } from "../dashboard/format";
import { card, cell } from "../dashboard/table-styles";
import { api } from "../trpc";
import { AnnotationBadges, NeedsConfirmationBadge, ToolStateBadge } from "./tool-badges";
import { ToolChangeReview } from "./tool-change-review";

type TView = inferRouterOutputs<AppRouter>["toolControls"]["list"];
type TServer = TView["servers"][number];
type TTool = TServer["tools"][number];

const SELECTIONS: Array<{ value: TToolSelection; label: string; hint: string }> = [
  { value: "ALL", label: "All tools", hint: "Every tool of the server." },
  { value: "CHOSEN", label: "Chosen tools", hint: "Only the tools checked below." },
  {
    value: "READ_ONLY",
    label: "Read-only tools only",
    hint: "Tools the server marks read-only (as first approved).",
  },
];

type TDraft = { selection: TToolSelection; includeNewTools: boolean; chosen: string[] };

const savedDraft = (server: TServer): TDraft => ({
  selection: server.selection,
  includeNewTools: server.includeNewTools,
  chosen: server.tools.filter((tool) => tool.chosen && tool.state !== "held_new").map((tool) => tool.name),
});

/** One bundled server's tools: which of them the instance exposes, their state, confirmation and changes. */
export function ServerToolsPanel({
  instanceId,
  server,
  pinToolDefinitions,
  onSaved,
}: {
  instanceId: string;
  server: TServer;
  /** The instance's option: what a recorded change means for clients depends on it. */
  pinToolDefinitions: boolean;
  onSaved: () => Promise<void>;
}) {
  const headingId = useId();
  const [draft, setDraft] = useState<TDraft | null>(null);
  const saved = savedDraft(server);
  const current = draft ?? saved;
  const save = api.toolControls.setSelection.useMutation({
    onSuccess: async () => {
      await onSaved();
      setDraft(null);
    },
  });
  const isDirty =
    draft !== null &&
    (draft.selection !== saved.selection ||
      draft.includeNewTools !== saved.includeNewTools ||
      (draft.selection === "CHOSEN" && [...draft.chosen].sort().join() !== [...saved.chosen].sort().join()));
  const ids = { instanceId, mcpServerId: server.mcpServerId };

  function edit(change: Partial<TDraft>) {
    setDraft({ ...current, ...change });
  }

  // Including one held tool saves at once, from the saved settings (and under CHOSEN, chosen as saved),
  // so it cannot save the owner's unsaved edits by the way; those stay in the draft, which gets the
  // tool too, so a later "Save" under CHOSEN keeps it chosen.
  const includeTool = api.toolControls.setSelection.useMutation({ onSuccess: onSaved });
  const isSaving = save.isPending || includeTool.isPending;

  function include(tool: string) {
    save.reset();
    includeTool.mutate(
      { ...ids, ...saved, chosen: [...saved.chosen, tool] },
      {
        onSuccess: () =>
          setDraft((draft) =>
            draft && !draft.chosen.includes(tool) ? { ...draft, chosen: [...draft.chosen, tool] } : draft,
          ),
      },
    );
  }

  return (
    <article aria-labelledby={headingId} className={`${card} space-y-5`}>
      <h3 id={headingId} className="flex flex-wrap items-baseline gap-2 text-lg font-semibold text-slate-900">
        {server.name}
        <span className="font-mono text-xs font-normal text-slate-500">{server.slug}</span>
      </h3>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">
          Tools of {server.name} this instance exposes
        </legend>
        <div className="flex flex-wrap gap-x-6 gap-y-2">
          {SELECTIONS.map(({ value, label, hint }) => (
            <label key={value} className="flex items-center gap-2 text-sm text-slate-800" title={hint}>
              <input
                type="radio"
                name={`selection-${server.mcpServerId}`}
                className="size-4 accent-brand"
                checked={current.selection === value}
                disabled={isSaving}
                onChange={() => edit({ selection: value })}
              />
              {label}
            </label>
          ))}
        </div>
        <label className="flex items-center gap-2 text-sm text-slate-800">
          <input
            type="checkbox"
            className="size-4 accent-brand"
            checked={current.includeNewTools}
            disabled={isSaving}
            onChange={(event) => edit({ includeNewTools: event.target.checked })}
          />
          Include tools the server adds later (otherwise hold them until chosen)
        </label>
      </fieldset>

      {server.tools.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-600">
          Tools appear here once a client has listed them through this instance.
        </p>
      ) : (
        <ToolTable
          ids={ids}
          tools={server.tools}
          pinToolDefinitions={pinToolDefinitions}
          chosenMode={current.selection === "CHOSEN"}
          chosen={current.chosen}
          onChoose={(name, checked) =>
            edit({
              chosen: checked
                ? [...new Set([...current.chosen, name])]
                : current.chosen.filter((n) => n !== name),
            })
          }
          onInclude={include}
          isSaving={isSaving}
          onSaved={onSaved}
        />
      )}

      <FormAlert message={describeMutationError(save.error ?? includeTool.error)} />
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          className={`${secondaryButton} px-3 py-1.5 text-xs`}
          disabled={!isDirty || isSaving}
          onClick={() => {
            includeTool.reset();
            save.mutate({ ...ids, ...current });
          }}
        >
          {save.isPending ? "Saving…" : `Save tools of ${server.name}`}
        </button>
        {isDirty ? (
          <button
            type="button"
            className="text-xs font-medium text-slate-600 underline-offset-2 hover:underline"
            onClick={() => setDraft(null)}
          >
            Discard changes
          </button>
        ) : null}
      </div>
    </article>
  );
}

function ToolTable({
  ids,
  tools,
  pinToolDefinitions,
  chosenMode,
  chosen,
  onChoose,
  onInclude,
  isSaving,
  onSaved,
}: {
  ids: { instanceId: string; mcpServerId: string };
  tools: TTool[];
  pinToolDefinitions: boolean;
  chosenMode: boolean;
  chosen: string[];
  onChoose: (name: string, checked: boolean) => void;
  onInclude: (name: string) => void;
  isSaving: boolean;
  onSaved: () => Promise<void>;
}) {
  const [reviewing, setReviewing] = useState<string | null>(null);
  // The confirmation the owner just picked shows at once, not only after the tools are read back.
  const [asked, setAsked] = useState<{ name: string; confirm: boolean | null } | null>(null);
  const confirm = api.toolControls.setConfirmation.useMutation({
    onSuccess: onSaved,
    onSettled: () => setAsked(null),
  });
  const confirmOf = (tool: TTool) => (asked?.name === tool.name ? asked.confirm : tool.confirm);
  const approve = api.toolControls.approveChange.useMutation({
    onSuccess: async () => {
      setReviewing(null);
      await onSaved();
    },
  });
  const columns = chosenMode ? 5 : 4;

  return (
    <div className="space-y-2">
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              {chosenMode ? <th className="px-4 py-2">Chosen</th> : null}
              <th className="px-4 py-2">Tool</th>
              <th className="px-4 py-2">State</th>
              <th className="px-4 py-2">Confirmation</th>
              <th className="px-4 py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tools.map((tool) => (
              <Fragment key={tool.name}>
                <tr>
                  {chosenMode ? (
                    <td className={cell}>
                      <input
                        type="checkbox"
                        aria-label={`Choose ${tool.name}`}
                        className="size-4 accent-brand"
                        checked={chosen.includes(tool.name)}
                        disabled={isSaving}
                        onChange={(event) => onChoose(tool.name, event.target.checked)}
                      />
                    </td>
                  ) : null}
                  <td className={cell}>
                    <div className="flex flex-wrap items-center gap-2">
                      <span className="font-mono text-sm text-slate-900">{tool.name}</span>
                      <AnnotationBadges annotations={tool.definition.annotations} />
                    </div>
                    {tool.definition.title ? <p className="text-slate-800">{tool.definition.title}</p> : null}
                    {tool.definition.description ? (
                      <p className="max-w-prose text-slate-600">{tool.definition.description}</p>
                    ) : null}
                  </td>
                  <td className={cell}>
                    <div className="flex flex-col items-start gap-1">
                      <ToolStateBadge state={tool.state} />
                      {tool.needsConfirmation ? <NeedsConfirmationBadge /> : null}
                    </div>
                  </td>
                  <td className={cell}>
                    <select
                      aria-label={`Confirmation for ${tool.name}`}
                      className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                      value={confirmOf(tool) === null ? "follow" : confirmOf(tool) ? "always" : "never"}
                      disabled={confirm.isPending}
                      onChange={(event) => {
                        const value = event.target.value;
                        const choice = value === "follow" ? null : value === "always";
                        setAsked({ name: tool.name, confirm: choice });
                        confirm.mutate({ ...ids, name: tool.name, confirm: choice });
                      }}
                    >
                      <option value="follow">Follow instance</option>
                      <option value="always">Always ask</option>
                      <option value="never">Never ask</option>
                    </select>
                  </td>
                  <td className={`${cell} text-right`}>
                    {tool.state === "held_new" ? (
                      <button
                        type="button"
                        aria-label={`Include ${tool.name}`}
                        className={`${secondaryButton} px-3 py-1.5 text-xs`}
                        disabled={isSaving}
                        onClick={() => onInclude(tool.name)}
                      >
                        Include
                      </button>
                    ) : null}
                    {tool.pending ? (
                      <button
                        type="button"
                        aria-expanded={reviewing === tool.name}
                        aria-label={`Review change of ${tool.name}`}
                        className={`${secondaryButton} px-3 py-1.5 text-xs`}
                        onClick={() => {
                          approve.reset();
                          setReviewing(reviewing === tool.name ? null : tool.name);
                        }}
                      >
                        Review change
                      </button>
                    ) : null}
                  </td>
                </tr>
                {tool.pending && reviewing === tool.name ? (
                  <tr>
                    <td colSpan={columns} className="px-4 py-3">
                      <ToolChangeReview
                        toolName={tool.name}
                        state={tool.state}
                        pinToolDefinitions={pinToolDefinitions}
                        approved={tool.definition}
                        pending={tool.pending.definition}
                        isApproving={approve.isPending}
                        error={approve.error}
                        onApprove={() =>
                          approve.mutate({
                            ...ids,
                            name: tool.name,
                            pendingDigest: tool.pending?.digest ?? "",
                          })
                        }
                      />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      <FormAlert message={describeMutationError(confirm.error)} />
    </div>
  );
}
