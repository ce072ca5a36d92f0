"use client";

import Link from "next/link";
import { useState } from "react";
import type { TTokenAttention } from "@/server/usage/get-dashboard-overview";
import { FormAlert } from "../auth/form-alert";
import { secondaryButton, textLink } from "../button-styles";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { AuthorizationNotice } from "../servers/authorization-notice";
import { CONNECTION_ACTION_LABEL } from "../servers/connection-status-badge";
import { useAuthorizationPopup } from "../servers/use-authorization-popup";
import { ExpiryCountdown } from "../tokens/expiry-countdown";
import { describeLastError } from "../tokens/token-format";
import { api } from "../trpc";
import { describeMutationError } from "./format";

// Backend tokens that need the user, on the dashboard home, with what fixes each: a new sign-in (the
// Tokens page's popup) or a refresh; the Tokens page has the rest.

const smallButton = `${secondaryButton} px-3 py-1.5 text-xs`;

function describeReason(token: TTokenAttention): string {
  if (token.reason === "needs_reauth")
    return "Tumiki can no longer use this server for you: sign in to it again.";
  if (token.reason === "error") {
    return token.lastError ? describeLastError(token.lastError) : "The last refresh of its token failed.";
  }
  return token.canRefresh
    ? "Its token expires soon; Tumiki renews it on the next use, or refresh it now."
    : "Its token expires soon and Tumiki cannot renew it: sign in again before it does.";
}

export function TokenAttention({ tokens }: { tokens: TTokenAttention[] }) {
  const utils = api.useUtils();
  const [refreshed, setRefreshed] = useState<string | null>(null);
  const reload = () => refreshAfterMutation(utils.usage.overview, utils.backendTokens.list);
  const popup = useAuthorizationPopup({ onFinished: reload });
  const refresh = api.backendTokens.refresh.useMutation({ onSettled: reload });

  if (tokens.length === 0 && !refreshed && popup.state.status === "idle") return null;
  return (
    <section aria-labelledby="attention-heading" className="space-y-3">
      <h2 id="attention-heading" className="text-lg font-semibold text-slate-900">
        Needs your attention
      </h2>
      <AuthorizationNotice state={popup.state} onOpenBlocked={popup.openBlocked} onDismiss={popup.dismiss} />
      <FormAlert message={describeMutationError(refresh.error)} />
      <div role="status" aria-live="polite">
        {refreshed ? (
          <p className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
            {refreshed}
          </p>
        ) : null}
      </div>
      {tokens.length > 0 ? (
        <ul className="divide-y divide-slate-100 rounded-xl border border-amber-200 bg-white">
          {tokens.map((token) => (
            <li
              key={token.serverId}
              data-testid="token-attention"
              className="flex flex-wrap items-start justify-between gap-3 px-4 py-3"
            >
              <div className="min-w-0 space-y-1">
                <p className="font-medium text-slate-900">{token.serverName}</p>
                <p className="text-sm text-slate-600">{describeReason(token)}</p>
                {token.reason === "expiring" && token.expiresAt ? (
                  <p className="text-xs text-slate-600">
                    Expires <ExpiryCountdown expiresAt={token.expiresAt} />
                  </p>
                ) : null}
              </div>
              <div className="flex flex-wrap items-center gap-2">
                {token.action ? (
                  <button
                    type="button"
                    className={smallButton}
                    aria-label={`${CONNECTION_ACTION_LABEL[token.action]} ${token.serverName}`}
                    disabled={popup.state.status === "preparing"}
                    onClick={() => {
                      setRefreshed(null);
                      popup.start({ serverName: token.serverName, serverId: token.serverId });
                    }}
                  >
                    {CONNECTION_ACTION_LABEL[token.action]}
                  </button>
                ) : null}
                {token.canRefresh ? (
                  <button
                    type="button"
                    className={smallButton}
                    aria-label={`Refresh the token of ${token.serverName} now`}
                    disabled={refresh.isPending}
                    onClick={() => {
                      setRefreshed(null);
                      refresh.mutate(
                        { serverId: token.serverId },
                        { onSuccess: () => setRefreshed(`The token of ${token.serverName} was refreshed.`) },
                      );
                    }}
                  >
                    Refresh now
                  </button>
                ) : null}
                <Link href="/tokens" className={`${textLink} text-sm`}>
                  Tokens page
                </Link>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
