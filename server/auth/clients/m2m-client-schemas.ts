import { z } from "zod";

// Inputs of the machine-to-machine client functions, shared with the tRPC router (the single source of
// these shapes). Whether the scopes are ones the instance offers is checked by createM2mClient.

export const ZCreateM2mClientInput = z.object({
  instanceId: z.string().min(1).max(64),
  name: z.string().trim().min(1, "Give the client a name.").max(100),
  // 256 fits the longest tool scope: `mcp:access:`, a 64-character slug, `:` and a 128-character name.
  scopes: z.array(z.string().min(1).max(256)).min(1, "Choose at least one scope.").max(100),
});

export type TCreateM2mClientInput = z.infer<typeof ZCreateM2mClientInput>;

export const ZDeleteM2mClientInput = z.object({
  id: z.string().min(1).max(64),
});

export type TDeleteM2mClientInput = z.infer<typeof ZDeleteM2mClientInput>;
