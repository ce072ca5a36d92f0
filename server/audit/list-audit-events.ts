import { getDb } from "../db";
import type { AuditOutcome, Prisma } from "../generated/prisma/client";
import {
  AUDIT_PAGE_SIZE,
  type TListAuditEventsInput,
  type TToolCallDetail,
  ZListAuditEventsInput,
  ZToolCallDetail,
} from "./audit-log-schemas";
import { getAuditEventsVisibility } from "./get-audit-events-visibility";

export type TAuditLogEntry = {
  id: string;
  createdAt: Date;
  eventType: string;
  outcome: AuditOutcome;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  clientId: string | null;
  clientName: string | null;
  instanceId: string | null;
  instanceName: string | null;
  mcpServerId: string | null;
  serverName: string | null;
  /** Tool calls: the tool's name as the backend knows it, and how long the call took. */
  tool: string | null;
  durationMs: number | null;
  /** Tool calls made with an API key: the key's name (null when the key is gone or not the user's). */
  apiKeyId: string | null;
  apiKeyName: string | null;
  /** Tool calls made with an external IdP's token: the client it names, if any. */
  externalClientId: string | null;
  detail: Prisma.JsonValue;
};

export type TAuditLogPage = {
  events: TAuditLogEntry[];
  page: number;
  pageSize: number;
  hasNextPage: boolean;
};

type TListAuditEventsOptions = TListAuditEventsInput & { userId: string };

/**
 * One page of the audit events the signed-in user may read (getAuditEventsVisibility), newest first.
 * Names of the clients (audit events name a client by its AiClient id), instances and servers an event
 * mentions are looked up for display; an instance or server that is not the user's keeps its id only.
 */
export async function listAuditEvents({ userId, ...input }: TListAuditEventsOptions): Promise<TAuditLogPage> {
  const { eventType, outcome, clientId, instanceId, from, to, page } = ZListAuditEventsInput.parse(input);
  const db = getDb();
  const where: Prisma.AuditLogWhereInput = {
    AND: [await getAuditEventsVisibility({ userId })],
    ...(eventType ? { eventType } : {}),
    ...(outcome ? { outcome } : {}),
    ...(clientId ? { clientId } : {}),
    ...(instanceId ? { instanceId } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : {}),
  };
  // One row more than a page tells whether a next page exists without counting the whole log.
  const rows = await db.auditLog.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * AUDIT_PAGE_SIZE,
    take: AUDIT_PAGE_SIZE + 1,
  });
  const events = rows.slice(0, AUDIT_PAGE_SIZE);

  const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
  const clientIds = distinct(events.map((event) => event.clientId));
  const toolCalls = new Map<string, TToolCallDetail>(
    events.flatMap((event) =>
      event.eventType === "mcp.tool_called" ? [[event.id, ZToolCallDetail.parse(event.detail)]] : [],
    ),
  );
  const apiKeyIds = distinct([...toolCalls.values()].map((detail) => detail.apiKeyId ?? null));
  const [clients, instances, servers, apiKeys] = await Promise.all([
    db.aiClient.findMany({
      where: { id: { in: clientIds } },
      select: { id: true, clientId: true, name: true },
    }),
    db.mcpInstance.findMany({
      where: { id: { in: distinct(events.map((event) => event.instanceId)) }, userId },
      select: { id: true, name: true },
    }),
    db.mcpServer.findMany({
      where: {
        id: { in: distinct(events.map((event) => event.mcpServerId)) },
        OR: [{ ownerUserId: userId }, { ownerUserId: null }],
      },
      select: { id: true, name: true },
    }),
    apiKeyIds.length > 0
      ? db.mcpApiKey.findMany({ where: { id: { in: apiKeyIds }, userId }, select: { id: true, name: true } })
      : [],
  ]);
  const clientNames = new Map(clients.map((client) => [client.id, client.name ?? client.clientId]));
  const instanceNames = new Map(instances.map((instance) => [instance.id, instance.name]));
  const serverNames = new Map(servers.map((server) => [server.id, server.name]));
  const apiKeyNames = new Map(apiKeys.map((key) => [key.id, key.name]));

  return {
    events: events.map((event) => {
      const toolCall = toolCalls.get(event.id);
      const apiKeyId = toolCall?.apiKeyId ?? null;
      return {
        id: event.id,
        createdAt: event.createdAt,
        eventType: event.eventType,
        outcome: event.outcome,
        reason: event.reason,
        ip: event.ip,
        userAgent: event.userAgent,
        clientId: event.clientId,
        clientName: event.clientId ? (clientNames.get(event.clientId) ?? null) : null,
        instanceId: event.instanceId,
        instanceName: event.instanceId ? (instanceNames.get(event.instanceId) ?? null) : null,
        mcpServerId: event.mcpServerId,
        serverName: event.mcpServerId ? (serverNames.get(event.mcpServerId) ?? null) : null,
        tool: toolCall?.tool ?? null,
        durationMs: event.durationMs,
        apiKeyId,
        apiKeyName: apiKeyId ? (apiKeyNames.get(apiKeyId) ?? null) : null,
        externalClientId: toolCall?.authKind === "external" ? (toolCall.oauthClientId ?? null) : null,
        detail: event.detail,
      };
    }),
    page,
    pageSize: AUDIT_PAGE_SIZE,
    hasNextPage: rows.length > AUDIT_PAGE_SIZE,
  };
}
