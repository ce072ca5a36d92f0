import { z } from "zod";

// What a subscriptions/listen stream asks for (2026-07-28, basic/patterns/subscriptions.mdx): the one
// shape of a client's filter, of what Tumiki acknowledges, and of what it asks a backend for.

export const ZSubscriptionFilter = z.object({
  toolsListChanged: z.boolean().optional(),
  promptsListChanged: z.boolean().optional(),
  resourcesListChanged: z.boolean().optional(),
  resourceSubscriptions: z.array(z.string().max(4096)).max(200).optional(),
});
export type TSubscriptionFilter = z.infer<typeof ZSubscriptionFilter>;
