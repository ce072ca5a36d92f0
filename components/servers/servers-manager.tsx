"use client";

import { useCallback } from "react";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { api } from "../trpc";
import { AddServerForm } from "./add-server-form";
import { AuthorizationNotice } from "./authorization-notice";
import { ServerCatalog } from "./server-catalog";
import { useAuthorizationPopup } from "./use-authorization-popup";
import { UserServerList } from "./user-server-list";

/** The Servers page: add a server, connect catalog servers, and the user's servers with their status. */
export function ServersManager({ reconnectServerId }: { reconnectServerId?: string }) {
  const utils = api.useUtils();
  // A connection changes the servers, the instances that may bundle them, and the backend tokens.
  const refresh = useCallback(async () => {
    await refreshAfterMutation(
      utils.servers.list,
      utils.servers.catalog,
      utils.instance.list,
      utils.backendTokens.list,
    );
  }, [utils]);
  const popup = useAuthorizationPopup({ onFinished: refresh });
  const isAuthorizing = popup.state.status === "preparing";

  return (
    <div className="space-y-8">
      <AuthorizationNotice state={popup.state} onOpenBlocked={popup.openBlocked} onDismiss={popup.dismiss} />
      <AddServerForm onAdded={refresh} startAuthorization={popup.start} />
      <UserServerList
        reconnectServerId={reconnectServerId}
        startAuthorization={popup.start}
        isAuthorizing={isAuthorizing}
        onRemoved={refresh}
      />
      <ServerCatalog startAuthorization={popup.start} isAuthorizing={isAuthorizing} onConnected={refresh} />
    </div>
  );
}
