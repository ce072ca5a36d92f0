"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { ZBackendAuthorizationMessage } from "@/server/backends/backend-authorization-message";
import { describeMutationError } from "../dashboard/format";
import { api } from "../trpc";

// Signing in to a backend happens in a popup, so the dashboard (and what the user typed) stays. The
// window is opened synchronously in the click handler, before any request: browsers block a
// window.open that follows an await. It is then sent to the authorization URL, and the callback page
// (app/oauth/callback) reports back with postMessage.

export type TAuthorizationPopupState =
  | { status: "idle" }
  | { status: "preparing"; serverName: string }
  | { status: "waiting"; serverName: string }
  /** The browser blocked the popup: the user opens the sign-in page from a link instead. */
  | { status: "blocked"; serverName: string; authorizationUrl: string }
  | { status: "succeeded"; message: string }
  | { status: "failed"; message: string };

type TStartOptions = {
  serverName: string;
  /** The server to sign in to, or a step that yields it (adding or connecting it first). */
  serverId: string | (() => Promise<string>);
};

export type TStartAuthorization = (options: TStartOptions) => void;

const POPUP_NAME = "tumiki-connect";
const POPUP_FEATURES = "popup,width=520,height=720";
const CLOSED_POLL_MS = 500;
// The callback posts its message and closes itself; the message may be delivered after the poll
// already saw the window closed, so a closed window is only reported once this grace has passed.
const CLOSED_GRACE_MS = 1000;

/** The URL came from the server, but only http(s) may be loaded: a `javascript:` URL would run here. */
function parseHttpUrl(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

function showPreparing(popup: Window) {
  // about:blank is same-origin with the opener, so the wait can say what is happening.
  try {
    popup.document.title = "Connecting…";
    popup.document.body.textContent = "Preparing the sign-in page…";
    popup.document.body.style.font = "16px system-ui, sans-serif";
    popup.document.body.style.padding = "2rem";
  } catch {
    // A window reused from an earlier flow may still show another origin's page; it is replaced anyway.
  }
}

export function useAuthorizationPopup({ onFinished }: { onFinished: () => void | Promise<void> }) {
  const [state, setState] = useState<TAuthorizationPopupState>({ status: "idle" });
  const startAuthorization = api.servers.startAuthorization.useMutation();
  const cleanup = useRef<() => void>(() => {});
  const finished = useRef(onFinished);
  finished.current = onFinished;

  useEffect(() => () => cleanup.current(), []);

  /** Follows one window: its message, or its closing without one. Returns the function that stops. */
  const watch = useCallback((popup: Window, serverName: string) => {
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      window.removeEventListener("message", onMessage);
      clearInterval(pollTimer);
      clearTimeout(graceTimer);
    };
    function onMessage(event: MessageEvent) {
      if (event.origin !== window.location.origin || event.source !== popup) return;
      const parsed = ZBackendAuthorizationMessage.safeParse(event.data);
      if (!parsed.success) return;
      stop();
      const { ok, message } = parsed.data;
      setState(
        ok
          ? // The callback's own text speaks to the popup ("You can close this window").
            { status: "succeeded", message: `Connected to ${serverName}.` }
          : { status: "failed", message: message || `Connecting ${serverName} failed.` },
      );
      void finished.current();
    }
    const pollTimer = setInterval(() => {
      if (!popup.closed || graceTimer) return;
      graceTimer = setTimeout(() => {
        stop();
        setState({ status: "failed", message: "The sign-in window was closed before finishing." });
        // The flow may have finished even so (a message lost with the window): show what is stored.
        void finished.current();
      }, CLOSED_GRACE_MS);
    }, CLOSED_POLL_MS);
    window.addEventListener("message", onMessage);
    return stop;
  }, []);

  const start = useCallback(
    ({ serverName, serverId }: TStartOptions): void => {
      cleanup.current();
      const popup = window.open("about:blank", POPUP_NAME, POPUP_FEATURES);
      if (popup) showPreparing(popup);
      setState({ status: "preparing", serverName });
      let isCancelled = false;
      cleanup.current = () => {
        isCancelled = true;
      };

      void (async () => {
        let id: string;
        try {
          id = typeof serverId === "string" ? serverId : await serverId();
        } catch {
          // The step that failed (add, connect) shows its own error next to its form.
          if (isCancelled) return;
          popup?.close();
          setState({ status: "idle" });
          return;
        }
        let authorizationUrl: string | null;
        try {
          authorizationUrl = parseHttpUrl(
            (await startAuthorization.mutateAsync({ serverId: id })).authorizationUrl,
          );
        } catch (error) {
          if (isCancelled) return;
          popup?.close();
          setState({
            status: "failed",
            message: describeMutationError(error) ?? `The sign-in to ${serverName} could not be started.`,
          });
          void finished.current();
          return;
        }
        // A newer flow took over the window (it has the same name), so this one leaves it alone.
        if (isCancelled) return;
        // Added or connected, whatever happens next: the lists must show the new row.
        void finished.current();
        if (!authorizationUrl) {
          popup?.close();
          setState({
            status: "failed",
            message: "The server's sign-in page has an address Tumiki cannot open.",
          });
          return;
        }
        if (!popup || popup.closed) {
          setState({ status: "blocked", serverName, authorizationUrl });
          return;
        }
        popup.location.href = authorizationUrl;
        setState({ status: "waiting", serverName });
        cleanup.current = watch(popup, serverName);
      })();
    },
    [startAuthorization, watch],
  );

  /** The fallback link's click: a window opened by the user's own click is not blocked. */
  const openBlocked = useCallback((): boolean => {
    if (state.status !== "blocked") return false;
    const popup = window.open(state.authorizationUrl, POPUP_NAME);
    if (!popup) return false;
    cleanup.current();
    setState({ status: "waiting", serverName: state.serverName });
    cleanup.current = watch(popup, state.serverName);
    return true;
  }, [state, watch]);

  const dismiss = useCallback(() => {
    cleanup.current();
    cleanup.current = () => {};
    setState({ status: "idle" });
  }, []);

  return { state, start, openBlocked, dismiss };
}
