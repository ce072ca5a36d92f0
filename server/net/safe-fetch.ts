import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { assertOutboundUrl } from "./assert-outbound-url";
import { createGuardedLookup } from "./create-guarded-lookup";
import { OutboundFetchError } from "./outbound-fetch-error";
import { toWebHeaders } from "./to-web-headers";

// The one way Tumiki fetches a URL that came from outside (a CIMD client_id today, a backend's metadata in
// tier 2). Server-side request forgery is refused at every step:
// - the URL is parsed by the WHATWG parser, which turns every IPv4 spelling (2130706433, 0177.0.0.1,
//   0x7f.1, 127.1) into dotted decimal, so an IP literal is judged by its real value;
// - only http: and https:, no credentials; https unless the host:port is on the development allowlist
//   OUTBOUND_ALLOWED_PRIVATE_HOSTS, which is also the only way to reach a loopback or private address;
// - host names are resolved by our own `lookup`, which refuses non-public addresses as the socket
//   connects, so a DNS answer that changes between a check and the connection (rebinding) gains nothing;
// - redirects are followed by hand, each hop checked again, at most `maxRedirects`;
// - the body is streamed and abandoned past `maxBytes`; one deadline covers the whole exchange.

export type TSafeFetchOptions = {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  maxBytes: number;
  timeoutMs: number;
  /** 0 refuses any redirect (the response of the first URL must be the answer). */
  maxRedirects: number;
  /** An extra abort signal of the caller (e.g. the client hung up). */
  signal?: AbortSignal;
};

export type TSafeFetchResponse = {
  status: number;
  headers: Headers;
  /** The URL that answered, after redirects. */
  url: string;
  body: Buffer;
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const defaultPort = (url: URL) => url.port || (url.protocol === "https:" ? "443" : "80");

/** The hostname as the socket layer wants it: IPv6 literals without their brackets. */
const bareHostname = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1");

type Hop = { method: string; headers: Record<string, string>; body: string | Buffer | undefined };

function requestOnce(
  url: URL,
  allowlisted: boolean,
  hop: Hop,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      {
        protocol: url.protocol,
        hostname: bareHostname(url),
        port: defaultPort(url),
        path: `${url.pathname}${url.search}`,
        method: hop.method,
        headers: hop.headers,
        lookup: createGuardedLookup(allowlisted),
        // No pooled sockets: every request connects, and so passes the guarded lookup, afresh.
        agent: false,
        signal,
      },
      resolve,
    );
    request.on("error", reject);
    request.end(hop.body);
  });
}

function readBody(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    return Promise.reject(new OutboundFetchError("response_too_large"));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy(new OutboundFetchError("response_too_large"));
        return;
      }
      chunks.push(chunk);
    });
    response.on("end", () => resolve(Buffer.concat(chunks)));
    response.on("error", reject);
    // A connection cut mid-body may close the stream without an error; settling twice is a no-op.
    response.on("close", () => {
      if (!response.complete) reject(new OutboundFetchError("network_error"));
    });
  });
}

const withoutHeaders = (headers: Record<string, string>, names: RegExp) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.test(name)));

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).toString();
  } catch (cause) {
    throw new OutboundFetchError("invalid_url", { cause });
  }
}

function toFetchError(error: unknown, signal: AbortSignal, timeout: AbortSignal): OutboundFetchError {
  if (error instanceof OutboundFetchError) return error;
  if (timeout.aborted) return new OutboundFetchError("timeout", { cause: error });
  if (signal.aborted) return new OutboundFetchError("network_error", { cause: signal.reason ?? error });
  return new OutboundFetchError("network_error", { cause: error });
}

/** Fetches `url` under the SSRF rules above; throws OutboundFetchError when refused or failed. */
export async function safeFetch(options: TSafeFetchOptions): Promise<TSafeFetchResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let hop: Hop = {
    method: (options.method ?? "GET").toUpperCase(),
    headers: { ...options.headers },
    body: options.body,
  };
  let current = options.url;
  let origin: string | undefined;

  for (let redirects = 0; ; redirects += 1) {
    const { url, allowlisted } = assertOutboundUrl(current);
    // Credentials meant for one origin never follow a redirect to another.
    if (origin !== undefined && url.origin !== origin) {
      hop.headers = withoutHeaders(hop.headers, /^(authorization|proxy-authorization|cookie)$/i);
    }
    origin = url.origin;

    try {
      const response = await requestOnce(url, allowlisted, hop, signal);
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(response.statusCode ?? 0) && location) {
        response.destroy();
        if (redirects >= options.maxRedirects)
          throw new OutboundFetchError("too_many_redirects", { url: current });
        current = resolveLocation(location, url);
        // As fetch does: 303, and 301/302 after a POST, continue as a GET without a body.
        const status = response.statusCode ?? 0;
        if (status === 303 || ((status === 301 || status === 302) && hop.method === "POST")) {
          hop = { method: "GET", headers: withoutHeaders(hop.headers, /^content-/i), body: undefined };
        }
        continue;
      }
      const body = await readBody(response, options.maxBytes);
      return { status: response.statusCode ?? 0, headers: toWebHeaders(response), url: url.toString(), body };
    } catch (error) {
      throw toFetchError(error, signal, timeout);
    }
  }
}
