import { getDb } from "../db";
import type { McpAuthType } from "../generated/prisma/client";

// The backend servers an instance bundles, as the proxy needs them: where to send requests and with
// which credential. Sorted by slug, the one order every aggregated list follows. The instance belongs
// to the authenticated user (withMcpAuth checked the token's audience and owner), so its connections
// are that user's own.

export type TInstanceBackend = {
  mcpServerId: string;
  slug: string;
  name: string;
  url: string;
  authType: McpAuthType;
  apiKeyHeaderName: string | null;
  /** The user's static key for an API_KEY server (decrypted); never logged. */
  apiKey: string | null;
};

export async function getInstanceBackends({
  instanceId,
  userId,
}: {
  instanceId: string;
  userId: string;
}): Promise<TInstanceBackend[]> {
  const connections = await getDb().mcpInstanceConnection.findMany({
    where: { instanceId, instance: { userId }, connection: { userId } },
    select: {
      connection: {
        select: {
          id: true,
          apiKey: true,
          mcpServer: {
            select: {
              id: true,
              slug: true,
              name: true,
              url: true,
              authType: true,
              apiKeyHeaderName: true,
            },
          },
        },
      },
    },
  });
  return connections
    .map(({ connection: { apiKey, mcpServer } }) => ({
      mcpServerId: mcpServer.id,
      slug: mcpServer.slug,
      name: mcpServer.name,
      url: mcpServer.url,
      authType: mcpServer.authType,
      apiKeyHeaderName: mcpServer.apiKeyHeaderName,
      apiKey,
    }))
    .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}
