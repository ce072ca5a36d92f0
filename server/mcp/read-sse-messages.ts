import { EventSourceParserStream } from "eventsource-parser/stream";

// The JSON-RPC messages of an SSE body, one at a time, as the events arrive (nothing is buffered whole).
// Events other than the default "message" type, and data that is not JSON (a priming event with empty
// data, a comment), carry no message and are skipped; their ids and `retry` still count, since a
// backend that closes its stream early is resumed from the last id it sent (MCP 2025-11-25,
// resumability), after the wait its `retry` field asked for.
//
// A consumer that leaves early (its response has arrived) leaves the rest of the stream to be read and
// dropped in the background: a backend closes it right after the response, and a body read to its end
// lets the keep-alive connection carry the next request instead of being torn down (a new connection,
// and DNS lookup, per call). A stream that does not end within a moment is cut.

const DRAIN_MS = 1_000;

export type TSseMessage = {
  message: unknown;
  /** The event's id, when the server gave one (a client resumes after it with Last-Event-ID). */
  id: string | undefined;
};

/** What a reader learned of the stream's resumption: the last event id seen and the asked-for `retry`. */
export type TSseCursor = { lastEventId: string | undefined; retryMs: number | undefined };

async function drain(reader: ReadableStreamDefaultReader<unknown>): Promise<void> {
  const cut = setTimeout(() => reader.cancel().catch(() => undefined), DRAIN_MS);
  try {
    while (!(await reader.read()).done) {
      // Dropped: nobody waits for these events any more.
    }
  } catch {
    // Cut, aborted or broken: the connection is discarded, which is all that is left to do.
  } finally {
    clearTimeout(cut);
  }
}

export async function* readSseEvents(
  body: ReadableStream<Uint8Array>,
  cursor: TSseCursor = { lastEventId: undefined, retryMs: undefined },
): AsyncGenerator<TSseMessage> {
  // TextDecoderStream's writable side is typed for any BufferSource; Uint8Array chunks are one of them.
  const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
  const parser = new EventSourceParserStream({
    onRetry: (retry) => {
      cursor.retryMs = retry;
    },
  });
  const reader = body.pipeThrough(decoder).pipeThrough(parser).getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      if (value.id !== undefined) cursor.lastEventId = value.id;
      if ((value.event ?? "message") !== "message" || value.data.trim() === "") continue;
      let message: unknown;
      try {
        message = JSON.parse(value.data);
      } catch {
        continue;
      }
      yield { message, id: value.id };
    }
  } catch (error) {
    ended = true;
    throw error;
  } finally {
    if (!ended) void drain(reader);
  }
}

export async function* readSseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  for await (const event of readSseEvents(body)) yield event.message;
}
