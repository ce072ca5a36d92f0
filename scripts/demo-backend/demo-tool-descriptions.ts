// The demo backend's tool descriptions as changed at run time (a demo control, handle-demo-control.ts):
// how a test or a person shows what a server changing a tool after it was trusted (a "rug pull") looks
// like through Tumiki. Every live session hears of a change and tells its client the list changed.

export type TDemoToolDescriptions = {
  /** The description set for a tool, or undefined for its own. */
  get(tool: string): string | undefined;
  /** Sets a tool's description; null restores its own. */
  set(tool: string, description: string | null): void;
  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (tool: string) => void): () => void;
};

export function createDemoToolDescriptions(): TDemoToolDescriptions {
  const descriptions = new Map<string, string>();
  const listeners = new Set<(tool: string) => void>();
  return {
    get: (tool) => descriptions.get(tool),
    set(tool, description) {
      if (description === null) descriptions.delete(tool);
      else descriptions.set(tool, description);
      for (const listener of listeners) listener(tool);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
