import { getDb } from "../../db";
import {
  describeRedirectTarget,
  getRedirectUriKind,
  type TRedirectUriKind,
} from "../clients/redirect-uri-kind";
import { resolveInstanceScopes } from "../resolve-instance-scopes";
import { ALL_SERVERS_SCOPE, parseToolScope, SCOPE_PREFIX } from "../scopes";
import type { TConsentRequestClaims } from "./authorization-request-schema";
import { findConsentClient } from "./find-consent-client";

// What the consent page shows for a verified consent request: who asks (and how far Tumiki can vouch
// for that name), where the answer goes, which instance, and each scope in words. The client's name is
// its own claim; its origin (the CIMD host, or "registered dynamically") is what Tumiki knows.

export type TConsentScopeItem = { scope: string; label: string; isAllServers: boolean };

export type TConsentDetails = {
  accountEmail: string | null;
  clientName: string;
  clientSource: { kind: "cimd"; host: string } | { kind: "dynamic"; clientUri: string | null };
  /** `scheme://host` of the redirect URI (see describeRedirectTarget). */
  redirectTarget: string;
  /** Loopback and app targets are on this computer: any local program could have started this. */
  redirectKind: TRedirectUriKind;
  instanceName: string;
  scopes: TConsentScopeItem[];
};

/** The details, or null when the client or instance is gone or the redirect URI no longer registered. */
export async function getConsentDetails({
  claims,
}: {
  claims: TConsentRequestClaims;
}): Promise<TConsentDetails | null> {
  const [client, user, target] = await Promise.all([
    findConsentClient({ claims }),
    getDb().user.findUnique({ where: { id: claims.userId }, select: { email: true } }),
    resolveInstanceScopes({ instanceId: claims.instanceId, userId: claims.userId }),
  ]);
  if (!client || !target) return null;

  const serverNames = new Map(target.servers.map((server) => [server.slug, server.name]));
  return {
    accountEmail: user?.email ?? null,
    clientName:
      client.name?.trim() || (client.kind === "CIMD" ? new URL(client.clientId).host : "Unnamed client"),
    clientSource:
      client.kind === "CIMD"
        ? { kind: "cimd", host: new URL(client.clientId).host }
        : { kind: "dynamic", clientUri: client.clientUri },
    redirectTarget: describeRedirectTarget({ uri: claims.redirectUri }),
    redirectKind: getRedirectUriKind({ uri: claims.redirectUri }),
    instanceName: target.instance.name,
    scopes: claims.scopes.map((scope) => {
      if (scope === ALL_SERVERS_SCOPE) {
        return {
          scope,
          label: `Every server in ${target.instance.name}, including servers you add to it later`,
          isAllServers: true,
        };
      }
      // Validated against the instance: a tool scope names one of its servers and a tool by the
      // backend's own name; the tool may not exist (yet), which the proxy answers as an unknown tool.
      const tool = parseToolScope(scope);
      if (tool) {
        const server = `${serverNames.get(tool.slug) ?? tool.slug} (${tool.slug})`;
        return { scope, label: `Only the tool ${tool.tool} of ${server}`, isAllServers: false };
      }
      const slug = scope.slice(SCOPE_PREFIX.length);
      return { scope, label: `${serverNames.get(slug) ?? slug} (${slug})`, isAllServers: false };
    }),
  };
}
