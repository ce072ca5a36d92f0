"use client";

import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { type FormEvent, type RefObject, useEffect, useId, useRef, useState } from "react";
import type { AppRouter } from "@/server/api/root";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { secondaryButton, textLink } from "../button-styles";
import { ClientForm } from "../client-form";
import { ConfirmButton } from "../dashboard/confirm-button";
import { CopyButton } from "../dashboard/copy-button";
import { describeMutationError, getFieldErrors } from "../dashboard/format";
import { card } from "../dashboard/table-styles";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { BackendHealthBadge } from "../servers/backend-health-badge";
import { ConnectionStatusBadge } from "../servers/connection-status-badge";
import { SubmitButton } from "../submit-button";
import { api } from "../trpc";
import { SetupSnippets } from "./setup-snippets";

type RouterOutputs = inferRouterOutputs<AppRouter>;
type Instance = RouterOutputs["instance"]["list"][number];
type Server = RouterOutputs["servers"]["list"][number];
type Health = RouterOutputs["servers"]["health"];

type InstanceCardProps = {
  instance: Instance;
  /** The user's servers; undefined while they load or when loading failed (serversError). */
  servers: Server[] | undefined;
  serversError: unknown;
  /** The servers' health by server id; undefined while it loads. */
  health: Health | undefined;
  /** Where focus goes once this card is deleted. */
  focusAfterDelete: RefObject<HTMLElement | null>;
};

export function InstanceCard({
  instance,
  servers,
  serversError,
  health,
  focusAfterDelete,
}: InstanceCardProps) {
  const headingId = useId();
  const utils = api.useUtils();
  const refresh = async () => {
    await refreshAfterMutation(utils.instance.list, utils.servers.list);
  };
  const remove = api.instance.delete.useMutation({ onSuccess: refresh });

  return (
    <article aria-labelledby={headingId} className={`${card} space-y-5`}>
      <RenameableTitle instance={instance} headingId={headingId} />

      <div className="space-y-1">
        <p className="text-sm font-medium text-slate-800">MCP URL</p>
        <div className="flex flex-wrap items-center gap-3">
          <code
            data-testid="mcp-url"
            className="break-all rounded-md bg-slate-100 px-2 py-1 font-mono text-sm"
          >
            {instance.mcpUrl}
          </code>
          <CopyButton value={instance.mcpUrl} label="Copy URL" copiedMessage="URL copied" />
        </div>
      </div>

      <ConnectionPicker
        instance={instance}
        servers={servers}
        serversError={serversError}
        health={health}
        onSaved={refresh}
      />

      <p className="text-sm text-slate-700">
        <Link href={`/instances/${instance.id}#tools`} className={textLink}>
          Manage tools
        </Link>{" "}
        — choose which tools AI clients see, review changed tools, and ask before destructive calls.
      </p>

      <SetupSnippets id={instance.id} name={instance.name} url={instance.mcpUrl} />

      <div className="flex items-center justify-end gap-3 border-t border-slate-100 pt-4">
        <FormAlert message={describeMutationError(remove.error)} />
        <ConfirmButton
          action="Delete"
          target={instance.name}
          confirmLabel="Delete instance"
          disabled={remove.isPending}
          onConfirm={() => remove.mutate({ instanceId: instance.id })}
          focusAfterRemoval={focusAfterDelete}
        >
          Its URL stops working at once. AI clients authorized for it and its API keys lose access, and this
          cannot be undone.
        </ConfirmButton>
      </div>
    </article>
  );
}

function RenameableTitle({ instance, headingId }: { instance: Instance; headingId: string }) {
  const utils = api.useUtils();
  const [isEditing, setIsEditing] = useState(false);
  const [name, setName] = useState(instance.name);
  const renameButton = useRef<HTMLButtonElement>(null);
  const hasEdited = useRef(false);
  const rename = api.instance.rename.useMutation({
    onSuccess: async () => {
      setIsEditing(false);
      await refreshAfterMutation(utils.instance.list);
    },
  });

  // The form that had focus is gone when editing ends: focus returns to the button that opened it.
  useEffect(() => {
    if (isEditing) hasEdited.current = true;
    else if (hasEdited.current) renameButton.current?.focus();
  }, [isEditing]);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate({ instanceId: instance.id, name });
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id={headingId} className="text-lg font-semibold text-slate-900">
          {instance.name}
        </h2>
        {isEditing ? null : (
          <button
            ref={renameButton}
            type="button"
            aria-label={`Rename ${instance.name}`}
            className={`${secondaryButton} px-3 py-1.5 text-xs`}
            onClick={() => {
              setName(instance.name);
              rename.reset();
              setIsEditing(true);
            }}
          >
            Rename
          </button>
        )}
      </div>
      {isEditing ? (
        <ClientForm onSubmit={handleSubmit} className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <TextField
              label="New name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              maxLength={80}
              required
              autoFocus
              error={getFieldErrors(rename.error).name ?? describeMutationError(rename.error) ?? undefined}
            />
          </div>
          <div className="flex gap-2">
            <SubmitButton isPending={rename.isPending}>Save name</SubmitButton>
            <button type="button" className={secondaryButton} onClick={() => setIsEditing(false)}>
              Cancel
            </button>
          </div>
        </ClientForm>
      ) : null}
    </div>
  );
}

function ConnectionPicker({
  instance,
  servers,
  serversError,
  health,
  onSaved,
}: {
  instance: Instance;
  servers: Server[] | undefined;
  serversError: unknown;
  health: Health | undefined;
  onSaved: () => Promise<void>;
}) {
  const current = instance.connections.map((connection) => connection.connectionId);
  const [selected, setSelected] = useState<string[] | null>(null);
  const chosen = selected ?? current;
  const save = api.instance.setConnections.useMutation({
    onSuccess: async () => {
      await onSaved();
      setSelected(null);
    },
  });
  const isDirty = selected !== null && [...selected].sort().join() !== [...current].sort().join();

  function toggle(connectionId: string, checked: boolean) {
    setSelected(
      checked ? [...new Set([...chosen, connectionId])] : chosen.filter((id) => id !== connectionId),
    );
  }

  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-800">Servers in this instance</legend>
      {servers === undefined ? (
        serversError ? (
          <FormAlert message={describeMutationError(serversError)} />
        ) : (
          <p className="text-sm text-slate-600">Loading servers…</p>
        )
      ) : servers.length === 0 ? (
        <p className="text-sm text-slate-600">
          You have no servers yet.{" "}
          <Link href="/servers" className={textLink}>
            Add a server
          </Link>{" "}
          to bundle it here.
        </p>
      ) : (
        <ul className="space-y-1">
          {servers.map((server) => {
            return (
              <li key={server.connectionId}>
                <label className="flex items-center gap-2 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    className="size-4 accent-brand"
                    checked={chosen.includes(server.connectionId)}
                    disabled={save.isPending}
                    onChange={(event) => toggle(server.connectionId, event.target.checked)}
                  />
                  {server.name}
                  <span className="font-mono text-xs text-slate-500">{server.slug}</span>
                  {/* Bundling does not need a working connection: until it is (re)connected, AI clients
                      are told where to connect it. */}
                  {server.state.status === "connected" ? null : (
                    <ConnectionStatusBadge status={server.state.status} />
                  )}
                  <BackendHealthBadge health={health?.[server.serverId]} compact />
                </label>
              </li>
            );
          })}
        </ul>
      )}
      <FormAlert message={describeMutationError(save.error)} />
      {servers && servers.length > 0 ? (
        <button
          type="button"
          className={`${secondaryButton} px-3 py-1.5 text-xs`}
          disabled={!isDirty || save.isPending}
          onClick={() => save.mutate({ instanceId: instance.id, connectionIds: chosen })}
        >
          {save.isPending ? "Saving…" : "Save servers"}
        </button>
      ) : null}
    </fieldset>
  );
}
