import { getLogger } from "../logger";

// The log watchers of one process, grouped by channel: a backend subscribes a channel when its first
// watcher arrives and unsubscribes when its last one leaves, so many streams watching one log hold one
// subscription, and one watcher leaving never silences another.

export type LogWatchers = {
  /** Resolves once the channel's subscription is active; the returned function unsubscribes. */
  watch(channel: string, onWake: () => void): Promise<() => void>;
  /** Calls every watcher of the channel; one that throws is logged and does not stop the others. */
  wake(channel: string): void;
  /** The channels that have watchers (to subscribe again on a new connection). */
  channels(): string[];
  /** Forgets every watcher (the store is closing); nothing is unsubscribed. */
  clear(): void;
};

type Group = { wakes: Set<() => void>; active: Promise<void> };

export function createLogWatchers(subscription: {
  /** Resolves once messages on the channel reach `wake`; when it rejects, it has cleaned up itself. */
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): void;
}): LogWatchers {
  const groups = new Map<string, Group>();

  return {
    async watch(channel, onWake) {
      let group = groups.get(channel);
      if (!group) {
        group = { wakes: new Set(), active: subscription.subscribe(channel) };
        groups.set(channel, group);
      }
      const joined = group;
      // A wrapper per call: the same function watched twice is two watchers, each unsubscribed alone.
      const wake = () => onWake();
      joined.wakes.add(wake);
      try {
        await joined.active;
      } catch (error) {
        joined.wakes.delete(wake);
        // The next watcher tries a fresh subscription instead of inheriting this failure.
        if (groups.get(channel) === joined) groups.delete(channel);
        throw error;
      }
      let watching = true;
      return () => {
        if (!watching) return;
        watching = false;
        joined.wakes.delete(wake);
        if (joined.wakes.size === 0 && groups.get(channel) === joined) {
          groups.delete(channel);
          subscription.unsubscribe(channel);
        }
      };
    },

    wake(channel) {
      const group = groups.get(channel);
      if (!group) return;
      for (const wake of [...group.wakes]) {
        try {
          wake();
        } catch (error) {
          getLogger().error({ err: error }, "A log watcher threw when woken");
        }
      }
    },

    channels() {
      return [...groups.keys()];
    },

    clear() {
      groups.clear();
    },
  };
}
