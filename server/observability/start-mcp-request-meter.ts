import { mcpRequestDuration, mcpRequests } from "./tumiki-metrics";

// The figures of one JSON-RPC request on /mcp/{instanceId}. The request's handler settles it with the
// server that answered ("tumiki" for what Tumiki answers itself: lists, initialize, ping, discover, and
// every refusal) and its outcome. A request relayed to a backend is handed off: the relay settles it
// when the call ends (a JSON-RPC error or an isError result is a failure), which for a stream can be
// long after the response's headers.

/** Methods of either era; anything else a client sends is "other", so the label stays bounded. */
const KNOWN_METHODS = new Set([
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "prompts/list",
  "prompts/get",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "completion/complete",
  "logging/setLevel",
  "server/discover",
  "subscriptions/listen",
]);

const ERA_LABEL = { legacy: "2025-11-25", modern: "2026-07-28" } as const;

export type TMcpRequestMeter = {
  /** A relayed call will settle the request when it ends; the handler must not. */
  handOff(): void;
  readonly handedOff: boolean;
  /** Records the request once; later calls are ignored. */
  settle(result: { server: string; outcome: "success" | "failure" }): void;
};

export function startMcpRequestMeter({
  method,
  era,
}: {
  method: string;
  era: keyof typeof ERA_LABEL;
}): TMcpRequestMeter {
  const started = performance.now();
  const methodLabel = KNOWN_METHODS.has(method) ? method : "other";
  let handedOff = false;
  let settled = false;
  return {
    handOff() {
      handedOff = true;
    },
    get handedOff() {
      return handedOff;
    },
    settle({ server, outcome }) {
      if (settled) return;
      settled = true;
      mcpRequests.inc({ method: methodLabel, server, outcome, era: ERA_LABEL[era] });
      mcpRequestDuration.observe({ method: methodLabel, outcome }, (performance.now() - started) / 1000);
    },
  };
}
