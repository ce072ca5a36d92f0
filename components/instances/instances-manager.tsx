"use client";

import { type FormEvent, useRef, useState } from "react";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { primaryButton } from "../button-styles";
import { describeMutationError, getFieldErrors } from "../dashboard/format";
import { emptyBox } from "../dashboard/table-styles";
import { api } from "../trpc";
import { InstanceCard } from "./instance-card";

export function InstancesManager() {
  const utils = api.useUtils();
  const instances = api.instance.list.useQuery();
  const servers = api.servers.list.useQuery();
  const [name, setName] = useState("");
  const list = useRef<HTMLElement>(null);
  const create = api.instance.create.useMutation({
    onSuccess: async () => {
      setName("");
      await utils.instance.list.invalidate();
    },
  });

  function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name });
  }

  return (
    <div className="space-y-6">
      <form onSubmit={handleCreate} className="space-y-3 rounded-xl border border-slate-200 bg-white p-6">
        <h2 className="text-lg font-semibold text-slate-900">New instance</h2>
        <FormAlert
          message={
            create.error && !getFieldErrors(create.error).name ? describeMutationError(create.error) : null
          }
        />
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
          <button type="submit" className={primaryButton} disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create instance"}
          </button>
        </div>
      </form>

      {/* Focus lands here when a deleted instance's card (and its Delete button) goes away. */}
      <section ref={list} aria-label="Your instances" tabIndex={-1} className="focus:outline-none">
        {instances.isPending ? (
          <p className="text-sm text-slate-600">Loading instances…</p>
        ) : instances.error ? (
          <FormAlert message={describeMutationError(instances.error)} />
        ) : instances.data.length === 0 ? (
          <div className={emptyBox}>
            <p className="text-base font-medium text-slate-900">No instances yet</p>
            <p className="mt-2">
              Create one above. Each instance gets its own <code className="font-mono">/mcp/…</code> URL, and
              an AI client needs nothing but that URL to connect.
            </p>
          </div>
        ) : (
          <div className="space-y-6">
            {instances.data.map((instance) => (
              <InstanceCard
                key={instance.id}
                instance={instance}
                servers={servers.data}
                serversError={servers.error}
                focusAfterDelete={list}
              />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
