"use client";

import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useRef, useState } from "react";
import type { AppRouter } from "@/server/api/root";
import { FormAlert } from "../auth/form-alert";
import { secondaryButton, textLink } from "../button-styles";
import { ConfirmButton } from "../dashboard/confirm-button";
import { DataTable } from "../dashboard/data-table";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { describeMutationError, formatDateTime } from "../dashboard/format";
import { ListQueryResult } from "../dashboard/list-query-result";
import { cell } from "../dashboard/table-styles";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { AuthorizationNotice } from "../servers/authorization-notice";
import { CONNECTION_ACTION_LABEL, ConnectionStatusBadge } from "../servers/connection-status-badge";
import { useAuthorizationPopup } from "../servers/use-authorization-popup";
import { api } from "../trpc";
import { ExpiryCountdown } from "./expiry-countdown";
import { describeLastError } from "./token-format";

type BackendToken = inferRouterOutputs<AppRouter>["backendTokens"]["list"][number];

/** The outcome of the last action, announced: successes politely, failures at once. */
type Notice = { tone: "success" | "error"; text: string } | null;

const smallButton = `${secondaryButton} px-3 py-1.5 text-xs`;

function describeDisconnect(name: string, revokedAtBackend: boolean): string {
  return revokedAtBackend
    ? `${name} is disconnected: its tokens were revoked at the server and deleted from Tumiki.`
    : `${name} is disconnected: Tumiki deleted its tokens, but the server did not confirm revoking them. ` +
        `To be sure, remove Tumiki's access in ${name}'s own settings.`;
}

export function BackendTokensManager() {
  const utils = api.useUtils();
  const tokens = api.backendTokens.list.useQuery();
  const [notice, setNotice] = useState<Notice>(null);
  // Focus lands here when a confirmed Disconnect removes its own button from the row.
  const section = useRef<HTMLElement>(null);
  const reloadList = () => refreshAfterMutation(utils.backendTokens.list);

  const refresh = api.backendTokens.refresh.useMutation({ onSettled: reloadList });
  const disconnect = api.backendTokens.disconnect.useMutation({ onSettled: reloadList });
  // The Servers page's sign-in popup: a reconnect is the same authorization as a first connect.
  const popup = useAuthorizationPopup({ onFinished: reloadList });

  /** One outcome on screen at a time; a sign-in still under way keeps its notice. */
  function clearNotices() {
    setNotice(null);
    if (popup.state.status === "succeeded" || popup.state.status === "failed") popup.dismiss();
  }

  function handleRefresh(token: BackendToken) {
    clearNotices();
    refresh.mutate(
      { serverId: token.serverId },
      {
        onSuccess: () =>
          setNotice({ tone: "success", text: `The token of ${token.serverName} was refreshed.` }),
        onError: (error) =>
          setNotice({
            tone: "error",
            text: describeMutationError(error) ?? `The token of ${token.serverName} was not refreshed.`,
          }),
      },
    );
  }

  function handleDisconnect(token: BackendToken) {
    clearNotices();
    disconnect.mutate(
      { serverId: token.serverId },
      {
        onSuccess: ({ revokedAtBackend }) =>
          setNotice({ tone: "success", text: describeDisconnect(token.serverName, revokedAtBackend) }),
        onError: (error) =>
          setNotice({
            tone: "error",
            text: describeMutationError(error) ?? `${token.serverName} was not disconnected.`,
          }),
      },
    );
  }

  function handleSignIn(token: BackendToken) {
    setNotice(null);
    // Opens the popup synchronously, inside this click: one opened after an await would be blocked.
    popup.start({ serverName: token.serverName, serverId: token.serverId });
  }

  return (
    <section ref={section} aria-label="Server tokens" tabIndex={-1} className="space-y-3 focus:outline-none">
      <AuthorizationNotice state={popup.state} onOpenBlocked={popup.openBlocked} onDismiss={popup.dismiss} />
      <FormAlert message={notice?.tone === "error" ? notice.text : null} />
      <div role="status" aria-live="polite">
        {notice?.tone === "success" ? (
          <p className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
            {notice.text}
          </p>
        ) : null}
      </div>
      <ListQueryResult
        query={tokens}
        loadingText="Loading tokens…"
        empty={
          <EmptyListBox title="No server tokens yet">
            Connect an OAuth server on the{" "}
            <Link href="/servers" className={textLink}>
              Servers page
            </Link>
            ; the tokens Tumiki gets for it are listed here.
          </EmptyListBox>
        }
      >
        {(list) => (
          <DataTable
            caption="Tokens Tumiki holds for your servers"
            columns={["Server", "Status", "Expires", "Scopes", "Refreshes", "Last refresh"]}
            hasActions
          >
            {list.map((token) => {
              const nameId = `token-server-${token.serverId}`;
              return (
                <tr key={token.serverId}>
                  <td className={cell}>
                    <div id={nameId} className="font-medium text-slate-900">
                      {token.serverName}
                    </div>
                    <div className="font-mono text-xs text-slate-500">{token.slug}</div>
                  </td>
                  <td className={cell}>
                    <ConnectionStatusBadge status={token.state.status} />
                    {token.lastError ? (
                      <p className="mt-1 max-w-xs text-xs text-slate-600">
                        {describeLastError(token.lastError)}
                      </p>
                    ) : null}
                  </td>
                  <td className={`${cell} whitespace-nowrap`}>
                    {token.hasToken ? <ExpiryCountdown expiresAt={token.expiresAt} /> : "—"}
                  </td>
                  <td className={`${cell} font-mono text-xs`}>{token.scopes.join(" ") || "—"}</td>
                  <td className={cell}>{token.refreshCount}</td>
                  <td className={cell}>{formatDateTime(token.lastRefreshedAt)}</td>
                  <td className={`${cell} text-right`}>
                    <div className="flex flex-wrap justify-end gap-2">
                      {token.state.action ? (
                        <button
                          type="button"
                          className={smallButton}
                          aria-label={`${CONNECTION_ACTION_LABEL[token.state.action]} ${token.serverName}`}
                          disabled={popup.state.status === "preparing"}
                          onClick={() => handleSignIn(token)}
                        >
                          {CONNECTION_ACTION_LABEL[token.state.action]}
                        </button>
                      ) : null}
                      {token.state.canRefresh ? (
                        <button
                          type="button"
                          className={smallButton}
                          aria-describedby={nameId}
                          // The name stays "Refresh now" while pending (tests and screen readers find
                          // the button by it); aria-busy says it is working.
                          disabled={refresh.isPending}
                          aria-busy={refresh.isPending && refresh.variables?.serverId === token.serverId}
                          onClick={() => handleRefresh(token)}
                        >
                          Refresh now
                        </button>
                      ) : null}
                      {token.hasToken ? (
                        <ConfirmButton
                          action="Disconnect"
                          target={token.serverName}
                          confirmLabel="Disconnect server"
                          disabled={disconnect.isPending}
                          onConfirm={() => handleDisconnect(token)}
                          focusAfterRemoval={section}
                        >
                          Tumiki asks the server to revoke its tokens and deletes them. The server stays in
                          your instances, but AI clients cannot use it until you reconnect.
                        </ConfirmButton>
                      ) : null}
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
