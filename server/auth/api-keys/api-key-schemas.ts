import { z } from "zod";
import { ALL_SERVERS_SCOPE, isKnownScopeShape } from "../scopes";

// Shapes of the API key operations, shared by the dashboard router and the domain functions.

export const API_KEY_NAME_MAX_LENGTH = 100;

export const ZCreateApiKeyInput = z.object({
  instanceId: z.uuid({ version: "v4" }),
  name: z.string().trim().min(1, "Give the key a name.").max(API_KEY_NAME_MAX_LENGTH),
  scopes: z
    .array(
      z
        .string()
        .refine(
          isKnownScopeShape,
          "Scopes look like mcp:access:*, mcp:access:<server> or mcp:access:<server>:<tool>.",
        ),
    )
    .min(1)
    .default([ALL_SERVERS_SCOPE]),
  expiresAt: z.coerce
    .date()
    .refine((date) => date.getTime() > Date.now(), "The expiry must lie in the future.")
    .optional(),
});

export type TCreateApiKeyInput = z.input<typeof ZCreateApiKeyInput>;

export const ZCreatedApiKey = z.object({
  id: z.string(),
  /** The key itself: shown once, never stored. */
  key: z.string(),
  prefix: z.string(),
});

export type TCreatedApiKey = z.infer<typeof ZCreatedApiKey>;

export const ZRevokeApiKeyInput = z.object({ id: z.string().min(1).max(64) });

export type TRevokeApiKeyInput = z.infer<typeof ZRevokeApiKeyInput>;

export const ZApiKeySummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  instance: z.object({ id: z.string(), name: z.string() }),
  scopes: z.array(z.string()),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export type TApiKeySummary = z.infer<typeof ZApiKeySummary>;
