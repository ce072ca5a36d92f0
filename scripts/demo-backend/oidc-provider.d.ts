// oidc-provider ships no type declarations (and there is no @types package for v9): this is the part
// of its API the demo backend uses, typed from the library's source (lib/provider.js, lib/models).
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export type AdapterPayload = {
    accountId?: string;
    clientId?: string;
    grantId?: string;
    uid?: string;
    userCode?: string;
    jti?: string;
    consumed?: number;
    [key: string]: unknown;
  };

  /** The storage contract of oidc-provider's models (lib/adapters/memory_adapter.js is the reference). */
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export type ClientLike = {
    clientId: string;
    clientName?: string;
    grantTypeAllowed(grantType: string): boolean;
  };

  /** The koa context as oidc-provider extends it; only what the demo reads. */
  export type ProviderContext = {
    method: string;
    path: string;
    status: number;
    oidc?: {
      route?: string;
      params?: Record<string, unknown>;
      entities?: Record<string, unknown>;
    };
  };

  export type InteractionDetails = {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string; uid: string };
    grantId?: string;
  };

  export type InteractionResult =
    | { login: { accountId: string; remember?: boolean }; consent?: { grantId: string } }
    | { error: string; error_description?: string };

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export type AccessTokenLike = {
    accountId: string;
    clientId: string;
    grantId: string;
    aud?: string | string[];
    scope?: string;
    exp: number;
    isExpired: boolean;
  };

  export type ResourceServerInfo = {
    scope: string;
    audience: string;
    accessTokenTTL: number;
    accessTokenFormat: "opaque" | "jwt";
  };

  export type ProviderConfiguration = Record<string, unknown>;

  export class Provider {
    constructor(issuer: string, configuration?: ProviderConfiguration);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResult,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    Grant: typeof Grant;
    AccessToken: { find(value: string): Promise<AccessTokenLike | undefined> };
    Client: { find(id: string): Promise<ClientLike | undefined> };
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
  };

  export default Provider;
}
