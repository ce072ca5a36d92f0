"use client";

import { type FormEvent, useId, useState } from "react";
import type { TServerAuthInput } from "@/server/servers/server-schemas";
import { TextField } from "../auth/text-field";
import { secondaryButton } from "../button-styles";
import { ClientForm } from "../client-form";
import { CopyButton } from "../dashboard/copy-button";
import { FormErrorAlert } from "../dashboard/form-error-alert";
import { getFieldErrors } from "../dashboard/format";
import { SelectField } from "../dashboard/select-field";
import { card } from "../dashboard/table-styles";
import { SubmitButton } from "../submit-button";
import { api } from "../trpc";
import { DiscoverySummary, type TServerCheck } from "./discovery-summary";
import type { TStartAuthorization } from "./use-authorization-popup";

type AuthChoice = TServerAuthInput["type"];

const EMPTY_SECRETS = {
  headerName: "Authorization",
  apiKey: "",
  clientId: "",
  clientSecret: "",
  tokenEndpointAuthMethod: "",
};

const AUTH_METHOD_OPTIONS = [
  { value: "", label: "Automatic (the server's first supported method)" },
  { value: "client_secret_basic", label: "client_secret_basic (HTTP Basic)" },
  { value: "client_secret_post", label: "client_secret_post (in the request body)" },
  { value: "none", label: "none (public client, PKCE only)" },
] as const;

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
  const [secrets, setSecrets] = useState(EMPTY_SECRETS);
  const [authChoice, setAuthChoice] = useState<AuthChoice | null>(null);
  const [isApiKeyOnly, setIsApiKeyOnly] = useState(false);
  const discover = api.servers.discover.useMutation({
    onSuccess: (check) => {
      setIsApiKeyOnly(false);
      setAuthChoice(authChoicesFor(check)[0] ?? null);
    },
  });
  const add = api.servers.add.useMutation();
  const check = isApiKeyOnly ? "api_key_only" : discover.data;
  const fieldErrors = { ...getFieldErrors(discover.error), ...getFieldErrors(add.error) };
  const registration = discover.data?.kind === "discovered" ? discover.data.registration : null;
  const needsOwnCredentials = registration === "credentials_required";
  const usesOwnCredentials = secrets.clientId.trim() !== "";

  function startOver() {
    discover.reset();
    add.reset();
    setIsApiKeyOnly(false);
    setAuthChoice(null);
  }

  function finish() {
    setTarget({ url: "", name: "" });
    setSecrets(EMPTY_SECRETS);
    startOver();
  }

  function handleCheck(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.reset();
    discover.mutate({ url: target.url });
  }

  function buildAuth(choice: AuthChoice): TServerAuthInput {
    if (choice === "none") return { type: "none" };
    if (choice === "api_key")
      return { type: "api_key", headerName: secrets.headerName, apiKey: secrets.apiKey };
    if (!usesOwnCredentials) return { type: "oauth" };
    const method = AUTH_METHOD_OPTIONS.find(
      (option) => option.value === secrets.tokenEndpointAuthMethod,
    )?.value;
    return {
      type: "oauth",
      preRegistered: {
        clientId: secrets.clientId,
        clientSecret: secrets.clientSecret || undefined,
        tokenEndpointAuthMethod: method || undefined,
      },
    };
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
  const isBusy = discover.isPending || add.isPending;

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
        <FormErrorAlert error={discover.error} />
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Server URL"
            type="url"
            placeholder="https://example.com/mcp"
            hint="https:// (http:// only for localhost)"
            value={target.url}
            onChange={(event) => {
              setTarget({ ...target, url: event.target.value });
              if (discover.data || discover.error || isApiKeyOnly) startOver();
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
          <SubmitButton isPending={discover.isPending} pendingLabel="Checking…" disabled={add.isPending}>
            Check server
          </SubmitButton>
          {discover.error && !isApiKeyOnly ? (
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
            <DiscoverySummary check={check} usesOwnCredentials={usesOwnCredentials} />
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
                value={secrets.headerName}
                onChange={(event) => setSecrets({ ...secrets, headerName: event.target.value })}
                maxLength={100}
                autoComplete="off"
                required
              />
              <TextField
                label="API key"
                type="password"
                hint="The header's whole value: for Authorization include the scheme, e.g. “Bearer abc123”. Stored encrypted."
                value={secrets.apiKey}
                onChange={(event) => setSecrets({ ...secrets, apiKey: event.target.value })}
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
              redirectUri={discover.data?.kind === "discovered" ? discover.data.redirectUri : ""}
              secrets={secrets}
              onChange={setSecrets}
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

function OwnCredentialsFields({
  isRequired,
  redirectUri,
  secrets,
  onChange,
  error,
}: {
  isRequired: boolean;
  redirectUri: string;
  secrets: typeof EMPTY_SECRETS;
  onChange: (secrets: typeof EMPTY_SECRETS) => void;
  error?: string;
}) {
  const fields = (
    <div className="space-y-3 pt-3">
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-700">
        <span>Redirect URI to register:</span>
        <code className="break-all rounded-md bg-slate-100 px-2 py-1 font-mono text-xs">{redirectUri}</code>
        <CopyButton value={redirectUri} label="Copy redirect URI" copiedMessage="Redirect URI copied" />
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField
          label="Client ID"
          value={secrets.clientId}
          onChange={(event) => onChange({ ...secrets, clientId: event.target.value })}
          maxLength={1000}
          autoComplete="off"
          required={isRequired}
          error={error}
        />
        <TextField
          label="Client secret"
          type="password"
          hint="Leave empty for a public client."
          value={secrets.clientSecret}
          onChange={(event) => onChange({ ...secrets, clientSecret: event.target.value })}
          maxLength={2000}
          autoComplete="off"
        />
      </div>
      <SelectField
        label="Token endpoint authentication"
        value={secrets.tokenEndpointAuthMethod}
        onChange={(event) => onChange({ ...secrets, tokenEndpointAuthMethod: event.target.value })}
        options={AUTH_METHOD_OPTIONS}
      />
    </div>
  );
  if (isRequired) {
    return (
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Your client credentials</legend>
        <p className="text-sm text-slate-600">
          This authorization server does not let Tumiki register itself. Register an application there with
          the redirect URI below, and enter its credentials.
        </p>
        {fields}
      </fieldset>
    );
  }
  return (
    <details className="rounded-lg border border-slate-200 p-3">
      <summary className="cursor-pointer text-sm font-medium text-slate-800">
        Use your own client credentials
      </summary>
      <p className="pt-2 text-sm text-slate-600">
        Optional: for an application you registered with the authorization server yourself.
      </p>
      {fields}
    </details>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url.trim()).host;
  } catch {
    return "";
  }
}
