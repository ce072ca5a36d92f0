import { EventSourceParserStream } from "eventsource-parser/stream";

// The JSON-RPC messages of an SSE body, one at a time, as the events arrive (nothing is buffered whole).
// Events other than the default "message" type, and data that is not JSON (a priming event with empty
// data, a comment), carry no message and are skipped.

export async function* readSseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  // TextDecoderStream's writable side is typed for any BufferSource; Uint8Array chunks are one of them.
  const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
  const events = body.pipeThrough(decoder).pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if ((value.event ?? "message") !== "message" || value.data.trim() === "") continue;
      let message: unknown;
      try {
        message = JSON.parse(value.data);
      } catch {
        continue;
      }
      yield message;
    }
  } finally {
    // Stops the backend body too when the consumer leaves early (a response arrived, the client left).
    await reader.cancel().catch(() => undefined);
  }
}
