import type { inferRouterOutputs } from "@trpc/server";
import type { ReactNode } from "react";
import type { AppRouter } from "@/server/api/root";

export type TServerCheck = inferRouterOutputs<AppRouter>["servers"]["check"];
type TDiscoveredCheck = Extract<TServerCheck, { kind: "discovered" }>;

const METADATA_SOURCE_LABEL = {
  "oauth-authorization-server": "OAuth authorization server metadata (RFC 8414)",
  "openid-configuration": "OpenID Connect discovery document",
  "default-endpoints": "None published: Tumiki will use the default /authorize, /token and /register",
} as const;

const REGISTRATION_LABEL = {
  cimd: "With Tumiki's client metadata document (no registration step)",
  dcr: "By dynamic client registration at the authorization server",
  credentials_required:
    "This authorization server accepts no automatic registration: enter client credentials you registered there",
} as const;

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 sm:grid-cols-[12rem_1fr]">
      <dt className="text-sm font-medium text-slate-800">{term}</dt>
      <dd className="min-w-0 break-words text-sm text-slate-700">{children}</dd>
    </div>
  );
}

/** What "Check server" found, before anything is stored: how the server wants Tumiki to authenticate. */
export function DiscoverySummary({
  check,
  usesOwnCredentials,
}: {
  check: TDiscoveredCheck;
  /** The user filled in their own client credentials, which replace automatic registration. */
  usesOwnCredentials: boolean;
}) {
  const { discovery, registration } = check;
  // What the authorization server will redirect to: own credentials are registered per issuer, while
  // automatic registration may use the shared callback (CIMD).
  const redirectUri = usesOwnCredentials ? check.ownCredentialsRedirectUri : check.redirectUri;
  const authorizationServer = discovery.authorizationServer;
  return (
    <section aria-label="What Tumiki found" className="space-y-3 rounded-lg bg-slate-50 p-4">
      <h3 className="text-base font-semibold text-slate-900">What Tumiki found</h3>
      <dl className="space-y-2">
        <Row term="Authentication">
          {discovery.authType === "OAUTH" ? "OAuth sign-in" : "None: anyone with the URL may use this server"}
        </Row>
        {authorizationServer ? (
          <>
            <Row term="Authorization server">
              <span className="font-mono text-xs">{authorizationServer.issuer}</span>
            </Row>
            <Row term="Resource metadata">
              {discovery.resourceMetadataUrl ? (
                <span className="font-mono text-xs">{discovery.resourceMetadataUrl}</span>
              ) : (
                "None published: the server's own origin is taken as its authorization server"
              )}
            </Row>
            <Row term="Server metadata">{METADATA_SOURCE_LABEL[authorizationServer.metadataSource]}</Row>
            <Row term="Scopes requested">
              {discovery.scopes.length > 0 ? (
                <span className="font-mono text-xs">{discovery.scopes.join(" ")}</span>
              ) : (
                "None named: the authorization server grants its default access"
              )}
            </Row>
            <Row term="Registration">
              {usesOwnCredentials
                ? "With the client credentials you enter below"
                : registration
                  ? REGISTRATION_LABEL[registration]
                  : null}
            </Row>
            {redirectUri ? (
              <Row term="Redirect URI">
                <span className="font-mono text-xs">{redirectUri}</span>
              </Row>
            ) : null}
          </>
        ) : null}
      </dl>
      {authorizationServer?.metadataSource === "default-endpoints" ? (
        <p className="text-sm text-amber-800">
          This server answered 401 without saying how to sign in. If it expects an API key rather than OAuth,
          choose “API key” below.
        </p>
      ) : null}
    </section>
  );
}
