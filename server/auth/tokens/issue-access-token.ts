import { SignJWT } from "jose";
import { type Db, getDb } from "../../db";
import { generateRandomId } from "../opaque-secrets";
import { getInstanceResourceUrl, getIssuer } from "../resource-urls";
import { formatScopeString } from "../scopes";
import { getActiveSigningKey, type TActiveSigningKey } from "../signing-keys/get-active-signing-key";
import { ACCESS_TOKEN_TTL_SECONDS } from "../token-lifetimes";

// Signs an RFC 9068 access token (the cross-helper contract: ES256, typ at+jwt, iss, aud = the
// instance URL, sub, client_id, scope, jti, iat, exp) and records its jti, so /mcp can refuse it once
// revoked. Pass the caller's transaction as `db` when the row must commit with other writes (a new
// refresh token, a consumed code); a token is only handed out after its row is committed. Such a
// caller also passes `signingKey`, fetched before its transaction: creating a key inside it would
// need a second connection while the first is held (PGlite has only one).

export type TIssuedAccessToken = { accessToken: string; jti: string; expiresIn: number; scope: string };

type TAccessTokenWriter = Pick<Db, "issuedAccessToken">;

export async function issueAccessToken({
  client,
  userId,
  instanceId,
  scopes,
  familyId,
  signingKey,
  db = getDb(),
  now = new Date(),
}: {
  /** AiClient.id for the row, OAuth client_id for the claim. */
  client: { id: string; clientId: string };
  userId: string;
  instanceId: string;
  scopes: string[];
  familyId?: string;
  signingKey?: TActiveSigningKey;
  db?: TAccessTokenWriter;
  now?: Date;
}): Promise<TIssuedAccessToken> {
  const { kid, privateKey } = signingKey ?? (await getActiveSigningKey({ now }));
  const jti = generateRandomId();
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ACCESS_TOKEN_TTL_SECONDS;
  const scope = formatScopeString(scopes);
  const accessToken = await new SignJWT({ client_id: client.clientId, scope })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid })
    .setIssuer(getIssuer())
    .setAudience(getInstanceResourceUrl(instanceId))
    .setSubject(userId)
    .setJti(jti)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(privateKey);
  await db.issuedAccessToken.create({
    data: {
      jti,
      clientId: client.id,
      familyId: familyId ?? null,
      userId,
      instanceId,
      scopes,
      expiresAt: new Date(expiresAt * 1000),
    },
  });
  return { accessToken, jti, expiresIn: ACCESS_TOKEN_TTL_SECONDS, scope };
}
