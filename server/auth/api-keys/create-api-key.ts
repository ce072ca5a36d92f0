import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { AppError } from "../../errors";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { generateOpaqueSecret, hashOpaqueSecret, SECRET_PREFIX } from "../opaque-secrets";
import { resolveInstanceScopes } from "../resolve-instance-scopes";
import { isOfferedScope } from "../scopes";
import { type TCreateApiKeyInput, type TCreatedApiKey, ZCreateApiKeyInput } from "./api-key-schemas";

// Creates an API key for one of the user's instances. The key is returned once; only its hash and a
// short prefix (to recognise it in the list) are stored.

const PREFIX_LENGTH = 12;

export async function createApiKey(
  options: TCreateApiKeyInput & { userId: string; origin?: TRequestOrigin },
): Promise<TCreatedApiKey> {
  const { userId, origin } = options;
  const input = ZCreateApiKeyInput.parse(options);
  const db = getDb();

  const resolved = await resolveInstanceScopes({ instanceId: input.instanceId, userId });
  if (!resolved) throw new AppError("NOT_FOUND", { userMessage: "This instance does not exist." });

  const offered = resolved.scopes;
  const scopes = [...new Set(input.scopes)];
  const unknown = scopes.filter((scope) => !isOfferedScope(offered, scope));
  if (unknown.length > 0) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `This instance does not offer ${unknown.join(", ")}.`,
    });
  }

  const key = generateOpaqueSecret(SECRET_PREFIX.apiKey);
  const prefix = key.slice(0, PREFIX_LENGTH);
  const row = await db.mcpApiKey.create({
    data: {
      userId,
      instanceId: resolved.instance.id,
      name: input.name,
      prefix,
      keyHash: hashOpaqueSecret(key),
      scopes,
      expiresAt: input.expiresAt ?? null,
    },
    select: { id: true },
  });

  writeAuditEvent({
    eventType: "api_key.created",
    outcome: "SUCCESS",
    actorUserId: userId,
    instanceId: resolved.instance.id,
    ip: origin?.ip,
    userAgent: origin?.userAgent,
    // `keyId`, not `apiKeyId`: the redactor empties every field named like an API key.
    detail: { keyId: row.id, prefix, scopes, expiresAt: input.expiresAt?.toISOString() ?? null },
  });
  return { id: row.id, key, prefix };
}
