import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { describeRedirectTarget } from "../clients/redirect-uri-kind";
import { buildAuthorizationRedirect } from "./build-authorization-redirect";
import { createAuthorizationCode } from "./create-authorization-code";
import { recordConsent } from "./record-consent";

// Grants an authorization: stores the code (and, when the user just approved, the consent, in the same
// transaction, so there is never a code without its consent), audits it, and returns the redirect to
// the client carrying the code, `state` and `iss`.

type TGrantAuthorizationOptions = {
  userId: string;
  client: { id: string; clientId: string };
  redirectUri: string;
  state?: string;
  codeChallenge: string;
  scopes: string[];
  instanceId: string;
  resource: string;
  /** True when the user approved on the consent page; false when a remembered consent covered it. */
  isNewConsent: boolean;
  ip?: string;
  userAgent?: string;
};

export async function grantAuthorization(options: TGrantAuthorizationOptions): Promise<string> {
  const { userId, client, redirectUri, state, codeChallenge, scopes, instanceId, resource } = options;
  const code = await getDb().$transaction(async (tx) => {
    if (options.isNewConsent) {
      await recordConsent({ db: tx, userId, clientId: client.id, instanceId, scopes });
    }
    return createAuthorizationCode({
      db: tx,
      clientId: client.id,
      userId,
      instanceId,
      redirectUri,
      codeChallenge,
      scopes,
      resource,
    });
  });
  const audit = {
    outcome: "SUCCESS",
    actorUserId: userId,
    clientId: client.id,
    instanceId,
    ip: options.ip,
    userAgent: options.userAgent,
  } as const;
  if (options.isNewConsent) {
    writeAuditEvent({
      ...audit,
      eventType: "oauth.consent_granted",
      detail: { scopes, oauthClientId: client.clientId },
    });
  }
  writeAuditEvent({
    ...audit,
    eventType: "oauth.authorization_granted",
    detail: {
      scopes,
      oauthClientId: client.clientId,
      rememberedConsent: !options.isNewConsent,
      redirectTarget: describeRedirectTarget({ uri: redirectUri }),
    },
  });
  return buildAuthorizationRedirect({ redirectUri, result: { code }, state });
}
