"use client";

import { type FormEvent, useState } from "react";
import { MCP_REQUEST_LIMIT_MAX } from "@/server/admin/admin-schemas";
import { TextField } from "../auth/text-field";
import { secondaryButton } from "../button-styles";
import { ClientForm } from "../client-form";
import { FormErrorAlert } from "../dashboard/form-error-alert";
import { getFieldErrors } from "../dashboard/format";
import { card } from "../dashboard/table-styles";
import { SubmitButton } from "../submit-button";
import { api } from "../trpc";

type UserLimitFormProps = {
  user: { id: string; email: string; mcpRequestLimit: number | null };
  defaultLimit: number;
  window: string;
  takesEffectWithinSeconds: number;
  onDone: (message: string) => void;
  onCancel: () => void;
};

/** Sets or clears one user's own /mcp limit. The server validates again and says which field is wrong. */
export function UserLimitForm({
  user,
  defaultLimit,
  window,
  takesEffectWithinSeconds,
  onDone,
  onCancel,
}: UserLimitFormProps) {
  const [value, setValue] = useState(user.mcpRequestLimit === null ? "" : String(user.mcpRequestLimit));
  const change = api.admin.setMcpRequestLimit.useMutation({
    onSuccess: (updated) =>
      onDone(
        updated.mcpRequestLimit === null
          ? `${updated.email} is back on the default limit.`
          : `${updated.email} may now make ${updated.mcpRequestLimit.toLocaleString("en")} requests per ${window}.`,
      ),
  });
  const fieldErrors = getFieldErrors(change.error);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // An empty or non-numeric entry goes to the server as NaN, which refuses it with the field's message.
    change.mutate({ userId: user.id, limit: value.trim() === "" ? Number.NaN : Number(value) });
  }

  return (
    <ClientForm onSubmit={handleSubmit} className={`${card} space-y-4`} noValidate>
      <h2 className="text-lg font-semibold text-slate-900">/mcp limit for {user.email}</h2>
      <FormErrorAlert error={change.error} />
      <div className="max-w-xs">
        <TextField
          label={`Requests per ${window}`}
          type="number"
          inputMode="numeric"
          min={1}
          max={MCP_REQUEST_LIMIT_MAX}
          step={1}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          placeholder={String(defaultLimit)}
          hint={`Default: ${defaultLimit.toLocaleString("en")}. Applies within ${takesEffectWithinSeconds} seconds.`}
          error={fieldErrors.limit}
        />
      </div>
      <div className="flex flex-wrap gap-3">
        <SubmitButton isPending={change.isPending} pendingLabel="Saving…">
          Save limit
        </SubmitButton>
        {user.mcpRequestLimit === null ? null : (
          <button
            type="button"
            className={secondaryButton}
            disabled={change.isPending}
            onClick={() => change.mutate({ userId: user.id, limit: null })}
          >
            Use the default
          </button>
        )}
        <button type="button" className={secondaryButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </ClientForm>
  );
}
