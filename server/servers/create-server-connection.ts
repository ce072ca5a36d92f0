import { randomBytes } from "node:crypto";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { ConnectionStatus, McpAuthType } from "../generated/prisma/client";
import { isUniqueViolation } from "../is-unique-violation";
import { deriveServerSlug } from "./derive-server-slug";

type TCreateServerConnectionOptions = {
  userId: string;
  name: string;
  url: string;
  authType: McpAuthType;
  status: ConnectionStatus;
  /** With authType API_KEY: the header that carries the key, and the key (stored encrypted). */
  apiKey?: { headerName: string; value: string };
};

export type TCreatedServerConnection = {
  connectionId: string;
  serverId: string;
  name: string;
  slug: string;
  url: string;
};

const MAX_ATTEMPTS = 5;

/**
 * Creates a private server of the user and their connection to it, in one transaction, without
 * contacting the server (callers check it first). Slugs are global (they appear in every scope), so a
 * taken slug gets a short random suffix. The unique index decides, not the lookup: a concurrent add of
 * the same name retries with a new suffix.
 */
export async function createServerConnection({
  userId,
  name,
  url,
  authType,
  status,
  apiKey,
}: TCreateServerConnectionOptions): Promise<TCreatedServerConnection> {
  const db = getDb();
  const base = deriveServerSlug({ name });
  const baseTaken = (await db.mcpServer.findUnique({ where: { slug: base }, select: { id: true } })) !== null;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const slug = attempt === 0 && !baseTaken ? base : `${base}-${randomBytes(3).toString("hex")}`;
    try {
      const { server, connection } = await db.$transaction(async (tx) => {
        const server = await tx.mcpServer.create({
          data: {
            name,
            slug,
            url,
            authType,
            apiKeyHeaderName: apiKey?.headerName ?? null,
            transport: "STREAMABLE_HTTP",
            ownerUserId: userId,
          },
        });
        const connection = await tx.userMcpConfig.create({
          data: { userId, mcpServerId: server.id, status, apiKey: apiKey?.value ?? null },
        });
        return { server, connection };
      });
      return { connectionId: connection.id, serverId: server.id, name, slug, url };
    } catch (error) {
      // The new server's id is fresh and its connection is new, so the only unique index that can
      // collide is the slug's.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new AppError("CONFLICT", {
    message: `no free slug for "${base}" after ${MAX_ATTEMPTS} attempts`,
    userMessage: "Tumiki could not name this server. Try a different name.",
  });
}
