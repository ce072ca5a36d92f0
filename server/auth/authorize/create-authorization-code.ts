import { type Db, getDb } from "../../db";
import { generateOpaqueSecret, hashOpaqueSecret, SECRET_PREFIX } from "../opaque-secrets";
import { AUTHORIZATION_CODE_TTL_SECONDS } from "../token-lifetimes";

// An authorization code: 256 random bits handed to the client once, stored only as its hash, bound to
// everything /oauth/token must check again (client, redirect URI, PKCE challenge, instance, scopes).

type TCreateAuthorizationCodeOptions = {
  /** A transaction client, when the code must be written together with the consent. */
  db?: Pick<Db, "authorizationCode">;
  /** AiClient.id (the row), not the OAuth client_id. */
  clientId: string;
  userId: string;
  instanceId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  /** The instance's canonical URL. */
  resource: string;
  now?: Date;
};

/** Stores the code and returns it in plain text, for the redirect only. */
export async function createAuthorizationCode({
  db = getDb(),
  now = new Date(),
  ...binding
}: TCreateAuthorizationCodeOptions): Promise<string> {
  const code = generateOpaqueSecret(SECRET_PREFIX.authorizationCode);
  await db.authorizationCode.create({
    data: {
      ...binding,
      codeHash: hashOpaqueSecret(code),
      codeChallengeMethod: "S256",
      expiresAt: new Date(now.getTime() + AUTHORIZATION_CODE_TTL_SECONDS * 1000),
    },
  });
  return code;
}
