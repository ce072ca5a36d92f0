import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { ZAuthorizationQuery } from "../auth/authorize/authorization-request-schema";
import { ZClientMetadata } from "../auth/clients/client-metadata-schema";
import {
  getAuthorizationServerMetadata,
  ZAuthorizationServerMetadata,
} from "../auth/metadata/get-authorization-server-metadata";
import { ZProtectedResourceMetadata } from "../auth/metadata/get-protected-resource-metadata";
import { oauthErrorResponse } from "../auth/oauth-error-response";
import * as oauthErrors from "../auth/oauth-errors";
import { ZRevokeRequest, ZTokenRequest, ZTokenResponse } from "../auth/tokens/token-request-schemas";
import { ZTumikiClientMetadata } from "../backends/backend-schemas";
import { getTumikiClientMetadata } from "../backends/get-tumiki-client-metadata";
import { APP_ERROR_STATUS, AppError } from "../errors";
import { ZHealth } from "../health/check-health";
import { errorResponse } from "../http/with-route-errors";
import type { TCleanupResult } from "../jobs/cleanup/run-cleanup";
import { jsonRpcErrorResponse } from "../mcp/json-rpc-error-response";
import { ZJsonRpcNotification, ZJsonRpcRequest, ZJsonRpcResponse } from "../mcp/json-rpc-schemas";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { AUDIT_REASON_CODES } from "./audit-reason-codes";
import { buildOpenApiDocument } from "./build-openapi-document";
import { JSON_RPC_ERROR_CODES } from "./json-rpc-error-codes";
import { OAUTH_ERROR_CODES } from "./oauth-error-codes";
import {
  ZAppErrorBody,
  type ZCleanupResult,
  ZClientRegistrationResponse,
  ZJsonRpcErrorBody,
  ZOAuthErrorBody,
} from "./openapi-schemas";

// The API reference cannot drift from the code: its schemas are the routes' own zod schemas, its
// examples parse with them, every public route file under app/ is in it with the methods it exports,
// every status the proxy's refusals carry is documented, and every error code it lists is one the code
// has (and the other way round).

const SERVER_URL = "http://localhost:3000";
const document = buildOpenApiDocument({ serverUrl: SERVER_URL });
const ROOT = path.resolve(import.meta.dirname, "../..");

// biome-ignore lint/suspicious/noExplicitAny: the test walks a JSON document of any shape.
type TAny = Record<string, any>;
const schemas = document.components.schemas as TAny;
const paths = document.paths as TAny;

const jsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12" });
  return rest;
};

/** Follows one local $ref. */
const deref = (value: TAny): TAny => {
  if (typeof value?.$ref !== "string") return value;
  const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(value.$ref) ?? [];
  return (document.components as TAny)[kind as string][name as string];
};

/** Every value under `node` (depth first), to find examples and refs. */
function* walk(node: unknown): Generator<unknown> {
  yield node;
  if (node && typeof node === "object") for (const child of Object.values(node)) yield* walk(child);
}

/** Non-test TypeScript sources under a folder. */
function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter(
      (file) =>
        !file.includes(`${path.sep}generated${path.sep}`) && !file.includes(`${path.sep}openapi${path.sep}`),
    );
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document as TAny);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it("names APP_URL as its server", () => {
    expect(document.servers[0]?.url).toBe(SERVER_URL);
    expect(buildOpenApiDocument({ serverUrl: "https://mcp.example.com/" }).servers[0]?.url).toBe(
      "https://mcp.example.com",
    );
  });
});

describe("request schemas are the routes' zod schemas", () => {
  it("/oauth/token's form is ZTokenRequest (plus client authentication)", () => {
    const body = paths["/oauth/token"].post.requestBody.content["application/x-www-form-urlencoded"].schema;
    expect(deref(body.allOf[0])).toEqual(jsonSchema(ZTokenRequest, "input"));
    expect(deref(body.allOf[1]).properties).toHaveProperty("client_id");
    for (const [name, example] of Object.entries<TAny>(
      paths["/oauth/token"].post.requestBody.content["application/x-www-form-urlencoded"].examples,
    )) {
      expect(ZTokenRequest.safeParse(example.value).success, name).toBe(true);
    }
  });

  it("/oauth/revoke's form is ZRevokeRequest", () => {
    const body = paths["/oauth/revoke"].post.requestBody.content["application/x-www-form-urlencoded"].schema;
    expect(deref(body.allOf[0])).toEqual(jsonSchema(ZRevokeRequest, "input"));
  });

  it("/oauth/register's body is ZClientMetadata, and its example registers", () => {
    const content = paths["/oauth/register"].post.requestBody.content["application/json"];
    expect(deref(content.schema)).toEqual(jsonSchema(ZClientMetadata, "input"));
    expect(ZClientMetadata.safeParse(content.example).success).toBe(true);
  });

  it("/oauth/authorize's query parameters are ZAuthorizationQuery's fields", () => {
    const { properties } = jsonSchema(ZAuthorizationQuery, "input") as { properties: TAny };
    const parameters = paths["/oauth/authorize"].get.parameters as TAny[];
    expect(Object.fromEntries(parameters.map((p) => [p.name, p.schema]))).toEqual(properties);
    expect(parameters.every((p) => p.in === "query")).toBe(true);
  });

  it("/mcp/{instanceId} takes one JSON-RPC message, and its examples are messages", () => {
    const content = paths["/mcp/{instanceId}"].post.requestBody.content["application/json"];
    const message = deref(content.schema);
    expect(message.oneOf.map(deref)).toEqual([
      jsonSchema(ZJsonRpcRequest, "input"),
      jsonSchema(ZJsonRpcNotification, "input"),
      jsonSchema(ZJsonRpcResponse, "input"),
    ]);
    for (const [name, example] of Object.entries<TAny>(content.examples)) {
      const parsed = [ZJsonRpcRequest, ZJsonRpcNotification].some((s) => s.safeParse(example.value).success);
      expect(parsed, name).toBe(true);
    }
  });
});

describe("response schemas are the code's, and the examples are what the code answers", () => {
  const example = (route: string, method: string, status: string) =>
    paths[route][method].responses[status].content["application/json"];

  it("the RFC 8414 metadata example is exactly getAuthorizationServerMetadata()", () => {
    for (const route of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]) {
      const content = example(route, "get", "200");
      expect(deref(content.schema)).toEqual(jsonSchema(ZAuthorizationServerMetadata, "output"));
      expect(content.example).toEqual(getAuthorizationServerMetadata());
    }
  });

  it("Tumiki's client metadata document example is exactly getTumikiClientMetadata()", () => {
    const content = example("/oauth/client-metadata.json", "get", "200");
    expect(deref(content.schema)).toEqual(jsonSchema(ZTumikiClientMetadata, "output"));
    expect(content.example).toEqual(getTumikiClientMetadata());
  });

  it("the other success examples parse with their schemas", () => {
    const cases: [z.ZodObject, TAny][] = [
      [
        ZProtectedResourceMetadata,
        example("/.well-known/oauth-protected-resource/mcp/{instanceId}", "get", "200"),
      ],
      [ZTokenResponse, example("/oauth/token", "post", "200")],
      [ZClientRegistrationResponse, example("/oauth/register", "post", "201")],
      [ZHealth, example("/api/health", "get", "200")],
      [ZHealth, example("/api/health", "get", "503")],
    ];
    for (const [schema, content] of cases) {
      expect(deref(content.schema)).toEqual(jsonSchema(schema, "output"));
      expect(schema.strict().safeParse(content.example).error).toBeUndefined();
    }
  });

  it("the error bodies are what the serializers send", async () => {
    const oauth = await oauthErrorResponse(new oauthErrors.InvalidGrantError("The code has expired.")).json();
    expect(ZOAuthErrorBody.strict().parse(oauth)).toEqual(oauth);
    const unexpected = await oauthErrorResponse(new Error("boom")).json();
    expect(ZOAuthErrorBody.strict().parse(unexpected).error).toBe("server_error");
    const app = await errorResponse(new AppError("NOT_FOUND")).json();
    expect(ZAppErrorBody.strict().parse(app)).toEqual(app);
    expect(ZAppErrorBody.shape.error.shape.code.options).toEqual(Object.keys(APP_ERROR_STATUS));
    const rpc = await jsonRpcErrorResponse({ code: -32600, message: "Invalid Request", status: 400 }).json();
    expect(ZJsonRpcErrorBody.strict().parse(rpc)).toEqual(rpc);
  });

  it("every error example parses with its body schema", () => {
    const bodies: Record<string, z.ZodObject> = {
      "#/components/schemas/OAuthErrorBody": ZOAuthErrorBody,
      "#/components/schemas/AppErrorBody": ZAppErrorBody,
      "#/components/schemas/JsonRpcErrorBody": ZJsonRpcErrorBody,
    };
    let checked = 0;
    for (const node of walk(document.paths)) {
      const media = node as TAny;
      const schema = bodies[media?.schema?.$ref];
      if (!schema) continue;
      const values =
        media.example !== undefined
          ? [media.example]
          : Object.values<TAny>(media.examples ?? {}).map((e) => e.value);
      for (const value of values) {
        expect(schema.strict().safeParse(value).error, JSON.stringify(value)).toBeUndefined();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("the clean-up report schema has the shape of runCleanup's result (checked by the typecheck)", () => {
    expectTypeOf<z.infer<typeof ZCleanupResult>>().toEqualTypeOf<TCleanupResult>();
  });
});

describe("the error-code lists are the code's", () => {
  const errorClasses = (Object.values(oauthErrors) as unknown[]).filter(
    (value): value is new (description: string) => oauthErrors.OAuthError =>
      typeof value === "function" &&
      (value as { prototype: unknown }).prototype instanceof oauthErrors.OAuthError,
  );

  it("lists every OAuth error class with its status, and nothing else but server_error", () => {
    const thrown = errorClasses.map((ErrorClass) =>
      (ErrorClass as unknown) === oauthErrors.InsufficientScopeError
        ? new oauthErrors.InsufficientScopeError(["mcp:access:x"])
        : new ErrorClass("description"),
    );
    expect(thrown.length).toBeGreaterThan(10);
    for (const error of thrown) {
      expect(OAUTH_ERROR_CODES[error.error]?.status, error.error).toBe(error.status);
    }
    expect(Object.keys(OAUTH_ERROR_CODES).sort()).toEqual(
      [...new Set([...thrown.map((e) => e.error), "server_error"])].sort(),
    );
  });

  it("every OAuth error an example or the component shows is a listed code", () => {
    const listed = Object.keys(OAUTH_ERROR_CODES);
    const shown = (schemas.OAuthErrorCode.oneOf as TAny[]).map((entry) => entry.const);
    expect(shown).toEqual(listed);
    for (const node of walk(document.paths)) {
      const value = node as TAny;
      if (typeof value?.error === "string" && typeof value.error_description === "string") {
        expect(listed).toContain(value.error);
      }
    }
  });

  it("lists exactly the JSON-RPC codes of mcp-protocol.ts, and examples use only those", () => {
    const codes = Object.values(JSON_RPC_ERROR);
    expect(JSON_RPC_ERROR_CODES.map((entry) => entry.code)).toEqual(codes);
    expect((schemas.JsonRpcErrorCode.oneOf as TAny[]).map((entry) => entry.const)).toEqual(codes);
    let seen = 0;
    for (const node of walk(document.paths)) {
      const value = node as TAny;
      if (value?.jsonrpc === "2.0" && value.error) {
        expect(codes).toContain(value.error.code);
        seen += 1;
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it("lists every audit reason the code writes, and only reasons the code has", () => {
    const documented = AUDIT_REASON_CODES.flatMap((group) => Object.keys(group.reasons));
    expect(new Set(documented).size).toBe(documented.length);
    const sources = [...sourceFiles("server"), ...sourceFiles("app")].map((file) =>
      readFileSync(file, "utf8"),
    );
    // A `reason: "a" | "b"` type is not a write.
    const written = new Set(
      sources.flatMap((text) =>
        [...text.matchAll(/\breason: "([a-z0-9_]+)"(?!\s*\|)/g)].map((m) => m[1] ?? ""),
      ),
    );
    const missing = [...written].filter((reason) => !documented.includes(reason as string));
    expect(missing, "reasons written but not documented").toEqual([]);
    const all = sources.join("\n");
    const stale = documented.filter((reason) => !reason.includes("<") && !all.includes(`"${reason}"`));
    expect(stale, "documented reasons the code no longer has").toEqual([]);
  });
});

describe("every public route is documented", () => {
  // Route files that are not part of the public HTTP API, and why.
  const INTERNAL_ROUTES: Record<string, string> = {
    "/api/auth/{nextauth}": "the dashboard's own sign-in (next-auth)",
    "/api/trpc/{trpc}": "the dashboard's tRPC API",
    "/bench/floor": "the benchmark's baseline, 404 outside `npm run bench`",
    "/oauth/authorize/decision": "the consent page's own form post (CSRF-protected)",
    "/oauth/callback": "tier 2: where backends' authorization servers send the user's browser back",
    "/oauth/callback/{issuerKey}": "tier 2: as /oauth/callback, per backend issuer",
    "/docs/api": "the HTML page of this reference",
    "/docs/api/assets/{file}": "the reference page's scripts and stylesheet",
  };

  const routeFiles = readdirSync(path.join(ROOT, "app"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === "route.ts")
    .map((entry) => path.relative(path.join(ROOT, "app"), entry.parentPath));

  const toOpenApiPath = (dir: string) =>
    `/${dir
      .split(path.sep)
      .filter((segment) => !/^\(.*\)$/.test(segment))
      .map((segment) => segment.replace(/^\[(?:\.\.\.)?(.+)\]$/, "{$1}"))
      .join("/")}`;

  const exportedMethods = (dir: string) => {
    const text = readFileSync(path.join(ROOT, "app", dir, "route.ts"), "utf8");
    const names = [
      ...[
        ...text.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE|OPTIONS)\b/g),
      ].map((m) => m[1] ?? ""),
      ...[...text.matchAll(/export (?:const )?\{([^}]*)\}/g)].flatMap((m) =>
        (m[1] as string).split(",").map(
          (name) =>
            name
              .trim()
              .split(/\s+as\s+/)
              .pop() as string,
        ),
      ),
    ];
    return names
      .filter((name) => /^(GET|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(name))
      .map((name) => name.toLowerCase())
      .sort();
  };

  it("finds the route files", () => {
    expect(routeFiles.map(toOpenApiPath)).toContain("/mcp/{instanceId}");
    expect(routeFiles.length).toBeGreaterThan(15);
  });

  it("documents every route file under app/ except the internal ones, with the methods it exports", () => {
    const publicRoutes = routeFiles.filter((dir) => !(toOpenApiPath(dir) in INTERNAL_ROUTES));
    const undocumented = publicRoutes.map(toOpenApiPath).filter((route) => !(route in paths));
    expect(undocumented).toEqual([]);
    for (const dir of publicRoutes) {
      const documented = Object.keys(paths[toOpenApiPath(dir)])
        .filter((key) => key !== "parameters")
        .sort();
      expect(documented, toOpenApiPath(dir)).toEqual(exportedMethods(dir));
    }
  });

  it("documents no path that has no route file", () => {
    const existing = new Set(routeFiles.map(toOpenApiPath));
    expect(Object.keys(paths).filter((route) => !existing.has(route))).toEqual([]);
  });

  it("documents every HTTP status /mcp/{instanceId}'s refusals carry", () => {
    const documented = new Set(
      ["post", "get", "delete"].flatMap((method) =>
        Object.keys(paths["/mcp/{instanceId}"][method].responses),
      ),
    );
    const sources = sourceFiles("server/mcp").map((file) => readFileSync(file, "utf8"));
    const codes = new Set(
      sources.flatMap((text) =>
        [...text.matchAll(/new McpRequestError\(\s*"([A-Z_]+)"/g)].map((m) => m[1] ?? ""),
      ),
    );
    expect(codes.size).toBeGreaterThan(5);
    for (const code of codes) {
      expect([...documented], code).toContain(
        String(APP_ERROR_STATUS[code as keyof typeof APP_ERROR_STATUS]),
      );
    }
    // The wrapper's own: authentication, the per-user limit, unexpected errors, outages.
    for (const status of ["200", "202", "204", "401", "403", "429", "500", "503"]) {
      expect([...documented]).toContain(status);
    }
  });
});
