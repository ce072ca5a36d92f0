"use client";

import { useState } from "react";
import { FormAlert } from "../auth/form-alert";
import { describeMutationError } from "../dashboard/format";
import { api } from "../trpc";

// The instance-wide tool options; each checkbox saves at once (set-instance-tool-options.ts).

type TOptions = { pinToolDefinitions: boolean; confirmDestructiveTools: boolean };

export function InstanceToolOptions({
  instanceId,
  pinToolDefinitions,
  confirmDestructiveTools,
  onSaved,
}: {
  instanceId: string;
  pinToolDefinitions: boolean;
  confirmDestructiveTools: boolean;
  onSaved: () => Promise<void>;
}) {
  // What the owner asked for shows at once, not only after the saved options are read back.
  const [asked, setAsked] = useState<Partial<TOptions> | null>(null);
  const shown = { pinToolDefinitions, confirmDestructiveTools, ...asked };
  const save = api.toolControls.setOptions.useMutation({
    onSuccess: onSaved,
    onSettled: () => setAsked(null),
  });
  // Only the option toggled is sent: the other keeps its saved value even when this page read it
  // before someone changed it elsewhere.
  const set = (change: Partial<TOptions>) => {
    setAsked(change);
    save.mutate({ instanceId, ...change });
  };

  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-semibold text-slate-900">For every server of this instance</legend>
      <OptionToggle
        label="Pin tool definitions"
        hint="When a server changes a tool's description or schema, hold the tool back until you review and approve the change."
        checked={shown.pinToolDefinitions}
        disabled={save.isPending}
        onChange={(checked) => set({ pinToolDefinitions: checked })}
      />
      <OptionToggle
        label="Confirm destructive tools"
        hint="Ask the user through the AI client before each call of a tool its server marks as destructive. A client that cannot ask gets the call refused."
        checked={shown.confirmDestructiveTools}
        disabled={save.isPending}
        onChange={(checked) => set({ confirmDestructiveTools: checked })}
      />
      <FormAlert message={describeMutationError(save.error)} />
    </fieldset>
  );
}

function OptionToggle({
  label,
  hint,
  checked,
  disabled,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="flex items-start gap-2 text-sm text-slate-800">
      <input
        type="checkbox"
        className="mt-0.5 size-4 accent-brand"
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
      />
      <span>
        {label}
        <span className="block text-slate-600">{hint}</span>
      </span>
    </label>
  );
}
