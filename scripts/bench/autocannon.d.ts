// autocannon ships no type declarations (and @types/autocannon is not installed): this is the part of
// its programmatic API the bench uses, typed from the library's source (lib/run.js, lib/init.js).
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  export type TAutocannonOptions = {
    url: string;
    method?: "GET" | "POST" | "DELETE";
    headers?: Record<string, string>;
    /** With idReplacement, every `[<id>]` in it becomes a fresh unique id per request. */
    body?: string;
    idReplacement?: boolean;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds a request may take before it counts as a timeout. */
    timeout?: number;
    /** Called with each whole response body; false counts a mismatch. */
    verifyBody?: (body: string) => boolean;
  };

  export type TAutocannonResult = {
    /** Seconds the run lasted. */
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    resets: number;
    statusCodeStats: Record<string, { count: number }>;
    requests: { total: number; sent: number; average: number };
  };

  export type TAutocannonInstance = EventEmitter & PromiseLike<TAutocannonResult>;

  /**
   * Starts a run. The instance emits `response` (client, statusCode, bytes, responseTimeMs) for each
   * answer and resolves with the totals when the run ends.
   */
  export default function autocannon(options: TAutocannonOptions): TAutocannonInstance;
}
