import { openStreams } from "../../observability/tumiki-metrics";

// A long-lived SSE response (a 2025 session's GET stream, a 2026-07-28 subscriptions/listen stream):
// events written as they happen, with their ids when the stream is resumable, a comment line every
// 15 s so proxies keep a quiet stream open, and `X-Accel-Buffering: no` so none holds events back
// (streamable-http.mdx). `closed` aborts when the client goes away or the stream is ended.
// A client that stops reading while events keep coming would make them pile up in memory: past
// MAX_QUEUED_EVENTS unread ones the stream is ended instead. A 2025 client resumes from its last event
// (the session's log keeps the rest); a 2026-07-28 client listens again.

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(": keepalive\n\n");
const KEEPALIVE_INTERVAL_MS = 15_000;
/** Well above a full replay of a session's event log (1,000 events) sent at once on reconnection. */
const MAX_QUEUED_EVENTS = 4_000;

export type TEventStream = {
  response: Response;
  /** Writes one message; ignored once the stream is closed. */
  send(message: unknown, id?: string): void;
  /** A priming event: an id (to resume from) and the reconnection delay, no message. */
  prime(id: string, retryMs: number): void;
  close(): void;
  readonly closed: AbortSignal;
};

export function createEventStream({ kind }: { kind: "session" | "listen" | "call" }): TEventStream {
  const closed = new AbortController();
  // `closed` aborts exactly once, however the stream ends: the gauge comes down once per stream.
  openStreams.inc({ kind });
  closed.signal.addEventListener("abort", () => openStreams.dec({ kind }), { once: true });
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let keepalive: ReturnType<typeof setInterval> | undefined;
  const write = (text: string | Uint8Array) => {
    if (closed.signal.aborted) return;
    if (controller && (controller.desiredSize ?? 0) < -MAX_QUEUED_EVENTS) {
      // Erroring (not closing) drops what is queued and aborts the response at once.
      stop();
      controller.error(new Error("the client stopped reading the stream"));
      return;
    }
    try {
      controller?.enqueue(typeof text === "string" ? encoder.encode(text) : text);
    } catch {
      closed.abort();
    }
  };
  const stop = () => {
    clearInterval(keepalive);
    if (!closed.signal.aborted) closed.abort();
  };
  const end = () => {
    if (closed.signal.aborted) return;
    stop();
    try {
      controller?.close();
    } catch {
      // The client went away at this very moment.
    }
  };
  const stream = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      keepalive = setInterval(() => write(KEEPALIVE), KEEPALIVE_INTERVAL_MS);
    },
    cancel: stop,
  });
  return {
    response: new Response(stream, {
      headers: {
        "Cache-Control": "no-store",
        "Content-Type": "text/event-stream",
        "X-Accel-Buffering": "no",
      },
    }),
    closed: closed.signal,
    send(message, id) {
      write(`${id === undefined ? "" : `id: ${id}\n`}event: message\ndata: ${JSON.stringify(message)}\n\n`);
    },
    prime(id, retryMs) {
      write(`id: ${id}\nretry: ${retryMs}\ndata: \n\n`);
    },
    close: end,
  };
}
