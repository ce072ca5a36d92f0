import { publishInstanceEvent } from "./instance-events";

// The instances whose set of servers changed (servers bundled or unbundled, a server removed): every
// list a client of theirs sees may have changed, so every stream serving them (a 2025 session's GET
// stream, a 2026-07-28 subscriptions/listen stream) tells its client, in whichever process it is held.
// Best effort, like every instance event: a lost one costs a stale list until the client refreshes.

export async function publishInstanceChanged(instanceIds: string[]): Promise<void> {
  await Promise.all(
    [...new Set(instanceIds)].flatMap((instanceId) =>
      (["tools", "prompts", "resources"] as const).map((list) =>
        publishInstanceEvent({ instanceId: instanceId, event: { type: "list_changed", list } }),
      ),
    ),
  );
}
