"use client";

import type { MouseEvent } from "react";
import { FormAlert } from "../auth/form-alert";
import { secondaryButton, textLink } from "../button-styles";
import type { TAuthorizationPopupState } from "./use-authorization-popup";

/**
 * Where a sign-in popup stands, in words. The status region is always on the page, so a change is
 * announced; a failure goes to the alert region. When the browser blocked the popup, a link opens the
 * sign-in page instead (a click of the user's own is not blocked).
 */
export function AuthorizationNotice({
  state,
  onOpenBlocked,
  onDismiss,
}: {
  state: TAuthorizationPopupState;
  /** Opens the blocked sign-in page in a watched window; false when that failed too. */
  onOpenBlocked: () => boolean;
  onDismiss: () => void;
}) {
  function handleBlockedLink(event: MouseEvent<HTMLAnchorElement>) {
    // If even this window.open fails, the link opens the page itself (without a watched window, the
    // lists still refresh when the user comes back to this tab).
    if (onOpenBlocked()) event.preventDefault();
  }

  return (
    <div className="space-y-2">
      <div role="status" aria-live="polite">
        {state.status === "preparing" ? (
          <p className="text-sm text-slate-700">Preparing the sign-in to {state.serverName}…</p>
        ) : null}
        {state.status === "waiting" ? (
          <div className="flex flex-wrap items-center gap-3 rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700">
            <span>Finish signing in to {state.serverName} in the window that opened.</span>
            <button type="button" className={`${secondaryButton} px-3 py-1.5 text-xs`} onClick={onDismiss}>
              Stop waiting
            </button>
          </div>
        ) : null}
        {state.status === "blocked" ? (
          <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            Your browser blocked the sign-in window for {state.serverName}.{" "}
            <a
              href={state.authorizationUrl}
              target="_blank"
              // The callback page reports back to its opener, which a plain new tab would not have.
              rel="noopener opener"
              className={textLink}
              onClick={handleBlockedLink}
            >
              Open the sign-in page
            </a>
          </p>
        ) : null}
        {state.status === "succeeded" ? (
          <p className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
            {state.message}
          </p>
        ) : null}
      </div>
      <FormAlert message={state.status === "failed" ? state.message : null} />
    </div>
  );
}
