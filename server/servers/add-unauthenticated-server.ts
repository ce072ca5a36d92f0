import { randomBytes } from "node:crypto";
import { writeAuditEvent } from "../audit/write-audit-event";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { isUniqueViolation } from "../is-unique-violation";
import { deriveServerSlug } from "./derive-server-slug";
import { type TAddUnauthenticatedServerInput, ZAddUnauthenticatedServerInput } from "./server-schemas";

type TAddUnauthenticatedServerOptions = TAddUnauthenticatedServerInput & {
  userId: string;
  origin?: TRequestOrigin;
};

export type TAddedServer = {
  connectionId: string;
  serverId: string;
  name: string;
  slug: string;
  url: string;
};

const MAX_ATTEMPTS = 5;

/**
 * Adds a private server that needs no authentication and connects the user to it, in one transaction.
 * Slugs are global (they appear in every scope), so a taken slug gets a short random suffix. The
 * unique index decides, not the lookup: a concurrent add of the same name retries with a new suffix.
 */
export async function addUnauthenticatedServer({
  userId,
  origin,
  ...input
}: TAddUnauthenticatedServerOptions): Promise<TAddedServer> {
  const { name, url } = ZAddUnauthenticatedServerInput.parse(input);
  const db = getDb();
  const base = deriveServerSlug({ name });
  const baseTaken = (await db.mcpServer.findUnique({ where: { slug: base }, select: { id: true } })) !== null;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const slug = attempt === 0 && !baseTaken ? base : `${base}-${randomBytes(3).toString("hex")}`;
    try {
      const { server, connection } = await db.$transaction(async (tx) => {
        const server = await tx.mcpServer.create({
          data: { name, slug, url, authType: "NONE", transport: "STREAMABLE_HTTP", ownerUserId: userId },
        });
        const connection = await tx.userMcpConfig.create({
          data: { userId, mcpServerId: server.id, status: "CONNECTED" },
        });
        return { server, connection };
      });
      writeAuditEvent({
        eventType: "backend.connected",
        outcome: "SUCCESS",
        actorUserId: userId,
        mcpServerId: server.id,
        ip: origin?.ip,
        userAgent: origin?.userAgent,
        detail: { authType: "NONE", slug },
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
