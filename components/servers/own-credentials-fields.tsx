"use client";

import type { TPreRegisteredCredentialsInput } from "@/server/servers/server-schemas";
import { TextField } from "../auth/text-field";
import { CopyButton } from "../dashboard/copy-button";
import { SelectField } from "../dashboard/select-field";

/** Client credentials the user registered with the authorization server themselves, as typed. */
export type TOwnCredentials = { clientId: string; clientSecret: string; tokenEndpointAuthMethod: string };

export const EMPTY_OWN_CREDENTIALS: TOwnCredentials = {
  clientId: "",
  clientSecret: "",
  tokenEndpointAuthMethod: "",
};

// The empty choice leaves the method to registerBackendClient, which picks by the secret alone.
const AUTH_METHOD_OPTIONS = [
  { value: "", label: "Default: client_secret_basic with a secret, none without" },
  { value: "client_secret_basic", label: "client_secret_basic (HTTP Basic)" },
  { value: "client_secret_post", label: "client_secret_post (in the request body)" },
  { value: "none", label: "none (public client, PKCE only)" },
] as const;

/** The credentials to send, or undefined when no client ID was entered (Tumiki registers itself). */
export function toPreRegistered(credentials: TOwnCredentials): TPreRegisteredCredentialsInput | undefined {
  if (credentials.clientId.trim() === "") return undefined;
  const method = AUTH_METHOD_OPTIONS.find(
    (option) => option.value === credentials.tokenEndpointAuthMethod,
  )?.value;
  return {
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret || undefined,
    tokenEndpointAuthMethod: method || undefined,
  };
}

/**
 * The fields for the user's own client registration: required when the authorization server lets
 * Tumiki register itself in no way, otherwise folded away as an option.
 */
export function OwnCredentialsFields({
  isRequired,
  redirectUri,
  credentials,
  onChange,
  error,
}: {
  isRequired: boolean;
  redirectUri: string;
  credentials: TOwnCredentials;
  onChange: (credentials: TOwnCredentials) => void;
  error?: string;
}) {
  const fields = (
    <div className="space-y-3 pt-3">
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-700">
        <span>Redirect URI to register with your application:</span>
        <code className="break-all rounded-md bg-slate-100 px-2 py-1 font-mono text-xs">{redirectUri}</code>
        <CopyButton value={redirectUri} label="Copy redirect URI" copiedMessage="Redirect URI copied" />
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField
          label="Client ID"
          value={credentials.clientId}
          onChange={(event) => onChange({ ...credentials, clientId: event.target.value })}
          maxLength={1000}
          autoComplete="off"
          required={isRequired}
          error={error}
        />
        <TextField
          label="Client secret"
          type="password"
          hint="Leave empty for a public client."
          value={credentials.clientSecret}
          onChange={(event) => onChange({ ...credentials, clientSecret: event.target.value })}
          maxLength={2000}
          autoComplete="off"
        />
      </div>
      <SelectField
        label="Token endpoint authentication"
        value={credentials.tokenEndpointAuthMethod}
        onChange={(event) => onChange({ ...credentials, tokenEndpointAuthMethod: event.target.value })}
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
