"use client";

import { type FormEvent, useEffect, useRef, useState } from "react";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { primaryButton, secondaryButton } from "../button-styles";
import { ConfirmButton } from "../dashboard/confirm-button";
import { CopyButton } from "../dashboard/copy-button";
import { describeMutationError, formatDateTime, getFieldErrors } from "../dashboard/format";
import { ScopeCheckboxes } from "../dashboard/scope-checkboxes";
import { SelectField } from "../dashboard/select-field";
import { card, cell, emptyBox, headerCell, table, tableWrapper } from "../dashboard/table-styles";
import { api } from "../trpc";

type Created = { name: string; clientId: string; clientSecret: string; resource: string; scope: string };

function buildCurlExample({ tokenEndpoint, created }: { tokenEndpoint: string; created: Created }): string {
  return [
    `curl -X POST ${tokenEndpoint} \\`,
    `  -u '${created.clientId}:${created.clientSecret}' \\`,
    "  -d grant_type=client_credentials \\",
    `  -d resource=${created.resource} \\`,
    `  --data-urlencode 'scope=${created.scope}'`,
  ].join("\n");
}

export function M2mClients({ tokenEndpoint }: { tokenEndpoint: string }) {
  const utils = api.useUtils();
  const clients = api.aiClient.listM2m.useQuery();
  const instances = api.instance.list.useQuery();
  const [form, setForm] = useState({ name: "", instanceId: "", scopes: ["mcp:access:*"] });
  const [created, setCreated] = useState<Created | null>(null);
  const createdHeading = useRef<HTMLHeadingElement>(null);
  const sectionHeading = useRef<HTMLHeadingElement>(null);

  // The secret is shown once: focus (and a screen reader) goes straight to it.
  useEffect(() => {
    if (created) createdHeading.current?.focus();
  }, [created]);

  const instanceList = instances.data ?? [];
  const instanceId = form.instanceId || instanceList[0]?.id || "";
  const instance = instanceList.find((candidate) => candidate.id === instanceId);
  const offeredScopes = instance?.scopes ?? [];

  const create = api.aiClient.createM2m.useMutation({
    onSuccess: async (result, input) => {
      setCreated({
        name: input.name,
        clientId: result.clientId,
        clientSecret: result.clientSecret,
        resource: instance?.mcpUrl ?? "",
        scope: input.scopes.join(" "),
      });
      setForm({ name: "", instanceId: form.instanceId, scopes: ["mcp:access:*"] });
      await utils.aiClient.listM2m.invalidate();
    },
  });
  const remove = api.aiClient.deleteM2m.useMutation({ onSuccess: () => utils.aiClient.listM2m.invalidate() });
  const fieldErrors = getFieldErrors(create.error);

  function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    create.mutate({
      name: form.name.trim(),
      instanceId,
      scopes: form.scopes.filter((scope) => offeredScopes.includes(scope)),
    });
  }

  return (
    <section aria-labelledby="m2m-clients" className="space-y-3">
      <h2
        ref={sectionHeading}
        id="m2m-clients"
        tabIndex={-1}
        className="text-lg font-semibold text-slate-900 focus:outline-none"
      >
        Machine-to-machine clients
      </h2>
      <p className="text-sm text-slate-600">
        For scripts and services without a person to approve a consent screen: they get tokens with the OAuth
        client credentials grant.
      </p>

      {created ? (
        <section
          className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-6"
          aria-label="New machine-to-machine client"
        >
          <h3
            ref={createdHeading}
            tabIndex={-1}
            className="text-base font-semibold text-slate-900 focus:outline-none"
          >
            Credentials of “{created.name}”
          </h3>
          <p className="text-sm font-medium text-amber-900">
            Copy the secret now. Tumiki keeps only a hash of it and cannot show it again.
          </p>
          <dl className="space-y-2 text-sm">
            <div className="flex flex-wrap items-center gap-3">
              <dt className="w-28 font-medium text-slate-800">Client ID</dt>
              <dd>
                <code data-testid="m2m-client-id" className="break-all font-mono">
                  {created.clientId}
                </code>
              </dd>
              <CopyButton value={created.clientId} label="Copy client ID" copiedMessage="Client ID copied" />
            </div>
            <div className="flex flex-wrap items-center gap-3">
              <dt className="w-28 font-medium text-slate-800">Client secret</dt>
              <dd>
                <code data-testid="m2m-client-secret" className="break-all font-mono">
                  {created.clientSecret}
                </code>
              </dd>
              <CopyButton value={created.clientSecret} label="Copy secret" copiedMessage="Secret copied" />
            </div>
            <div className="flex flex-wrap items-center gap-3">
              <dt className="w-28 font-medium text-slate-800">Token endpoint</dt>
              <dd>
                <code className="break-all font-mono">{tokenEndpoint}</code>
              </dd>
            </div>
          </dl>
          <div className="space-y-1">
            <div className="flex items-center justify-between gap-2">
              <p className="text-sm font-medium text-slate-800">Get a token</p>
              <CopyButton
                value={buildCurlExample({ tokenEndpoint, created })}
                label="Copy curl example"
                copiedMessage="Command copied"
              />
            </div>
            <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
              <code>{buildCurlExample({ tokenEndpoint, created })}</code>
            </pre>
          </div>
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
        <div className={emptyBox}>A machine-to-machine client uses one instance; create one first.</div>
      ) : (
        <form onSubmit={handleCreate} className={`${card} space-y-4`}>
          <h3 className="text-base font-semibold text-slate-900">New machine-to-machine client</h3>
          <FormAlert
            message={
              create.error && Object.keys(fieldErrors).length === 0
                ? describeMutationError(create.error)
                : null
            }
          />
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField
              label="Client name"
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
              options={instanceList.map((candidate) => ({ value: candidate.id, label: candidate.name }))}
            />
          </div>
          <ScopeCheckboxes
            offered={offeredScopes}
            selected={form.scopes}
            onChange={(scopes) => setForm({ ...form, scopes })}
            error={fieldErrors.scopes}
          />
          <button type="submit" className={primaryButton} disabled={create.isPending || !instanceId}>
            {create.isPending ? "Creating…" : "Create client"}
          </button>
        </form>
      )}

      <FormAlert message={describeMutationError(remove.error)} />
      {clients.isPending ? (
        <p className="text-sm text-slate-600">Loading clients…</p>
      ) : clients.error ? (
        <FormAlert message={describeMutationError(clients.error)} />
      ) : clients.data.length === 0 ? (
        <div className={emptyBox}>No machine-to-machine clients yet.</div>
      ) : (
        <div className={tableWrapper}>
          <table className={table}>
            <caption className="sr-only">Your machine-to-machine clients</caption>
            <thead className="bg-slate-50">
              <tr>
                {["Name", "Client ID", "Instance", "Scopes", "Created", "Last token issued"].map((h) => (
                  <th key={h} scope="col" className={headerCell}>
                    {h}
                  </th>
                ))}
                <th scope="col" className={headerCell}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {clients.data.map((client) => (
                <tr key={client.id}>
                  <td className={`${cell} font-medium text-slate-900`}>{client.name}</td>
                  <td className={`${cell} break-all font-mono text-xs`}>{client.clientId}</td>
                  <td className={cell}>{client.instance.name}</td>
                  <td className={`${cell} font-mono text-xs`}>{client.scopes.join(" ")}</td>
                  <td className={cell}>{formatDateTime(client.createdAt)}</td>
                  <td className={cell}>{formatDateTime(client.lastUsedAt)}</td>
                  <td className={`${cell} text-right`}>
                    <ConfirmButton
                      label="Delete"
                      ariaLabel={`Delete ${client.name}`}
                      title={`Delete ${client.name}?`}
                      confirmLabel="Delete client"
                      disabled={remove.isPending}
                      onConfirm={() => remove.mutate({ id: client.id })}
                      focusAfterRemoval={sectionHeading}
                    >
                      Its tokens stop working at once and its secret can no longer get new ones.
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
