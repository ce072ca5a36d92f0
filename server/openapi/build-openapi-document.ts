import { ZClientMetadata } from "../auth/clients/client-metadata-schema";
import { ZAuthorizationServerMetadata } from "../auth/metadata/get-authorization-server-metadata";
import { ZProtectedResourceMetadata } from "../auth/metadata/get-protected-resource-metadata";
import { ZRevokeRequest, ZTokenRequest, ZTokenResponse } from "../auth/tokens/token-request-schemas";
import { ZTumikiClientMetadata } from "../backends/backend-schemas";
import { ZHealth } from "../health/check-health";
import { ZJsonRpcNotification, ZJsonRpcRequest, ZJsonRpcResponse } from "../mcp/json-rpc-schemas";
import {
  LAST_EVENT_ID_HEADER,
  MCP_METHOD_HEADER,
  MCP_NAME_HEADER,
  MCP_PROTOCOL_VERSION_HEADER,
  MCP_SESSION_HEADER,
  MODERN_PROTOCOL_VERSIONS,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "../protocol/mcp-protocol";
import {
  ZApproveToolChangeInput,
  ZSetInstanceToolOptionsInput,
  ZSetServerToolSelectionInput,
  ZSetToolConfirmationInput,
} from "../tool-controls/tool-control-schemas";
import { AUDIT_REASON_CODES } from "./audit-reason-codes";
import { buildDiscoveryPaths } from "./build-discovery-paths";
import { buildMcpPaths } from "./build-mcp-paths";
import { buildOAuthPaths } from "./build-oauth-paths";
import { buildOperationsPaths } from "./build-operations-paths";
import { JSON_RPC_ERROR_CODES } from "./json-rpc-error-codes";
import { jsonSchemaOf } from "./json-schema-of";
import { OAUTH_ERROR_CODES } from "./oauth-error-codes";
import type { TOpenApiObject } from "./openapi-fragments";
import {
  ZAppErrorBody,
  ZCleanupResult,
  ZClientRegistrationResponse,
  ZJsonRpcErrorBody,
  ZOAuthErrorBody,
} from "./openapi-schemas";

// The OpenAPI 3.1 document of Tumiki's HTTP API, served at /api/openapi.json and browsed at /docs/api.
// Request schemas are the zod schemas the routes parse with and response schemas those the code builds
// its answers from, converted here, so the document cannot say something else than the code (the test
// compares both and walks app/ for routes the document misses). The error-code lists come from the
// code's own catalogues.

export type TOpenApiDocument = {
  openapi: "3.1.0";
  info: TOpenApiObject;
  servers: { url: string; description: string }[];
  tags: TOpenApiObject[];
  paths: Record<string, TOpenApiObject>;
  components: TOpenApiObject;
  "x-error-codes": TOpenApiObject;
};

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function describeErrorCodes(): string {
  const oauth = Object.entries(OAUTH_ERROR_CODES)
    .map(([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${escapeCell(meaning)} |`)
    .join("\n");
  const jsonRpc = JSON_RPC_ERROR_CODES.map(
    ({ code, name, httpStatus, meaning }) =>
      `| ${code} | ${name} | ${escapeCell(httpStatus)} | ${escapeCell(meaning)} |`,
  ).join("\n");
  const audit = AUDIT_REASON_CODES.map(
    ({ group, reasons }) =>
      `**${group}**\n\n| Reason | Meaning |\n|---|---|\n${Object.entries(reasons)
        .map(([reason, meaning]) => `| \`${escapeCell(reason)}\` | ${escapeCell(meaning)} |`)
        .join("\n")}`,
  ).join("\n\n");
  // Folded, so the operations stay near the top of /docs/api; the lists are long.
  const section = (title: string, body: string) =>
    `<details><summary><strong>${title}</strong></summary>\n\n${body}\n\n</details>`;
  return [
    "## Error codes",
    section(
      "OAuth errors",
      "The `error` of `/oauth/*` answers (JSON body `{ error, error_description }`) and of the " +
        "`WWW-Authenticate` challenges of `/mcp/{instanceId}`. A 429 carries `temporarily_unavailable` with " +
        "`Retry-After`.\n\n| Error | Status | Meaning |\n|---|---|---|\n" +
        oauth,
    ),
    section(
      "JSON-RPC errors of /mcp/{instanceId}",
      `| Code | Name | HTTP status | Meaning |\n|---|---|---|---|\n${jsonRpc}`,
    ),
    section(
      "Audit log reasons",
      "The `reason` column of the audit log (the dashboard's Audit page) for refused and failed events.\n\n" +
        audit,
    ),
  ].join("\n\n");
}

const headerParameter = (name: string, description: string, schema: TOpenApiObject = { type: "string" }) => ({
  name,
  in: "header",
  required: false,
  description,
  schema,
});

function buildComponents(): TOpenApiObject {
  return {
    securitySchemes: {
      mcpBearer: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT or API key",
        description:
          "A Tumiki access token for this instance (ES256 JWT, `aud` = the instance URL) from /oauth/token, an API " +
          "key created on the API keys page, or, in external IdP mode, a token of the configured issuer. Header only. " +
          "Its scopes: `mcp:access:*` (every server of the instance), `mcp:access:<server-slug>` (one server: its " +
          "tools, prompts and resources) or `mcp:access:<server-slug>:<tool>` (one tool of one server, nothing else " +
          "of it). Segments match exactly; the instance's tool filter applies as well.",
      },
      clientSecretBasic: {
        type: "http",
        scheme: "basic",
        description: "`client_secret_basic`: the form-url-encoded client_id and client_secret.",
      },
      metricsToken: { type: "http", scheme: "bearer", description: "The METRICS_TOKEN of the deployment." },
      cronSecret: { type: "http", scheme: "bearer", description: "The CRON_SECRET of the deployment." },
    },
    schemas: {
      ClientRegistrationRequest: jsonSchemaOf(ZClientMetadata, "input"),
      ClientRegistrationResponse: jsonSchemaOf(ZClientRegistrationResponse, "output"),
      TokenRequest: jsonSchemaOf(ZTokenRequest, "input"),
      RevokeRequest: jsonSchemaOf(ZRevokeRequest, "input"),
      // authenticate-token-client.ts reads these two fields from any form, beside the grant's own.
      ClientAuthenticationForm: {
        type: "object",
        properties: {
          client_id: { type: "string", description: "`none` and `client_secret_post`: the client's id." },
          client_secret: { type: "string", description: "`client_secret_post` only." },
        },
      },
      TokenResponse: jsonSchemaOf(ZTokenResponse, "output"),
      TumikiClientMetadata: jsonSchemaOf(ZTumikiClientMetadata, "output"),
      AuthorizationServerMetadata: jsonSchemaOf(ZAuthorizationServerMetadata, "output"),
      ProtectedResourceMetadata: jsonSchemaOf(ZProtectedResourceMetadata, "output"),
      Jwks: {
        type: "object",
        required: ["keys"],
        properties: {
          keys: { type: "array", items: { type: "object", description: "A public JWK (RFC 7517)." } },
        },
      },
      JsonRpcRequest: jsonSchemaOf(ZJsonRpcRequest, "input"),
      JsonRpcNotification: jsonSchemaOf(ZJsonRpcNotification, "input"),
      JsonRpcResponse: jsonSchemaOf(ZJsonRpcResponse, "input"),
      JsonRpcMessage: {
        oneOf: [
          { $ref: "#/components/schemas/JsonRpcRequest" },
          { $ref: "#/components/schemas/JsonRpcNotification" },
          { $ref: "#/components/schemas/JsonRpcResponse" },
        ],
      },
      // The tool controls an instance's owner sets on its page (the dashboard's procedures take these);
      // /mcp/{instanceId} applies them.
      ServerToolSelectionSettings: jsonSchemaOf(ZSetServerToolSelectionInput, "input"),
      InstanceToolOptions: jsonSchemaOf(ZSetInstanceToolOptionsInput, "input"),
      ToolConfirmationSetting: jsonSchemaOf(ZSetToolConfirmationInput, "input"),
      ToolChangeApproval: jsonSchemaOf(ZApproveToolChangeInput, "input"),
      Health: jsonSchemaOf(ZHealth, "output"),
      CleanupResult: jsonSchemaOf(ZCleanupResult, "output"),
      OAuthErrorBody: jsonSchemaOf(ZOAuthErrorBody, "output"),
      AppErrorBody: jsonSchemaOf(ZAppErrorBody, "output"),
      JsonRpcErrorBody: jsonSchemaOf(ZJsonRpcErrorBody, "output"),
      OAuthErrorCode: {
        description: "The OAuth error codes Tumiki answers.",
        oneOf: Object.entries(OAUTH_ERROR_CODES).map(([code, { meaning }]) => ({
          const: code,
          description: meaning,
        })),
      },
      JsonRpcErrorCode: {
        description: "The JSON-RPC error codes of /mcp/{instanceId}.",
        oneOf: JSON_RPC_ERROR_CODES.map(({ code, name, meaning }) => ({
          const: code,
          title: name,
          description: meaning,
        })),
      },
    },
    parameters: {
      InstanceId: {
        name: "instanceId",
        in: "path",
        required: true,
        description: "The instance's id (a UUID), as in the URL the Instances page shows.",
        schema: { type: "string", format: "uuid" },
      },
      McpSessionId: headerParameter(
        "Mcp-Session-Id",
        `2025 sessions: the id \`initialize\` answered; required on every later request, GET and DELETE. Ignored for 2026-07-28 requests. (\`${MCP_SESSION_HEADER}\`)`,
      ),
      McpProtocolVersion: headerParameter(
        "MCP-Protocol-Version",
        `2025: the negotiated version (${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}; absent means 2025-03-26). 2026-07-28: required, equal to \`_meta\`'s protocolVersion. (\`${MCP_PROTOCOL_VERSION_HEADER}\`)`,
        { type: "string", enum: [...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS] },
      ),
      McpMethod: headerParameter(
        "Mcp-Method",
        `2026-07-28: required, the body's method. (\`${MCP_METHOD_HEADER}\`)`,
      ),
      McpName: headerParameter(
        "Mcp-Name",
        `2026-07-28: required for tools/call and prompts/get (params.name) and resources/read (params.uri). (\`${MCP_NAME_HEADER}\`)`,
      ),
      LastEventId: headerParameter(
        "Last-Event-ID",
        `Resume a dropped SSE stream after this event id. (\`${LAST_EVENT_ID_HEADER}\`)`,
      ),
      Origin: headerParameter(
        "Origin",
        "Sent by browsers. When present it must be APP_URL's origin or one in MCP_ALLOWED_ORIGINS (else 403).",
      ),
    },
    headers: {
      NoStore: { description: "Never cached.", schema: { type: "string", const: "no-store" } },
      RetryAfter: {
        description: "Seconds to wait before retrying (at least 1).",
        schema: { type: "integer", minimum: 1 },
      },
      RateLimitLimit: { description: "Requests allowed in the window.", schema: { type: "integer" } },
      RateLimitRemaining: { description: "Requests left in the window.", schema: { type: "integer" } },
      RateLimitReset: { description: "Seconds until the window resets.", schema: { type: "integer" } },
    },
  };
}

export function buildOpenApiDocument({ serverUrl }: { serverUrl: string }): TOpenApiDocument {
  const base = serverUrl.replace(/\/+$/, "");
  return {
    openapi: "3.1.0",
    info: {
      title: "Tumiki HTTP API",
      version: "1.0.0",
      summary:
        "An MCP gateway: OAuth 2.1 authorization server, MCP endpoint per instance, operations endpoints.",
      description:
        "Tumiki is an MCP gateway. AI clients connect to one URL per instance, `/mcp/{instanceId}`, discover " +
        "Tumiki's authorization server from the 401's `WWW-Authenticate` (RFC 9728), register (Client ID Metadata " +
        "Document, or DCR), send the user through sign-in and consent (authorization code + PKCE), and call the " +
        "instance's tools with the access token. Tumiki calls the backend MCP servers with the user's own backend " +
        "tokens, which a client never sees.\n\nThe user guide is in the repository's `docs/` folder.\n\n" +
        describeErrorCodes(),
    },
    servers: [{ url: base, description: "This deployment (APP_URL)" }],
    tags: [
      {
        name: "MCP",
        description: "The MCP endpoint of an instance (Streamable HTTP, 2026-07-28 and 2025-era).",
      },
      { name: "OAuth", description: "Tumiki's OAuth 2.1 authorization server (tier 1)." },
      { name: "Discovery", description: "Metadata documents clients read to find and trust Tumiki." },
      { name: "Operations", description: "Health, metrics, jobs and this document." },
    ],
    paths: {
      ...buildMcpPaths({ serverUrl: base }),
      ...buildOAuthPaths({ serverUrl: base }),
      ...buildDiscoveryPaths({ serverUrl: base }),
      ...buildOperationsPaths(),
    },
    components: buildComponents(),
    "x-error-codes": {
      oauth: Object.entries(OAUTH_ERROR_CODES).map(([error, entry]) => ({ error, ...entry })),
      jsonRpc: JSON_RPC_ERROR_CODES,
      auditReasons: AUDIT_REASON_CODES,
    },
  };
}
