"use client";

import { type FormEvent, useEffect, useRef, useState } from "react";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { primaryButton, secondaryButton } from "../button-styles";
import { ConfirmButton } from "../dashboard/confirm-button";
import { CopyButton } from "../dashboard/copy-button";
import { describeMutationError, formatDate, formatDateTime, getFieldErrors } from "../dashboard/format";
import { ScopeCheckboxes } from "../dashboard/scope-checkboxes";
import { SelectField } from "../dashboard/select-field";
import { card, cell, emptyBox, headerCell, table, tableWrapper } from "../dashboard/table-styles";
import { api } from "../trpc";

type KeyState = { revokedAt: Date | null; expiresAt: Date | null };

function describeKeyStatus(key: KeyState, now: Date): string {
  if (key.revokedAt) return "Revoked";
  if (key.expiresAt && key.expiresAt <= now) return "Expired";
  return "Active";
}

/** An <input type="date"> value as the end of that day in the user's time zone. */
function endOfLocalDay(value: string): Date | undefined {
  return value ? new Date(`${value}T23:59:59.999`) : undefined;
}

export function ApiKeysManager() {
  const utils = api.useUtils();
  const keys = api.apiKey.list.useQuery();
  const instances = api.instance.list.useQuery();
  const [form, setForm] = useState({ name: "", instanceId: "", scopes: ["mcp:access:*"], expiresOn: "" });
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const createdHeading = useRef<HTMLHeadingElement>(null);
  const keysHeading = useRef<HTMLHeadingElement>(null);
  const create = api.apiKey.create.useMutation({
    onSuccess: async (result) => {
      setCreated({ key: result.key, name: form.name.trim() });
      setForm({ name: "", instanceId: form.instanceId, scopes: ["mcp:access:*"], expiresOn: "" });
      await utils.apiKey.list.invalidate();
    },
  });
  const revoke = api.apiKey.revoke.useMutation({ onSuccess: () => utils.apiKey.list.invalidate() });
  const fieldErrors = getFieldErrors(create.error);

  // The new key is shown once: focus (and a screen reader) goes straight to it.
  useEffect(() => {
    if (created) createdHeading.current?.focus();
  }, [created]);

  const instanceList = instances.data ?? [];
  const instanceId = form.instanceId || instanceList[0]?.id || "";
  const offeredScopes = instanceList.find((instance) => instance.id === instanceId)?.scopes ?? [];
  const now = new Date();

  function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    create.mutate({
      name: form.name,
      instanceId,
      scopes: form.scopes.filter((scope) => offeredScopes.includes(scope)),
      expiresAt: endOfLocalDay(form.expiresOn),
    });
  }

  return (
    <div className="space-y-6">
      {created ? (
        <section
          className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-6"
          aria-label="New API key"
        >
          <h2
            ref={createdHeading}
            tabIndex={-1}
            className="text-lg font-semibold text-slate-900 focus:outline-none"
          >
            Your new key “{created.name}”
          </h2>
          <p className="text-sm font-medium text-amber-900">
            Copy this key now. Tumiki keeps only a hash of it and cannot show it again.
          </p>
          <div className="flex flex-wrap items-center gap-3">
            <code
              data-testid="new-api-key"
              className="break-all rounded-md bg-white px-2 py-1 font-mono text-sm"
            >
              {created.key}
            </code>
            <CopyButton value={created.key} label="Copy key" copiedMessage="Key copied" />
          </div>
          <p className="text-xs text-slate-600">
            Send it as <code className="font-mono">Authorization: Bearer {"<key>"}</code> to the instance URL.
          </p>
          <button type="button" className={secondaryButton} onClick={() => setCreated(null)}>
            Done
          </button>
        </section>
      ) : null}

      {instances.isPending ? (
        <p className="text-sm text-slate-600">Loading instances…</p>
      ) : instances.error ? (
        <FormAlert message={describeMutationError(instances.error)} />
      ) : instanceList.length === 0 ? (
        <div className={emptyBox}>
          <p className="text-base font-medium text-slate-900">Create an instance first</p>
          <p className="mt-2">An API key opens one instance; create one on the Instances page.</p>
        </div>
      ) : (
        <form onSubmit={handleCreate} className={`${card} space-y-4`}>
          <h2 className="text-lg font-semibold text-slate-900">New API key</h2>
          <FormAlert
            message={
              create.error && Object.keys(fieldErrors).length === 0
                ? describeMutationError(create.error)
                : null
            }
          />
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField
              label="Key name"
              value={form.name}
              onChange={(event) => setForm({ ...form, name: event.target.value })}
              maxLength={100}
              required
              error={fieldErrors.name}
            />
            <SelectField
              label="Instance"
              value={instanceId}
              onChange={(event) =>
                setForm({ ...form, instanceId: event.target.value, scopes: ["mcp:access:*"] })
              }
              options={instanceList.map((instance) => ({ value: instance.id, label: instance.name }))}
            />
          </div>
          <ScopeCheckboxes
            offered={offeredScopes}
            selected={form.scopes}
            onChange={(scopes) => setForm({ ...form, scopes })}
            error={fieldErrors.scopes}
          />
          <div className="max-w-xs">
            <TextField
              label="Expires on (optional)"
              type="date"
              value={form.expiresOn}
              onChange={(event) => setForm({ ...form, expiresOn: event.target.value })}
              hint="The key stops working at the end of this day. Leave empty for no expiry."
              error={fieldErrors.expiresAt}
            />
          </div>
          <button type="submit" className={primaryButton} disabled={create.isPending || !instanceId}>
            {create.isPending ? "Creating…" : "Create API key"}
          </button>
        </form>
      )}

      <h2 ref={keysHeading} tabIndex={-1} className="text-lg font-semibold text-slate-900 focus:outline-none">
        Your API keys
      </h2>
      <FormAlert message={describeMutationError(revoke.error)} />
      {keys.isPending ? (
        <p className="text-sm text-slate-600">Loading API keys…</p>
      ) : keys.error ? (
        <FormAlert message={describeMutationError(keys.error)} />
      ) : keys.data.length === 0 ? (
        <div className={emptyBox}>
          <p className="text-base font-medium text-slate-900">No API keys yet</p>
          <p className="mt-2">
            Keys are for clients and scripts that cannot sign in with OAuth. A key is shown once, when it is
            created; afterwards only its prefix is kept.
          </p>
        </div>
      ) : (
        <div className={tableWrapper}>
          <table className={table}>
            <caption className="sr-only">Your API keys</caption>
            <thead className="bg-slate-50">
              <tr>
                {["Name", "Prefix", "Instance", "Scopes", "Created", "Last used", "Expires", "Status"].map(
                  (h) => (
                    <th key={h} scope="col" className={headerCell}>
                      {h}
                    </th>
                  ),
                )}
                <th scope="col" className={headerCell}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.data.map((key) => {
                const status = describeKeyStatus(key, now);
                return (
                  <tr key={key.id}>
                    <td className={`${cell} font-medium text-slate-900`}>{key.name}</td>
                    <td className={`${cell} font-mono text-xs`}>{key.prefix}…</td>
                    <td className={cell}>{key.instance.name}</td>
                    <td className={`${cell} font-mono text-xs`}>{key.scopes.join(" ")}</td>
                    <td className={cell}>{formatDateTime(key.createdAt)}</td>
                    <td className={cell}>{formatDateTime(key.lastUsedAt)}</td>
                    <td className={cell}>{formatDate(key.expiresAt)}</td>
                    <td className={cell}>{status}</td>
                    <td className={`${cell} text-right`}>
                      {status === "Revoked" ? null : (
                        <ConfirmButton
                          label="Revoke"
                          ariaLabel={`Revoke ${key.name}`}
                          title={`Revoke ${key.name}?`}
                          confirmLabel="Revoke key"
                          disabled={revoke.isPending}
                          onConfirm={() => revoke.mutate({ id: key.id })}
                          focusAfterRemoval={keysHeading}
                        >
                          Clients using this key are refused from their next request on. This cannot be
                          undone.
                        </ConfirmButton>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
