import { getDb } from "../db";
import { AppError } from "../errors";
import type { Prisma } from "../generated/prisma/client";

/**
 * A server the user may use: a catalog server (no owner) or their own. Another user's private server
 * is as unknown as a missing one (NOT_FOUND), so its existence is not revealed.
 */
export async function getVisibleServerOrThrow<TSelect extends Prisma.McpServerSelect>({
  userId,
  mcpServerId,
  select,
}: {
  userId: string;
  mcpServerId: string;
  select: TSelect;
}) {
  const server = await getDb().mcpServer.findFirst({
    where: { id: mcpServerId, OR: [{ ownerUserId: null }, { ownerUserId: userId }] },
    select,
  });
  if (!server) throw new AppError("NOT_FOUND", { userMessage: "This server was not found." });
  return server;
}
