"use client";

import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { FormAlert } from "../auth/form-alert";
import { secondaryButton } from "../button-styles";
import { DataTable } from "../dashboard/data-table";
import { describeMutationError } from "../dashboard/format";
import { cell } from "../dashboard/table-styles";
import { api } from "../trpc";
import { CONNECTION_ACTION_LABEL, ConnectionStatusBadge } from "./connection-status-badge";
import type { TStartAuthorization } from "./use-authorization-popup";

type CatalogServer = inferRouterOutputs<AppRouter>["servers"]["catalog"][number];

const AUTH_LABEL = { NONE: "None", API_KEY: "API key", OAUTH: "OAuth sign-in" } as const;

/**
 * The servers an administrator shared with every user. Connecting one needs no URL: a server without
 * authentication is connected at once, an OAuth one opens the sign-in popup on the same click. Every
 * user signs in through the administrator's client registration, so no client credentials are asked
 * for here (the server refuses them for a catalog server). Hidden while there are none, which is the
 * usual case on a personal deployment.
 */
export function ServerCatalog({
  startAuthorization,
  isAuthorizing,
  onConnected,
}: {
  startAuthorization: TStartAuthorization;
  isAuthorizing: boolean;
  onConnected: () => Promise<void>;
}) {
  const catalog = api.servers.catalog.useQuery();
  const connect = api.servers.connectCatalog.useMutation();

  if (!catalog.isPending && catalog.error)
    return <FormAlert message={describeMutationError(catalog.error)} />;
  if (!catalog.data || catalog.data.length === 0) return null;

  function handleConnect(server: CatalogServer) {
    connect.reset();
    if (server.authType !== "OAUTH") {
      connect.mutate({ serverId: server.serverId }, { onSuccess: onConnected });
      return;
    }
    startAuthorization({
      serverName: server.name,
      serverId: async () => (await connect.mutateAsync({ serverId: server.serverId })).serverId,
    });
  }

  return (
    <section aria-label="Catalog" className="space-y-3">
      <h2 className="text-lg font-semibold text-slate-900">Catalog</h2>
      <p className="text-sm text-slate-600">Servers shared with everyone on this Tumiki.</p>
      <FormAlert message={describeMutationError(connect.error)} />
      <DataTable caption="Catalog servers" columns={["Name", "Authentication", "Status"]} hasActions>
        {catalog.data.map((server) => (
          <tr key={server.serverId}>
            <td className={cell}>
              <div className="font-medium text-slate-900">{server.name}</div>
              {server.description ? <div className="text-xs text-slate-600">{server.description}</div> : null}
              <div className="break-all font-mono text-xs text-slate-500">{server.url}</div>
            </td>
            <td className={cell}>{AUTH_LABEL[server.authType]}</td>
            <td className={cell}>
              <ConnectionStatusBadge status={server.state.status} />
            </td>
            <td className={`${cell} text-right`}>
              {server.state.action ? (
                <button
                  type="button"
                  className={`${secondaryButton} px-3 py-1.5 text-xs`}
                  aria-label={`${CONNECTION_ACTION_LABEL[server.state.action]} ${server.name}`}
                  disabled={isAuthorizing || connect.isPending}
                  onClick={() => handleConnect(server)}
                >
                  {CONNECTION_ACTION_LABEL[server.state.action]}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
