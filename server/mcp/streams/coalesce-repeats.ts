// The same change often reaches a stream twice in a row: a backend's own notification, and the
// instance's change log carrying what a call's stream saw of it in another process. A change
// notification only says "look again", so repeats within a short window are sent once: the first at
// once, and, if more came meanwhile, one more at the end of the window, so the client always looks
// again after the last change. A stream whose log outlives it (a 2025 session's) flushes what is still
// waiting when it ends; on a stream that has ended, a late send goes nowhere.

const COALESCE_WINDOW_MS = 250;

export type TCoalescer = {
  /** Sends now, or once at the end of the window when the same key was sent within it. */
  coalesce(key: string, send: () => void): void;
  /** Sends everything still waiting for its window to end, now. */
  flush(): void;
};

export function createCoalescer(windowMs = COALESCE_WINDOW_MS): TCoalescer {
  const lastSent = new Map<string, number>();
  const waiting = new Map<string, { timer: ReturnType<typeof setTimeout>; send: () => void }>();
  const sendNow = (key: string, send: () => void) => {
    lastSent.set(key, Date.now());
    send();
  };
  return {
    coalesce(key, send) {
      const since = Date.now() - (lastSent.get(key) ?? Number.NEGATIVE_INFINITY);
      if (since >= windowMs) return sendNow(key, send);
      if (waiting.has(key)) return;
      const timer = setTimeout(() => {
        waiting.delete(key);
        sendNow(key, send);
      }, windowMs - since);
      timer.unref?.();
      waiting.set(key, { timer, send });
    },
    flush() {
      for (const [key, { timer, send }] of waiting) {
        clearTimeout(timer);
        waiting.delete(key);
        sendNow(key, send);
      }
    },
  };
}
