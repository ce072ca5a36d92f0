import { encryptionContext } from "../crypto/encryption-extension";
import { decryptString } from "../crypto/field-encryption";
import { getKeyRing } from "../db";
import { queryHotRows, sql } from "../db-hot-query";
import type { McpAuthType } from "../generated/prisma/client";
import type { TToolControlSettings, TToolSelection } from "../tool-controls/tool-control-settings";

// The backend servers an instance bundles, as the proxy needs them: where to send requests and with
// which credential. Sorted by slug, the one order every aggregated list follows. Only the user's own
// connections of the user's own instance count.
//
// This runs on every MCP request, so it is one SQL statement on the hot-query path (db-hot-query.ts)
// rather than a nested Prisma read (three queries, several milliseconds of CPU). It bypasses the
// encryption extension: the API key is decrypted below, bound to its row as the extension binds it.

export type TInstanceBackend = {
  mcpServerId: string;
  slug: string;
  name: string;
  url: string;
  authType: McpAuthType;
  apiKeyHeaderName: string | null;
  /** The user's static key for an API_KEY server (decrypted); never logged. */
  apiKey: string | null;
  /** How the instance treats this server's tools (server/tool-controls/). */
  toolControls: TToolControlSettings;
};

type TRow = Omit<TInstanceBackend, "apiKey" | "toolControls"> & {
  connectionId: string;
  apiKeyCiphertext: string | null;
  toolSelection: TToolSelection;
} & Omit<TToolControlSettings, "selection">;

export async function getInstanceBackends({
  instanceId,
  userId,
}: {
  instanceId: string;
  userId: string;
}): Promise<TInstanceBackend[]> {
  const rows = await queryHotRows<TRow>(sql`
    SELECT s."id" AS "mcpServerId", s."slug", s."name", s."url", s."authType"::text AS "authType",
           s."apiKeyHeaderName", c."id" AS "connectionId", c."apiKey" AS "apiKeyCiphertext",
           ic."toolSelection"::text AS "toolSelection", ic."includeNewTools", i."pinToolDefinitions",
           i."confirmDestructiveTools", ic."toolsFirstListedAt" IS NOT NULL AS "toolsListedBefore"
    FROM "McpInstanceConnection" ic
    JOIN "McpInstance" i ON i."id" = ic."instanceId"
    JOIN "UserMcpConfig" c ON c."id" = ic."userMcpConfigId"
    JOIN "McpServer" s ON s."id" = c."mcpServerId"
    WHERE ic."instanceId" = ${instanceId} AND i."userId" = ${userId} AND c."userId" = ${userId}`);
  return rows
    .map(
      ({
        connectionId,
        apiKeyCiphertext,
        toolSelection,
        includeNewTools,
        pinToolDefinitions,
        confirmDestructiveTools,
        toolsListedBefore,
        ...backend
      }) => ({
        ...backend,
        toolControls: {
          selection: toolSelection,
          includeNewTools,
          pinToolDefinitions,
          confirmDestructiveTools,
          toolsListedBefore,
        },
        apiKey:
          apiKeyCiphertext === null
            ? null
            : decryptString(
                getKeyRing(),
                apiKeyCiphertext,
                encryptionContext("UserMcpConfig", "apiKey", connectionId),
              ),
      }),
    )
    .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}
