import { randomBytes } from "node:crypto";
import type {
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";

// The v2 MCP SDK's (`@modelcontextprotocol/client`) OAuthClientProvider kept in memory, the way its
// docs/clients/oauth.md writes one: client credentials keyed by the authorization server's issuer, the
// discovery state kept across the redirect so the code is exchanged where the flow started, and the
// authorization URL held for the spec to open in the signed-in browser. The v1 SDK's provider is
// in-memory-oauth-client-provider.ts.

export class ModernOAuthClientProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  lastState: string | undefined;
  private readonly credentials = new Map<string, StoredOAuthClientInformation>();
  private savedTokens: StoredOAuthTokens | undefined;
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;

  constructor(private readonly options: { clientName: string; redirectUri: string }) {}

  get redirectUrl(): string {
    return this.options.redirectUri;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.options.clientName,
      redirect_uris: [this.options.redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }

  state(): string {
    this.lastState = randomBytes(16).toString("base64url");
    return this.lastState;
  }

  clientInformation(ctx?: OAuthClientInformationContext) {
    return ctx ? this.credentials.get(ctx.issuer) : undefined;
  }

  saveClientInformation(information: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext) {
    if (ctx) this.credentials.set(ctx.issuer, information);
  }

  /** Every client registered, whatever the issuer: the spec checks that exactly one was. */
  registeredClientIds(): string[] {
    return [...this.credentials.values()].map((information) => information.client_id);
  }

  tokens() {
    return this.savedTokens;
  }

  saveTokens(tokens: StoredOAuthTokens) {
    this.savedTokens = tokens;
  }

  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }

  discoveryState() {
    return this.discovery;
  }

  redirectToAuthorization(authorizationUrl: URL) {
    this.authorizationUrl = authorizationUrl;
  }

  saveCodeVerifier(codeVerifier: string) {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error("no code verifier saved");
    return this.verifier;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery") {
    if (scope === "all" || scope === "tokens") this.savedTokens = undefined;
    if (scope === "all" || scope === "client") this.credentials.clear();
    if (scope === "all" || scope === "verifier") this.verifier = undefined;
    if (scope === "all" || scope === "discovery") this.discovery = undefined;
  }
}
