import { randomBytes } from "node:crypto";
import { getEnv } from "../../env";
import { getLogger } from "../../logger";
import { openStreams } from "../../observability/tumiki-metrics";
import { getRedis } from "../../redis";
import { callEventId, streamLogKey, streamResumedKey } from "./stream-log-keys";
import { type TStreamLogEntry, toKeptEvent } from "./to-kept-event";

// The HTTP answer to one client request that Tumiki relays: a single JSON body when the answer is one
// message, an SSE stream as soon as there is more to say (progress, a backend's request to the client).
// Which of the two is decided by the first thing sent, so a plain call costs no stream.
//
// Streams to 2025 clients are resumable (MCP 2025-11-25 transports, SEP-1699): a priming event with an
// id and `retry` comes first, every event has an id (`c.<stream>.<n>`, stream-log-keys.ts), and the last
// events are kept in memory. If the client goes away before the end (a disconnect is not a cancellation
// in that revision), the kept events and everything after them go to a short-lived Redis log, from
// which the client can resume with GET and Last-Event-ID at any app process (resume-call-stream.ts).
// When nobody resumes within a grace period (MCP_STREAM_RESUME_GRACE_SECONDS), the call is abandoned
// (the backend is told to cancel). 2026-07-28 streams have no ids (that revision removed resumption),
// and closing one cancels its request at once.
//
// A comment line every 15 s keeps proxies between the client and Tumiki from closing a quiet stream.

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(": keepalive\n\n");
const KEEPALIVE_INTERVAL_MS = 15_000;
/** How soon a 2025 client should reconnect to a stream that broke. */
export const RETRY_MS = 1_000;
/** Events kept in memory for a client that might drop and resume. */
const KEPT_EVENTS = 64;
/** How long a dropped stream's events stay readable after the last one was written. */
export const STREAM_LOG_TTL_MS = 5 * 60 * 1000;
const STREAM_LOG_MAX_EVENTS = 1_000;
const HIGH_WATER_MARK = 16;
const NO_STORE = { "Cache-Control": "no-store" };
const SSE_HEADERS = {
  ...NO_STORE,
  "Content-Type": "text/event-stream",
  "X-Accel-Buffering": "no",
};

export type TClientReply = {
  /** Resolves with the HTTP response as soon as its form is known. */
  response: Promise<Response>;
  /** Sends one message on the stream (starting it); resolves when the client can take more. */
  send(message: unknown): Promise<void>;
  /** Starts the stream now, before there is a message (the backend streams: the client hears at once). */
  stream(): void;
  /**
   * The last message: the JSON body (with `status`, 200 unless given) when nothing was streamed, else
   * the stream's last event.
   */
  end(message: unknown, status?: number): void;
  /** Whether the answer became a stream. */
  readonly streaming: boolean;
  /** Aborts when the client went away and the call should stop (at once, or after the grace period). */
  readonly abandoned: AbortSignal;
};

export function createClientReply({
  resumable,
}: {
  /** For a 2025 client: the session its stream belongs to (a resumed stream must be its own). */
  resumable: { sessionKey: string } | null;
}): TClientReply {
  let resolveResponse!: (response: Response) => void;
  const response = new Promise<Response>((resolve) => {
    resolveResponse = resolve;
  });
  const abandon = new AbortController();
  const streamId = randomBytes(12).toString("base64url");
  const kept: TStreamLogEntry[] = [];
  let seq = 0;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let started = false;
  let finished = false;
  let detached = false;
  /** A 2026-07-28 client closed the stream: nothing more can reach it. */
  let gone = false;
  let keepalive: ReturnType<typeof setInterval> | undefined;
  let room: (() => void) | undefined;
  let logWrites = Promise.resolve();
  /**
   * Whether this reply is counted in tumiki_open_streams: from its start until it ends or the client leaves.
   */
  let counted = false;
  const uncount = () => {
    if (!counted) return;
    counted = false;
    openStreams.dec({ kind: "call" });
  };

  const logKey = resumable ? streamLogKey(resumable.sessionKey, streamId) : "";
  const appendToLog = (entry: TStreamLogEntry) => {
    // In order, and never on the path of the client (who is gone): a failure loses only the resumption.
    const text = toKeptEvent(entry);
    if (text === null) return;
    logWrites = logWrites
      .then(() =>
        getRedis().appendLog(logKey, text, {
          maxLen: STREAM_LOG_MAX_EVENTS,
          ttlMs: STREAM_LOG_TTL_MS,
        }),
      )
      .then(() => undefined)
      .catch((error: unknown) =>
        getLogger().warn({ err: error }, "keeping a dropped stream's events failed"),
      );
  };

  const frame = (entry: TStreamLogEntry) =>
    encoder.encode(
      resumable
        ? `id: ${callEventId(streamId, entry.seq)}\nevent: message\ndata: ${JSON.stringify(entry.message)}\n\n`
        : `event: message\ndata: ${JSON.stringify(entry.message)}\n\n`,
    );

  const detach = () => {
    detached = true;
    for (const entry of kept) appendToLog(entry);
    // Checked once per grace period for as long as the call runs: a client that resumed and then went
    // away again (its resumed stream ended, resume-call-stream.ts) is given up on the same way.
    const check = setInterval(async () => {
      if (finished) {
        clearInterval(check);
        return;
      }
      const resumed = await getRedis()
        .get(streamResumedKey(resumable?.sessionKey ?? "", streamId))
        .catch(() => "unknown: Redis failed");
      if (resumed === null) {
        clearInterval(check);
        abandon.abort();
      }
    }, getEnv().MCP_STREAM_RESUME_GRACE_SECONDS * 1000);
    check.unref?.();
  };

  const start = () => {
    if (started) return;
    started = true;
    counted = true;
    openStreams.inc({ kind: "call" });
    const stream = new ReadableStream<Uint8Array>(
      {
        start(streamController) {
          controller = streamController;
          if (resumable) {
            streamController.enqueue(
              encoder.encode(`id: ${callEventId(streamId, 0)}\nretry: ${RETRY_MS}\ndata: \n\n`),
            );
          }
          keepalive = setInterval(() => {
            if (!detached && !finished) controller?.enqueue(KEEPALIVE);
          }, KEEPALIVE_INTERVAL_MS);
        },
        pull() {
          room?.();
          room = undefined;
        },
        cancel() {
          clearInterval(keepalive);
          uncount();
          room?.();
          if (finished) return;
          if (resumable) detach();
          else {
            gone = true;
            abandon.abort();
          }
        },
      },
      new CountQueuingStrategy({ highWaterMark: HIGH_WATER_MARK }),
    );
    resolveResponse(new Response(stream, { headers: SSE_HEADERS }));
  };

  const write = async (entry: TStreamLogEntry) => {
    if (resumable) {
      kept.push(entry);
      if (kept.length > KEPT_EVENTS) kept.shift();
    }
    if (detached) {
      appendToLog(entry);
      return;
    }
    if (gone) return;
    controller?.enqueue(frame(entry));
    if ((controller?.desiredSize ?? 1) <= 0 && !detached) {
      await new Promise<void>((resolve) => {
        room = resolve;
      });
    }
  };

  return {
    response,
    get streaming() {
      return started;
    },
    abandoned: abandon.signal,
    stream() {
      if (!finished) start();
    },
    async send(message) {
      if (finished) return;
      start();
      seq += 1;
      await write({ seq, message });
    },
    end(message, status = 200) {
      if (finished) return;
      if (!started) {
        finished = true;
        resolveResponse(Response.json(message, { status, headers: NO_STORE }));
        return;
      }
      seq += 1;
      const entry: TStreamLogEntry = { seq, message, final: true };
      void write(entry);
      finished = true;
      clearInterval(keepalive);
      uncount();
      if (!detached) {
        try {
          controller?.close();
        } catch {
          // Already closed by the client going away at this very moment.
        }
      }
    },
  };
}
