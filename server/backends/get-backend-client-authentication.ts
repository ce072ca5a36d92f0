import type { OAuthClient } from "../generated/prisma/client";

// RFC 6749 §2.3.1: client_id and secret are form-urlencoded before they become the Basic credentials,
// so a ":" or a non-ASCII character in either survives the trip.
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * The credentials Tumiki presents as `client` at a backend's token endpoint, and at its revocation
 * endpoint, which asks for the same ones (RFC 7009 §2.1): HTTP Basic by default, the secret in the body
 * for client_secret_post, only the client_id for a public client. Returns headers and form fields to add.
 */
export function getBackendClientAuthentication(client: OAuthClient): {
  headers: Record<string, string>;
  body: Record<string, string>;
} {
  switch (client.tokenEndpointAuthMethod) {
    case "none":
      return { headers: {}, body: { client_id: client.clientId } };
    case "client_secret_post":
      return {
        headers: {},
        body: { client_id: client.clientId, client_secret: client.clientSecret ?? "" },
      };
    default: {
      const credentials = `${formEncode(client.clientId)}:${formEncode(client.clientSecret ?? "")}`;
      return { headers: { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` }, body: {} };
    }
  }
}
