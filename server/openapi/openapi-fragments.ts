// Pieces the path builders share: references into the document's components and the answers several
// operations give alike. Everything here is plain OpenAPI 3.1 objects.

export type TOpenApiObject = Record<string, unknown>;

export const ref = (kind: "schemas" | "responses" | "parameters" | "headers", name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

/** An OAuth error answer (RFC 6749 §5.2 body) with one example per code it may carry. */
export function oauthErrorResponse(
  description: string,
  examples: Record<string, string>,
  headers: TOpenApiObject = {},
): TOpenApiObject {
  return {
    description,
    headers: { "Cache-Control": ref("headers", "NoStore"), ...headers },
    content: {
      "application/json": {
        schema: ref("schemas", "OAuthErrorBody"),
        examples: Object.fromEntries(
          Object.entries(examples).map(([error, error_description]) => [
            error,
            { value: { error, error_description } },
          ]),
        ),
      },
    },
  };
}

/** A JSON-RPC error answer of /mcp/{instanceId} with its examples (code → message). */
export function jsonRpcErrorResponse(
  description: string,
  examples: Record<string, { code: number; message: string; data?: unknown }>,
  headers: TOpenApiObject = {},
): TOpenApiObject {
  return {
    description,
    headers,
    content: {
      "application/json": {
        schema: ref("schemas", "JsonRpcErrorBody"),
        examples: Object.fromEntries(
          Object.entries(examples).map(([name, error]) => [
            name,
            { value: { jsonrpc: "2.0", id: null, error } },
          ]),
        ),
      },
    },
  };
}

/** The `{ "error": { "code", "message" } }` answer of the plain JSON routes. */
export function appErrorResponse(description: string, code: string, message: string): TOpenApiObject {
  return {
    description,
    content: {
      "application/json": {
        schema: ref("schemas", "AppErrorBody"),
        example: { error: { code, message } },
      },
    },
  };
}

export const jsonContent = (schema: TOpenApiObject, example?: unknown): TOpenApiObject => ({
  "application/json": { schema, ...(example === undefined ? {} : { example }) },
});
