"use client";

import { type FormEvent, useRef, useState } from "react";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { ClientForm } from "../client-form";
import { ConfirmButton } from "../dashboard/confirm-button";
import { DataTable } from "../dashboard/data-table";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { FormErrorAlert } from "../dashboard/form-error-alert";
import { describeMutationError, formatDateTime, getFieldErrors } from "../dashboard/format";
import { ListQueryResult } from "../dashboard/list-query-result";
import { card, cell } from "../dashboard/table-styles";
import { SubmitButton } from "../submit-button";
import { api } from "../trpc";

const STATUS_LABEL = {
  CONNECTED: "Connected",
  PENDING: "Pending",
  NEEDS_REAUTH: "Needs sign-in",
  ERROR: "Error",
} as const;

export function ServersManager() {
  const utils = api.useUtils();
  const servers = api.servers.list.useQuery();
  const [form, setForm] = useState({ name: "", url: "" });
  const list = useRef<HTMLElement>(null);
  const refresh = async () => {
    await Promise.all([utils.servers.list.invalidate(), utils.instance.list.invalidate()]);
  };
  const add = api.servers.addUnauthenticated.useMutation({
    onSuccess: async () => {
      setForm({ name: "", url: "" });
      await refresh();
    },
  });
  const remove = api.servers.remove.useMutation({ onSuccess: refresh });
  const fieldErrors = getFieldErrors(add.error);

  function handleAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate(form);
  }

  return (
    <div className="space-y-6">
      <ClientForm onSubmit={handleAdd} className={`${card} space-y-3`}>
        <h2 className="text-lg font-semibold text-slate-900">Add a server without authentication</h2>
        <p className="text-sm text-slate-600">
          For MCP servers that anyone with the URL may use. Connecting servers that need sign-in is coming
          soon.
        </p>
        <FormErrorAlert error={add.error} />
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Server name"
            value={form.name}
            onChange={(event) => setForm({ ...form, name: event.target.value })}
            maxLength={80}
            required
            error={fieldErrors.name}
          />
          <TextField
            label="Server URL"
            type="url"
            placeholder="https://example.com/mcp"
            hint="https:// (http:// only for localhost)"
            value={form.url}
            onChange={(event) => setForm({ ...form, url: event.target.value })}
            required
            error={fieldErrors.url}
          />
        </div>
        <SubmitButton isPending={add.isPending} pendingLabel="Adding…">
          Add server
        </SubmitButton>
      </ClientForm>

      {/* Focus lands here when a removed server's row (and its Remove button) goes away. */}
      <section ref={list} aria-label="Your servers" tabIndex={-1} className="space-y-3 focus:outline-none">
        <FormAlert message={describeMutationError(remove.error)} />
        <ListQueryResult
          query={servers}
          loadingText="Loading servers…"
          empty={
            <EmptyListBox title="No servers yet">
              Add one above, then bundle it into an instance.
            </EmptyListBox>
          }
        >
          {(rows) => (
            <DataTable
              caption="Your servers"
              columns={["Name", "URL", "Status", "Instances", "Added"]}
              hasActions
            >
              {rows.map((server) => (
                <tr key={server.connectionId}>
                  <td className={cell}>
                    <div className="font-medium text-slate-900">{server.name}</div>
                    <div className="font-mono text-xs text-slate-500">mcp:access:{server.slug}</div>
                  </td>
                  <td className={`${cell} break-all font-mono text-xs`}>{server.url}</td>
                  <td className={cell}>{STATUS_LABEL[server.status]}</td>
                  <td className={cell}>{server.instanceNames.join(", ") || "None"}</td>
                  <td className={cell}>{formatDateTime(server.connectedAt)}</td>
                  <td className={`${cell} text-right`}>
                    <ConfirmButton
                      action="Remove"
                      target={server.name}
                      confirmLabel="Remove server"
                      disabled={remove.isPending}
                      onConfirm={() => remove.mutate({ connectionId: server.connectionId })}
                      focusAfterRemoval={list}
                    >
                      It leaves every instance that bundles it, and AI clients can no longer reach it through
                      Tumiki.
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </ListQueryResult>
      </section>
    </div>
  );
}
