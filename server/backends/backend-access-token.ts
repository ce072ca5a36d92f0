import { z } from "zod";

/** What the token manager hands to the proxy: the access token and what it needs to use it. */
export const ZBackendAccessToken = z.object({
  accessToken: z.string().min(1),
  tokenType: z.string(),
  expiresAt: z.coerce.date().nullable(),
  scope: z.string().nullable(),
});

export type TBackendAccessToken = z.infer<typeof ZBackendAccessToken>;

/** The part of an OAuthToken row (decrypted) the proxy gets; the refresh token never leaves the manager. */
export function toBackendAccessToken(row: {
  accessToken: string;
  tokenType: string;
  expiresAt: Date | null;
  scope: string | null;
}): TBackendAccessToken {
  return {
    accessToken: row.accessToken,
    tokenType: row.tokenType,
    expiresAt: row.expiresAt,
    scope: row.scope,
  };
}
