// Whether a client_id names a Client ID Metadata Document (an http(s) URL) rather than a registered
// client. Registered client_ids are base64url and never contain a colon, so a URL cannot shadow one.

const CIMD_CLIENT_ID = /^https?:\/\//i;

export function isCimdClientId({ clientId }: { clientId: string }): boolean {
  return CIMD_CLIENT_ID.test(clientId);
}
