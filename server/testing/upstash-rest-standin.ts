import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { z } from "zod";
import { adaptLuaScript } from "../redis/adapt-lua-script";

// Upstash is a SaaS and cannot run here, so tests talk to this stand-in through the real
// @upstash/redis client. It speaks the REST protocol that client uses (checked against
// @upstash/redis 1.39's dist): POST / with one command as a JSON array, POST /pipeline and
// /multi-exec with an array of commands, `Authorization: Bearer <token>`, `{ result }` or
// `{ error }` bodies, and base64-encoded string results when the client sends
// `Upstash-Encoding: base64` (its default). Commands run on a real Redis, so behaviour is Redis's.
// Like Upstash, it accepts @upstash/ratelimit's `#!lua flags=…` scripts on Redis 7.0 and answers
// EVALSHA for the sha of the original script. Nested replies (XRANGE's [[id, [field, value]]]) are
// encoded element by element, as the client decodes them.
// Pub/sub as the client's subscribe() uses it: POST /subscribe/<channel> with
// `Accept: text/event-stream` opens a stream on its own Redis connection; the stream sends
// `data: subscribe,<channel>,<count>` once Redis has confirmed, then `data: message,<channel>,<payload>`
// per message, and ends when the client aborts (its unsubscribe) or the stand-in closes.

const ZArg = z.union([z.string(), z.number(), z.boolean()]);
const ZCommand = z.array(ZArg).min(1);
const ZCommands = z.array(ZCommand).min(1);

type Command = z.infer<typeof ZCommand>;
type Reply = { result: unknown } | { error: string };

export type UpstashStandin = { url: string; close: () => Promise<void> };

const encodeBase64 = (value: unknown): unknown => {
  if (typeof value === "string") return Buffer.from(value, "utf8").toString("base64");
  if (Array.isArray(value)) return value.map(encodeBase64);
  return value;
};

// The client leaves a bare top-level "OK" undecoded (Upstash sends status replies as is).
const encodeResult = (result: unknown): unknown => (result === "OK" ? result : encodeBase64(result));

const readBody = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
};

const send = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
};

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

const SUBSCRIBE_PATH = /^\/subscribe\/(.+)$/;

export async function startUpstashStandin(options: {
  redisUrl: string;
  token: string;
}): Promise<UpstashStandin> {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  const localShas = new Map<string, string>();
  const subscriptions = new Set<Redis>();

  // Rewrites the script-bearing commands for Redis 7.0; everything else is passed through.
  const toRedisArgs = ([name, ...args]: Command): [string, (string | number)[]] => {
    const command = String(name).toUpperCase();
    const rest = args.map((arg) => (typeof arg === "boolean" ? String(arg) : arg));
    if ((command === "EVAL" || command === "EVAL_RO") && typeof rest[0] === "string") {
      const adapted = adaptLuaScript(rest[0]);
      localShas.set(adapted.clientSha, adapted.localSha);
      return [command, [adapted.body, ...rest.slice(1)]];
    }
    if ((command === "EVALSHA" || command === "EVALSHA_RO") && typeof rest[0] === "string") {
      return [command, [localShas.get(rest[0]) ?? rest[0], ...rest.slice(1)]];
    }
    return [command, rest];
  };

  const run = async (command: Command): Promise<Reply> => {
    const [name, args] = toRedisArgs(command);
    if (name === "SCRIPT" && String(args[0]).toUpperCase() === "LOAD" && typeof args[1] === "string") {
      const adapted = adaptLuaScript(args[1]);
      try {
        await redis.call("SCRIPT", ["LOAD", adapted.body]);
      } catch (error) {
        return { error: errorMessage(error) };
      }
      localShas.set(adapted.clientSha, adapted.localSha);
      return { result: adapted.clientSha };
    }
    try {
      return { result: await redis.call(name, args) };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  };

  // A pipeline is ordered but not atomic: one command after the other on the shared connection.
  const runPipeline = async (commands: Command[]): Promise<Reply[]> => {
    const replies: Reply[] = [];
    for (const command of commands) replies.push(await run(command));
    return replies;
  };

  const runTransaction = async (commands: Command[]): Promise<Reply[]> => {
    const transaction = redis.multi();
    for (const command of commands) {
      const [name, args] = toRedisArgs(command);
      transaction.call(name, args);
    }
    const results = await transaction.exec();
    if (!results) throw new Error("EXECABORT Transaction discarded");
    return results.map(([error, result]) => (error ? { error: errorMessage(error) } : { result }));
  };

  // One Redis connection per stream, as each stream is its own subscription on Upstash.
  const openSubscription = async (channel: string, response: ServerResponse) => {
    const subscriber = redis.duplicate();
    // A failed SUBSCRIBE is answered below; after that, ioredis reconnects and re-subscribes by itself.
    subscriber.on("error", () => undefined);
    subscriptions.add(subscriber);
    const end = () => {
      subscriptions.delete(subscriber);
      subscriber.disconnect();
    };
    response.on("close", end);
    // A message that lands between Redis's confirmation and the `subscribe` line is dropped: the
    // client does not count itself subscribed before that line either.
    subscriber.on("message", (from: string, message: string) => {
      if (response.headersSent) response.write(`data: message,${from},${message}\n\n`);
    });
    let count: unknown;
    try {
      count = await subscriber.subscribe(channel);
    } catch (error) {
      end();
      send(response, 400, { error: errorMessage(error) });
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    response.write(`data: subscribe,${channel},${String(count)}\n\n`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      send(response, 401, { error: "Unauthorized" });
      return;
    }
    if (request.method !== "POST") {
      send(response, 405, { error: "Method not allowed" });
      return;
    }
    const base64 = request.headers["upstash-encoding"] === "base64";
    const encode = (reply: Reply): Reply =>
      "result" in reply && base64 ? { result: encodeResult(reply.result) } : reply;
    const path = new URL(request.url ?? "/", "http://standin").pathname;
    let body: unknown;
    try {
      body = await readBody(request);
    } catch {
      send(response, 400, { error: "ERR failed to parse the request body as JSON" });
      return;
    }

    if (path === "/") {
      const command = ZCommand.safeParse(body);
      if (!command.success) {
        send(response, 400, { error: "ERR the request body must be a command array" });
        return;
      }
      const reply = await run(command.data);
      send(response, "error" in reply ? 400 : 200, encode(reply));
      return;
    }
    const subscribe = SUBSCRIBE_PATH.exec(path);
    if (subscribe?.[1] && request.headers.accept === "text/event-stream") {
      await openSubscription(decodeURIComponent(subscribe[1]), response);
      return;
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      const commands = ZCommands.safeParse(body);
      if (!commands.success) {
        send(response, 400, { error: "ERR the request body must be an array of command arrays" });
        return;
      }
      try {
        const replies =
          path === "/pipeline" ? await runPipeline(commands.data) : await runTransaction(commands.data);
        send(response, 200, replies.map(encode));
      } catch (error) {
        send(response, 400, { error: errorMessage(error) });
      }
      return;
    }
    send(response, 404, { error: "Not found" });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, { error: errorMessage(error) }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      // The client keeps connections alive; drop them so close() does not wait for their timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      for (const subscriber of subscriptions) subscriber.disconnect();
      await redis.quit();
    },
  };
}
