"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useRef } from "react";
import type { AppRouter } from "@/server/api/root";
import { FormAlert } from "../auth/form-alert";
import { secondaryButton } from "../button-styles";
import { ConfirmButton } from "../dashboard/confirm-button";
import { DataTable } from "../dashboard/data-table";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { describeMutationError, formatDateTime } from "../dashboard/format";
import { ListQueryResult } from "../dashboard/list-query-result";
import { cell } from "../dashboard/table-styles";
import { api } from "../trpc";
import { BackendHealthBadge } from "./backend-health-badge";
import { CONNECTION_ACTION_LABEL, ConnectionStatusBadge } from "./connection-status-badge";
import type { TStartAuthorization } from "./use-authorization-popup";

type Server = inferRouterOutputs<AppRouter>["servers"]["list"][number];

const HEALTH_REFRESH_MS = 30_000;

/** The state's sign-in action; a server the user was sent here to renew (`?reconnect=`) always offers one. */
function authorizationActionOf(server: Server, isHighlighted: boolean): string | null {
  if (server.state.action) return CONNECTION_ACTION_LABEL[server.state.action];
  return isHighlighted && server.authType === "OAUTH" ? CONNECTION_ACTION_LABEL.reconnect : null;
}

/**
 * The user's servers with their status. `reconnectServerId` (from `?reconnect=`) marks the server whose
 * grant ended: its row is highlighted and its Reconnect button takes the focus once the list loaded.
 */
export function UserServerList({
  reconnectServerId,
  startAuthorization,
  isAuthorizing,
  onRemoved,
}: {
  reconnectServerId?: string;
  startAuthorization: TStartAuthorization;
  isAuthorizing: boolean;
  onRemoved: () => Promise<void>;
}) {
  const servers = api.servers.list.useQuery();
  // Health changes on its own (a backend goes down, comes back): polled, unlike the list.
  const health = api.servers.health.useQuery(undefined, { refetchInterval: HEALTH_REFRESH_MS });
  const remove = api.servers.remove.useMutation({ onSuccess: onRemoved });
  const list = useRef<HTMLElement>(null);
  const reconnectButton = useRef<HTMLButtonElement>(null);
  const hasFocusedReconnect = useRef(false);
  const highlighted = servers.data?.find((server) => server.serverId === reconnectServerId);
  const highlightedAction = highlighted ? authorizationActionOf(highlighted, true) : null;

  useEffect(() => {
    if (hasFocusedReconnect.current || !reconnectButton.current) return;
    hasFocusedReconnect.current = true;
    reconnectButton.current.focus();
    reconnectButton.current.scrollIntoView({ block: "center" });
  });

  return (
    // Focus lands here when a removed server's row (and its Remove button) goes away.
    <section ref={list} aria-label="Your servers" tabIndex={-1} className="space-y-3 focus:outline-none">
      <h2 className="text-lg font-semibold text-slate-900">Your servers</h2>
      {highlighted && highlightedAction ? (
        <p
          role="status"
          className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
        >
          Tumiki needs you to sign in to {highlighted.name} again before your AI clients can use it. Choose{" "}
          {highlightedAction}.
        </p>
      ) : null}
      <FormAlert message={describeMutationError(remove.error)} />
      <ListQueryResult
        query={servers}
        loadingText="Loading servers…"
        empty={
          <EmptyListBox title="No servers yet">Add one above, then bundle it into an instance.</EmptyListBox>
        }
      >
        {(rows) => (
          <DataTable
            caption="Your servers"
            columns={["Name", "URL", "Status", "Health", "Instances", "Added"]}
            hasActions
          >
            {rows.map((server) => {
              const isHighlighted = server.serverId === reconnectServerId;
              const action = authorizationActionOf(server, isHighlighted);
              return (
                <tr
                  key={server.connectionId}
                  className={isHighlighted ? "bg-amber-50" : undefined}
                  aria-current={isHighlighted ? "true" : undefined}
                >
                  <td className={cell}>
                    <div className="font-medium text-slate-900">{server.name}</div>
                    <div className="font-mono text-xs text-slate-500">mcp:access:{server.slug}</div>
                  </td>
                  <td className={`${cell} break-all font-mono text-xs`}>{server.url}</td>
                  <td className={cell}>
                    <ConnectionStatusBadge status={server.state.status} />
                  </td>
                  <td className={cell}>
                    <BackendHealthBadge health={health.data?.[server.serverId]} />
                  </td>
                  <td className={cell}>{server.instanceNames.join(", ") || "None"}</td>
                  <td className={cell}>{formatDateTime(server.connectedAt)}</td>
                  <td className={`${cell} text-right`}>
                    <div className="flex justify-end gap-2">
                      {action ? (
                        <button
                          ref={isHighlighted ? reconnectButton : undefined}
                          type="button"
                          className={`${secondaryButton} px-3 py-1.5 text-xs`}
                          aria-label={`${action} ${server.name}`}
                          disabled={isAuthorizing}
                          onClick={() =>
                            startAuthorization({ serverName: server.name, serverId: server.serverId })
                          }
                        >
                          {action}
                        </button>
                      ) : null}
                      <ConfirmButton
                        action="Remove"
                        target={server.name}
                        confirmLabel="Remove server"
                        disabled={remove.isPending}
                        onConfirm={() => remove.mutate({ connectionId: server.connectionId })}
                        focusAfterRemoval={list}
                      >
                        It leaves every instance that bundles it, and AI clients can no longer reach it
                        through Tumiki.
                        {server.isCatalog ? " It stays in the catalog: you can connect it again." : ""}
                      </ConfirmButton>
                    </div>
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </ListQueryResult>
    </section>
  );
}
