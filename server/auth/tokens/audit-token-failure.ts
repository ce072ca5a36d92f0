import { writeAuditEvent } from "../../audit/write-audit-event";
import type { AiClient } from "../../generated/prisma/client";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { OAuthError } from "../oauth-errors";

// Which token-endpoint failures reach the audit trail: an OAuth refusal (each one before client
// authentication counts against the address, each one after against the client's budget, so both are
// bounded) or a fault while serving an authenticated client. A rate-limit or outage refusal is not
// audited, so an address over its limit, or a flood during a Redis outage, cannot write audit rows.
// The reason code is recorded, never a credential.

type TAuditTokenFailureOptions = {
  error: unknown;
  client: AiClient | undefined;
  grantType: string | undefined;
  origin: TRequestOrigin;
};

export function auditTokenFailure({ error, client, grantType, origin }: TAuditTokenFailureOptions): void {
  if (!(error instanceof OAuthError) && !client) return;
  writeAuditEvent({
    eventType: "oauth.token_issued",
    outcome: "FAILURE",
    clientId: client?.id,
    ...origin,
    reason: error instanceof OAuthError ? (error.reason ?? error.error) : "server_error",
    detail: grantType ? { grantType: grantType.slice(0, 40) } : undefined,
  });
}
