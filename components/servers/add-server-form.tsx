"use client";

import { type FormEvent, useId, useState } from "react";
import type { TServerAuthInput } from "@/server/servers/server-schemas";
import { TextField } from "../auth/text-field";
import { secondaryButton } from "../button-styles";
import { ClientForm } from "../client-form";
import { FormErrorAlert } from "../dashboard/form-error-alert";
import { getFieldErrors } from "../dashboard/format";
import { card } from "../dashboard/table-styles";
import { SubmitButton } from "../submit-button";
import { api } from "../trpc";
import { DiscoverySummary, type TServerCheck } from "./discovery-summary";
import { EMPTY_OWN_CREDENTIALS, OwnCredentialsFields, toPreRegistered } from "./own-credentials-fields";
import type { TStartAuthorization } from "./use-authorization-popup";

type AuthChoice = TServerAuthInput["type"];

const EMPTY_API_KEY = { headerName: "Authorization", apiKey: "" };

/** The choices a check leaves: what the server asked for, and an API key as the alternative. */
function authChoicesFor(check: TServerCheck | "api_key_only"): AuthChoice[] {
  if (check === "api_key_only" || check.kind === "api_key_expected") return ["api_key"];
  return check.discovery.authType === "OAUTH" ? ["oauth", "api_key"] : ["none", "api_key"];
}

const AUTH_CHOICE_LABEL: Record<AuthChoice, string> = {
  oauth: "OAuth sign-in",
  none: "No authentication",
  api_key: "API key",
};

/**
 * Adding a server in two steps: "Check server" shows what Tumiki found at the URL (nothing is stored
 * yet); then the user adds it the way it asks for. An OAuth server is added and connected at once: the
 * sign-in popup opens on the same click (see useAuthorizationPopup).
 */
export function AddServerForm({
  onAdded,
  startAuthorization,
}: {
  onAdded: () => Promise<void>;
  startAuthorization: TStartAuthorization;
}) {
  const authGroupId = useId();
  const [target, setTarget] = useState({ url: "", name: "" });
  const [apiKey, setApiKey] = useState(EMPTY_API_KEY);
  const [credentials, setCredentials] = useState(EMPTY_OWN_CREDENTIALS);
  const [authChoice, setAuthChoice] = useState<AuthChoice | null>(null);
  const [isApiKeyOnly, setIsApiKeyOnly] = useState(false);
  const serverCheck = api.servers.check.useMutation({
    onSuccess: (check) => {
      setIsApiKeyOnly(false);
      setAuthChoice(authChoicesFor(check)[0] ?? null);
    },
  });
  const add = api.servers.add.useMutation();
  const check = isApiKeyOnly ? "api_key_only" : serverCheck.data;
  const fieldErrors = { ...getFieldErrors(serverCheck.error), ...getFieldErrors(add.error) };
  const registration = serverCheck.data?.kind === "discovered" ? serverCheck.data.registration : null;
  const needsOwnCredentials = registration === "credentials_required";
  const preRegistered = toPreRegistered(credentials);

  function startOver() {
    serverCheck.reset();
    add.reset();
    setIsApiKeyOnly(false);
    setAuthChoice(null);
  }

  function finish() {
    setTarget({ url: "", name: "" });
    setApiKey(EMPTY_API_KEY);
    setCredentials(EMPTY_OWN_CREDENTIALS);
    startOver();
  }

  function handleCheck(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.reset();
    serverCheck.mutate({ url: target.url });
  }

  function buildAuth(choice: AuthChoice): TServerAuthInput {
    if (choice === "none") return { type: "none" };
    if (choice === "api_key") return { type: "api_key", ...apiKey };
    return preRegistered ? { type: "oauth", preRegistered } : { type: "oauth" };
  }

  function handleAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!authChoice) return;
    const input = { url: target.url, name: target.name.trim() || undefined, auth: buildAuth(authChoice) };
    if (authChoice !== "oauth") {
      add.mutate(input, {
        onSuccess: async () => {
          finish();
          await onAdded();
        },
      });
      return;
    }
    // Synchronously, inside this click: the popup opens now, and is sent to the sign-in page once the
    // server is added.
    startAuthorization({
      serverName: target.name.trim() || hostOf(target.url),
      serverId: async () => {
        const added = await add.mutateAsync(input);
        finish();
        return added.serverId;
      },
    });
  }

  const choices = check ? authChoicesFor(check) : [];
  const isBusy = serverCheck.isPending || add.isPending;

  return (
    <section aria-labelledby={`${authGroupId}-title`} className={`${card} space-y-4`}>
      <h2 id={`${authGroupId}-title`} className="text-lg font-semibold text-slate-900">
        Add a server
      </h2>
      <ClientForm onSubmit={handleCheck} className="space-y-3">
        <p className="text-sm text-slate-600">
          Enter the URL of a remote MCP server (Streamable HTTP). Tumiki checks how it wants to be
          authenticated before anything is saved.
        </p>
        <FormErrorAlert error={serverCheck.error} />
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Server URL"
            type="url"
            placeholder="https://example.com/mcp"
            hint="https:// (http:// only for localhost)"
            value={target.url}
            onChange={(event) => {
              setTarget({ ...target, url: event.target.value });
              if (serverCheck.data || serverCheck.error || isApiKeyOnly) startOver();
            }}
            required
            error={fieldErrors.url}
          />
          <TextField
            label="Server name"
            placeholder={hostOf(target.url) || "Defaults to the URL's host"}
            hint="Optional. Shown in your lists and used in scopes (mcp:access:<name>)."
            value={target.name}
            onChange={(event) => setTarget({ ...target, name: event.target.value })}
            maxLength={80}
            error={fieldErrors.name}
          />
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton isPending={serverCheck.isPending} pendingLabel="Checking…" disabled={add.isPending}>
            Check server
          </SubmitButton>
          {serverCheck.error && !isApiKeyOnly ? (
            <button
              type="button"
              className={secondaryButton}
              onClick={() => {
                setIsApiKeyOnly(true);
                setAuthChoice("api_key");
              }}
            >
              Use an API key instead
            </button>
          ) : null}
        </div>
      </ClientForm>

      {check ? (
        <ClientForm onSubmit={handleAdd} className="space-y-4 border-t border-slate-100 pt-4">
          {check !== "api_key_only" && check.kind === "discovered" ? (
            <DiscoverySummary check={check} usesOwnCredentials={preRegistered !== undefined} />
          ) : null}
          {check !== "api_key_only" && check.kind === "api_key_expected" ? (
            <p role="status" className="rounded-md bg-slate-50 p-3 text-sm text-slate-700">
              {check.message}
            </p>
          ) : null}
          <FormErrorAlert error={add.error} />

          {choices.length > 1 ? (
            <fieldset className="space-y-1">
              <legend className="text-sm font-medium text-slate-800">Authentication</legend>
              {choices.map((choice) => (
                <label key={choice} className="flex items-center gap-2 text-sm text-slate-800">
                  <input
                    type="radio"
                    name={`${authGroupId}-auth`}
                    className="size-4 accent-brand"
                    checked={authChoice === choice}
                    onChange={() => setAuthChoice(choice)}
                  />
                  {AUTH_CHOICE_LABEL[choice]}
                </label>
              ))}
            </fieldset>
          ) : null}

          {authChoice === "api_key" ? (
            <div className="grid gap-3 sm:grid-cols-2">
              <TextField
                label="Header name"
                hint="Sent with every request, e.g. Authorization or X-API-Key."
                value={apiKey.headerName}
                onChange={(event) => setApiKey({ ...apiKey, headerName: event.target.value })}
                maxLength={100}
                autoComplete="off"
                required
              />
              <TextField
                label="API key"
                type="password"
                hint="The header's whole value: for Authorization include the scheme, e.g. “Bearer abc123”. Stored encrypted."
                value={apiKey.apiKey}
                onChange={(event) => setApiKey({ ...apiKey, apiKey: event.target.value })}
                maxLength={4096}
                autoComplete="off"
                required
                error={fieldErrors.auth}
              />
            </div>
          ) : null}

          {authChoice === "oauth" ? (
            <OwnCredentialsFields
              isRequired={needsOwnCredentials}
              redirectUri={
                serverCheck.data?.kind === "discovered" ? serverCheck.data.ownCredentialsRedirectUri : ""
              }
              credentials={credentials}
              onChange={setCredentials}
              error={fieldErrors.auth}
            />
          ) : null}

          <SubmitButton
            isPending={isBusy}
            pendingLabel={authChoice === "oauth" ? "Connecting…" : "Adding…"}
            disabled={!authChoice}
          >
            {authChoice === "oauth" ? "Add and connect" : "Add server"}
          </SubmitButton>
          {authChoice === "oauth" ? (
            <p className="text-xs text-slate-500">
              A window opens for you to sign in to the server and allow Tumiki access.
            </p>
          ) : null}
        </ClientForm>
      ) : null}
    </section>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url.trim()).host;
  } catch {
    return "";
  }
}
