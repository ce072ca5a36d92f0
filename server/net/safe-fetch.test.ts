import type { LookupAddress } from "node:dns";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "../env";
import { OutboundFetchError } from "./outbound-fetch-error";
import { safeFetch } from "./safe-fetch";

// Names under .rebind.test resolve to whatever `fakeDns` says, as a hostile DNS server would answer;
// every other name goes to the real resolver.
const fakeDns = vi.hoisted(() => new Map<string, LookupAddress[]>());
vi.mock("node:dns", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns")>();
  const lookup = (hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    const answer = fakeDns.get(hostname);
    if (!answer) return real.lookup(hostname, options as never, callback as never);
    process.nextTick(() => callback(null, answer));
  };
  return { ...real, default: { ...real, lookup }, lookup };
});

type Hit = { path: string; method: string; headers: IncomingHttpHeaders };

function startServer(hits: Hit[], handler: (path: string, res: import("node:http").ServerResponse) => void) {
  const server = createServer((req, res) => {
    hits.push({ path: req.url ?? "", method: req.method ?? "", headers: req.headers });
    handler(req.url ?? "", res);
  });
  return new Promise<Server>((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

const mainHits: Hit[] = [];
const otherHits: Hit[] = [];
let main: Server;
let other: Server;
let base: string;
let otherBase: string;

beforeAll(async () => {
  other = await startServer(otherHits, (_path, res) => res.end("other"));
  otherBase = `http://127.0.0.1:${portOf(other)}`;
  main = await startServer(mainHits, (path, res) => {
    if (path === "/ok") {
      res.setHeader("x-test", "yes");
      return res.end("hello");
    }
    if (path === "/to-ok") return res.writeHead(302, { location: "/ok" }).end();
    if (path === "/loop") return res.writeHead(302, { location: "/loop" }).end();
    if (path === "/see-other") return res.writeHead(303, { location: "/ok" }).end();
    if (path === "/to-other") return res.writeHead(307, { location: `${otherBase}/landed` }).end();
    if (path === "/to-unlisted") return res.writeHead(302, { location: "http://127.0.0.2:9/x" }).end();
    if (path === "/to-metadata") {
      return res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    }
    if (path === "/to-file") return res.writeHead(302, { location: "file:///etc/passwd" }).end();
    if (path === "/big") return res.end("x".repeat(20_000));
    if (path === "/big-chunked") {
      res.write("x".repeat(6_000));
      return res.end("x".repeat(6_000));
    }
    if (path === "/exact") return res.end("x".repeat(10_000));
    if (path === "/hang") return;
    if (path === "/hang-in-body") {
      res.write("partial");
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  base = `http://127.0.0.1:${portOf(main)}`;
});

afterAll(async () => {
  main.closeAllConnections();
  other.closeAllConnections();
  await Promise.all([new Promise((r) => main.close(r)), new Promise((r) => other.close(r))]);
});

beforeEach(() => {
  mainHits.length = 0;
  otherHits.length = 0;
  fakeDns.clear();
  vi.stubEnv(
    "OUTBOUND_ALLOWED_PRIVATE_HOSTS",
    `127.0.0.1:${portOf(main)},localhost:${portOf(main)},127.0.0.1:${portOf(other)}`,
  );
  resetEnvCache();
});

const limits = { maxBytes: 10_000, timeoutMs: 5_000, maxRedirects: 3 };

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundFetchError);
  return (error as OutboundFetchError).reason;
}

describe("safeFetch on the development allowlist", () => {
  it("fetches an allowlisted loopback host:port: status, headers, final URL and body", async () => {
    const response = await safeFetch({ url: `${base}/ok`, ...limits });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-test")).toBe("yes");
    expect(response.url).toBe(`${base}/ok`);
    expect(response.body.toString("utf8")).toBe("hello");
  });

  it("resolves an allowlisted host name through the guarded lookup", async () => {
    const response = await safeFetch({ url: `http://localhost:${portOf(main)}/ok`, ...limits });
    expect(response.body.toString("utf8")).toBe("hello");
  });

  it("refuses the same loopback address on a port that is not allowlisted", async () => {
    expect(await refusal(safeFetch({ url: "http://127.0.0.1:9/", ...limits }))).toBe("private_address");
  });
});

describe("safeFetch refuses unsafe URLs before connecting", () => {
  it.each([
    ["decimal", "http://2130706433/"],
    ["octal", "http://0177.0.0.1/"],
    ["hex", "http://0x7f.1/"],
    ["short", "http://127.1/"],
    ["IPv4-mapped IPv6", "http://[::ffff:127.0.0.1]/"],
    ["IPv6 loopback", "https://[::1]/"],
    ["cloud metadata (link-local)", "http://169.254.169.254/latest/meta-data/"],
    ["private 10/8", "https://10.0.0.1/"],
    ["private 192.168/16", "https://192.168.0.1/"],
    ["CGNAT", "https://100.64.0.1/"],
    ["unspecified", "https://0.0.0.0/"],
    ["unique-local IPv6", "https://[fd12::1]/"],
    ["NAT64 of loopback", "https://[64:ff9b::7f00:1]/"],
  ])("refuses the %s literal %s", async (_name, url) => {
    expect(await refusal(safeFetch({ url, ...limits }))).toBe("private_address");
  });

  it("refuses a host name that resolves to loopback when it is not allowlisted", async () => {
    // https, so the refusal can only come from the address check at connect time; 127.0.0.1 is
    // allowlisted on this port, but the name localhost is not.
    expect(await refusal(safeFetch({ url: `https://localhost:${portOf(other)}/`, ...limits }))).toBe(
      "private_address",
    );
    expect(otherHits).toHaveLength(0);
  });

  it("refuses a public-looking name whose DNS answer is private, at connect time", async () => {
    fakeDns.set("metadata.rebind.test", [{ address: "169.254.169.254", family: 4 }]);
    expect(await refusal(safeFetch({ url: "https://metadata.rebind.test/", ...limits }))).toBe(
      "private_address",
    );
  });

  it("refuses a name whose DNS answer mixes public and private addresses", async () => {
    fakeDns.set("mixed.rebind.test", [
      { address: "93.184.215.14", family: 4 },
      { address: "127.0.0.1", family: 4 },
    ]);
    expect(await refusal(safeFetch({ url: "https://mixed.rebind.test/", ...limits }))).toBe(
      "private_address",
    );
  });

  it.each([
    ["unsupported_scheme", "file:///etc/passwd"],
    ["unsupported_scheme", "ftp://example.com/file"],
    ["unsupported_scheme", "gopher://example.com/"],
    ["credentials_in_url", "https://user:secret@example.com/"],
    ["credentials_in_url", "https://user@example.com/"],
    ["https_required", "http://example.com/"],
    ["invalid_url", "not a url"],
    ["invalid_url", "/relative/path"],
  ])("refuses with %s: %s", async (reason, url) => {
    expect(await refusal(safeFetch({ url, ...limits }))).toBe(reason);
  });

  it("reports a name that does not resolve", async () => {
    expect(await refusal(safeFetch({ url: "https://no-such-host.invalid/", ...limits }))).toBe("dns_failure");
  });
});

describe("safeFetch redirects", () => {
  it("follows a redirect within the limit and reports the final URL", async () => {
    const response = await safeFetch({ url: `${base}/to-ok`, ...limits, maxRedirects: 1 });
    expect(response.body.toString("utf8")).toBe("hello");
    expect(response.url).toBe(`${base}/ok`);
  });

  it("refuses any redirect when maxRedirects is 0", async () => {
    expect(await refusal(safeFetch({ url: `${base}/to-ok`, ...limits, maxRedirects: 0 }))).toBe(
      "too_many_redirects",
    );
    expect(mainHits.map((hit) => hit.path)).toEqual(["/to-ok"]);
  });

  it("stops a redirect loop after maxRedirects", async () => {
    expect(await refusal(safeFetch({ url: `${base}/loop`, ...limits }))).toBe("too_many_redirects");
    expect(mainHits).toHaveLength(4);
  });

  it.each([
    ["/to-unlisted", "private_address"],
    ["/to-metadata", "private_address"],
    ["/to-file", "unsupported_scheme"],
  ])("checks every hop again: %s is refused with %s", async (path, reason) => {
    expect(await refusal(safeFetch({ url: `${base}${path}`, ...limits }))).toBe(reason);
  });

  it("drops Authorization and Cookie on a redirect to another origin", async () => {
    await safeFetch({
      url: `${base}/to-other`,
      headers: { Authorization: "Bearer x", Cookie: "a=b", Accept: "text/plain" },
      ...limits,
    });
    expect(otherHits).toHaveLength(1);
    expect(otherHits[0]?.headers.authorization).toBeUndefined();
    expect(otherHits[0]?.headers.cookie).toBeUndefined();
    expect(otherHits[0]?.headers.accept).toBe("text/plain");
  });

  it("keeps Authorization on a same-origin redirect", async () => {
    await safeFetch({ url: `${base}/to-ok`, headers: { Authorization: "Bearer x" }, ...limits });
    expect(mainHits[1]?.headers.authorization).toBe("Bearer x");
  });

  it("continues a POST answered with 303 as a GET without body", async () => {
    await safeFetch({
      url: `${base}/see-other`,
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
      ...limits,
    });
    expect(mainHits.map((hit) => hit.method)).toEqual(["POST", "GET"]);
    expect(mainHits[1]?.headers["content-type"]).toBeUndefined();
  });
});

describe("safeFetch limits", () => {
  it("refuses a body whose Content-Length exceeds maxBytes", async () => {
    expect(await refusal(safeFetch({ url: `${base}/big`, ...limits }))).toBe("response_too_large");
  });

  it("aborts a streamed body once it passes maxBytes", async () => {
    expect(await refusal(safeFetch({ url: `${base}/big-chunked`, ...limits }))).toBe("response_too_large");
  });

  it("accepts a body of exactly maxBytes", async () => {
    const response = await safeFetch({ url: `${base}/exact`, ...limits });
    expect(response.body).toHaveLength(10_000);
  });

  it("gives up after timeoutMs", async () => {
    expect(await refusal(safeFetch({ url: `${base}/hang`, ...limits, timeoutMs: 200 }))).toBe("timeout");
  });

  it("gives up on a body that stops arriving", async () => {
    expect(await refusal(safeFetch({ url: `${base}/hang-in-body`, ...limits, timeoutMs: 300 }))).toBe(
      "timeout",
    );
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    const pending = safeFetch({ url: `${base}/hang`, ...limits, signal: controller.signal });
    controller.abort();
    expect(await refusal(pending)).toBe("network_error");
  });

  it("carries a safe user message and no path or query in its log message", async () => {
    const error = await safeFetch({ url: "http://169.254.169.254/secret-path?token=abc", ...limits }).then(
      () => undefined,
      (e: unknown) => e as OutboundFetchError,
    );
    if (!error) throw new Error("expected a refusal");
    expect(error.userMessage).toMatch(/private network/);
    expect(error.message).not.toMatch(/secret-path|token=abc/);
    expect(error.status).toBe(400);
  });

  it("tells a user the same about an unknown host and a private one, so names cannot be probed", async () => {
    const outcome = (url: string) =>
      safeFetch({ url, ...limits }).then(
        () => undefined,
        (e: unknown) => e as OutboundFetchError,
      );
    fakeDns.set("intranet.rebind.test", [{ address: "10.0.0.7", family: 4 }]);
    const [unknown, internal] = await Promise.all([
      outcome("https://no-such-host.invalid/"),
      outcome("https://intranet.rebind.test/"),
    ]);
    expect([unknown?.reason, internal?.reason]).toEqual(["dns_failure", "private_address"]);
    expect(unknown?.userMessage).toBe(internal?.userMessage);
  });
});
