"use client";

import { type FormEvent, useRef, useState } from "react";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { ClientForm } from "../client-form";
import { ConfirmButton } from "../dashboard/confirm-button";
import { CopyButton } from "../dashboard/copy-button";
import { DataTable } from "../dashboard/data-table";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { FormErrorAlert } from "../dashboard/form-error-alert";
import { describeMutationError, formatDate, formatDateTime, getFieldErrors } from "../dashboard/format";
import { InstanceScopeFields } from "../dashboard/instance-scope-fields";
import { ListQueryResult } from "../dashboard/list-query-result";
import { OneTimeSecretPanel } from "../dashboard/one-time-secret-panel";
import { card, cell } from "../dashboard/table-styles";
import { useInstanceScopeChoice } from "../dashboard/use-instance-scope-choice";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { SubmitButton } from "../submit-button";
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
  const choice = useInstanceScopeChoice(instances.data ?? []);
  const [form, setForm] = useState({ name: "", expiresOn: "" });
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const keysHeading = useRef<HTMLHeadingElement>(null);
  const create = api.apiKey.create.useMutation({
    onSuccess: async (result) => {
      setCreated({ key: result.key, name: form.name.trim() });
      setForm({ name: "", expiresOn: "" });
      choice.resetScopes();
      await refreshAfterMutation(utils.apiKey.list);
    },
  });
  const revoke = api.apiKey.revoke.useMutation({ onSuccess: () => refreshAfterMutation(utils.apiKey.list) });
  const fieldErrors = getFieldErrors(create.error);
  const now = new Date();

  function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (choice.toolsError) return;
    setCreated(null);
    create.mutate({
      name: form.name,
      instanceId: choice.instanceId,
      scopes: choice.requestedScopes,
      expiresAt: endOfLocalDay(form.expiresOn),
    });
  }

  return (
    <div className="space-y-6">
      {created ? (
        <OneTimeSecretPanel
          key={created.key}
          label="New API key"
          headingLevel={2}
          heading={<>Your new key “{created.name}”</>}
          warning="Copy this key now. Tumiki keeps only a hash of it and cannot show it again."
          onDone={() => setCreated(null)}
        >
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
        </OneTimeSecretPanel>
      ) : null}

      <ListQueryResult
        query={instances}
        loadingText="Loading instances…"
        empty={
          <EmptyListBox title="Create an instance first">
            An API key opens one instance; create one on the Instances page.
          </EmptyListBox>
        }
      >
        {() => (
          <ClientForm onSubmit={handleCreate} className={`${card} space-y-4`}>
            <h2 className="text-lg font-semibold text-slate-900">New API key</h2>
            <FormErrorAlert error={create.error} />
            <InstanceScopeFields
              choice={choice}
              scopesError={fieldErrors.scopes}
              nameField={
                <TextField
                  label="Key name"
                  value={form.name}
                  onChange={(event) => setForm({ ...form, name: event.target.value })}
                  maxLength={100}
                  required
                  error={fieldErrors.name}
                />
              }
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
            <SubmitButton
              isPending={create.isPending}
              pendingLabel="Creating…"
              disabled={!choice.instanceId || choice.toolsError !== undefined}
            >
              Create API key
            </SubmitButton>
          </ClientForm>
        )}
      </ListQueryResult>

      <h2 ref={keysHeading} tabIndex={-1} className="text-lg font-semibold text-slate-900 focus:outline-none">
        Your API keys
      </h2>
      <FormAlert message={describeMutationError(revoke.error)} />
      <ListQueryResult
        query={keys}
        loadingText="Loading API keys…"
        empty={
          <EmptyListBox title="No API keys yet">
            Keys are for clients and scripts that cannot sign in with OAuth. A key is shown once, when it is
            created; afterwards only its prefix is kept.
          </EmptyListBox>
        }
      >
        {(list) => (
          <DataTable
            caption="Your API keys"
            columns={["Name", "Prefix", "Instance", "Scopes", "Created", "Last used", "Expires", "Status"]}
            hasActions
          >
            {list.map((key) => {
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
                        action="Revoke"
                        target={key.name}
                        confirmLabel="Revoke key"
                        disabled={revoke.isPending}
                        onConfirm={() => revoke.mutate({ id: key.id })}
                        focusAfterRemoval={keysHeading}
                      >
                        Clients using this key are refused from their next request on. This cannot be undone.
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </ListQueryResult>
    </div>
  );
}
