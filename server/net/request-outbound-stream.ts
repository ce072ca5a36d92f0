import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { assertOutboundUrl } from "./assert-outbound-url";
import { createGuardedLookup } from "./create-guarded-lookup";
import { OutboundFetchError } from "./outbound-fetch-error";
import { toWebHeaders } from "./to-web-headers";

// An outbound request whose answer is streamed, not buffered: the MCP proxy's backend calls, where an
// SSE response must reach the client event by event. The SSRF rules are safeFetch's (assertOutboundUrl,
// the guarded lookup at connect time); redirects are never followed (a backend that redirects an MCP
// POST is misconfigured, and its credentials must not follow). Sockets are pooled: a pooled socket was
// checked when it connected, so reusing it adds no risk, and a new TCP connection per tool call would
// cost every call a handshake.

export type TOutboundStream = {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array>;
};

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

/** Caps a body stream: past `maxBytes` it errors instead of growing without bound. */
function limitBody(source: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let size = 0;
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > maxBytes) {
          controller.error(new OutboundFetchError("response_too_large"));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Sends the request and resolves once the response headers arrive (within `headersTimeoutMs`); the
 * body then streams until it ends, `signal` aborts, or it passes `maxBytes`. Throws OutboundFetchError.
 */
export async function requestOutboundStream(options: {
  url: string;
  method: "POST" | "GET" | "DELETE";
  headers: Record<string, string>;
  body?: string;
  headersTimeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}): Promise<TOutboundStream> {
  const { url, allowlisted } = assertOutboundUrl(options.url);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: OutboundFetchError) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const request = transport.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || (url.protocol === "https:" ? "443" : "80"),
        path: `${url.pathname}${url.search}`,
        method: options.method,
        headers: {
          ...options.headers,
          ...(options.body === undefined
            ? {}
            : { "content-length": String(Buffer.byteLength(options.body)) }),
        },
        agent: agents[url.protocol as keyof typeof agents],
        lookup: createGuardedLookup(allowlisted),
        signal: options.signal,
      },
      (response) => {
        clearTimeout(timer);
        if (settled) {
          response.destroy();
          return;
        }
        settled = true;
        const body = Readable.toWeb(response) as ReadableStream<Uint8Array>;
        resolve({
          status: response.statusCode ?? 0,
          headers: toWebHeaders(response),
          body: limitBody(body, options.maxBytes),
        });
      },
    );
    const timer = setTimeout(() => {
      fail(new OutboundFetchError("timeout", { url: options.url }));
      request.destroy();
    }, options.headersTimeoutMs);
    request.on("error", (error) => {
      clearTimeout(timer);
      if (error instanceof OutboundFetchError) return fail(error);
      const abort = options.signal?.aborted ? options.signal.reason : undefined;
      // The caller's signal may carry a deadline of its own (AbortSignal.timeout): that is a timeout.
      const reason =
        abort === undefined
          ? "network_error"
          : abort instanceof DOMException && abort.name === "TimeoutError"
            ? "timeout"
            : "aborted";
      fail(new OutboundFetchError(reason, { url: options.url, cause: error }));
    });
    request.end(options.body);
  });
}
