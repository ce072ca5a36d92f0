"use client";

import { type FormEvent, useRef, useState } from "react";
import { TextField } from "../auth/text-field";
import { ClientForm } from "../client-form";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { FormErrorAlert } from "../dashboard/form-error-alert";
import { getFieldErrors } from "../dashboard/format";
import { ListQueryResult } from "../dashboard/list-query-result";
import { card } from "../dashboard/table-styles";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { SubmitButton } from "../submit-button";
import { api } from "../trpc";
import { InstanceCard } from "./instance-card";

export function InstancesManager() {
  const utils = api.useUtils();
  const instances = api.instance.list.useQuery();
  const servers = api.servers.list.useQuery();
  const health = api.servers.health.useQuery(undefined, { refetchInterval: 30_000 });
  const [name, setName] = useState("");
  const list = useRef<HTMLElement>(null);
  const create = api.instance.create.useMutation({
    onSuccess: async () => {
      setName("");
      await refreshAfterMutation(utils.instance.list);
    },
  });

  function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name });
  }

  return (
    <div className="space-y-6">
      <ClientForm onSubmit={handleCreate} className={`${card} space-y-3`}>
        <h2 className="text-lg font-semibold text-slate-900">New instance</h2>
        <FormErrorAlert error={create.error} />
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <TextField
              label="Instance name"
              name="name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              maxLength={80}
              required
              error={getFieldErrors(create.error).name}
            />
          </div>
          <SubmitButton isPending={create.isPending} pendingLabel="Creating…">
            Create instance
          </SubmitButton>
        </div>
      </ClientForm>

      {/* Focus lands here when a deleted instance's card (and its Delete button) goes away. */}
      <section ref={list} aria-label="Your instances" tabIndex={-1} className="focus:outline-none">
        <ListQueryResult
          query={instances}
          loadingText="Loading instances…"
          empty={
            <EmptyListBox title="No instances yet">
              Create one above. Each instance gets its own <code className="font-mono">/mcp/…</code> URL, and
              an AI client needs nothing but that URL to connect.
            </EmptyListBox>
          }
        >
          {(rows) => (
            <div className="space-y-6">
              {rows.map((instance) => (
                <InstanceCard
                  key={instance.id}
                  instance={instance}
                  servers={servers.data}
                  health={health.data}
                  serversError={servers.error}
                  focusAfterDelete={list}
                />
              ))}
            </div>
          )}
        </ListQueryResult>
      </section>
    </div>
  );
}
