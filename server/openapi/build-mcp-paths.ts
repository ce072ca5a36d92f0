import { JSON_RPC_ERROR, LATEST_VERSION, META, MODERN_VERSION } from "../protocol/mcp-protocol";
import { jsonRpcErrorResponse, oauthErrorResponse, ref, type TOpenApiObject } from "./openapi-fragments";

// /mcp/{instanceId}: the MCP endpoint of one instance (Streamable HTTP), both protocol eras on one URL.
// The statuses are those withMcpAuth, handle-mcp-post.ts, handle-mcp-get.ts and end-mcp-session.ts
// answer with; the JSON-RPC codes are server/protocol/mcp-protocol.ts's.

const INSTANCE_ID = "3f2a9c4e-8b1d-4c6a-9e2f-7a5b1c3d4e6f";
const E = JSON_RPC_ERROR;

const rateLimitHeaders = {
  "Retry-After": ref("headers", "RetryAfter"),
  "RateLimit-Limit": ref("headers", "RateLimitLimit"),
  "RateLimit-Remaining": ref("headers", "RateLimitRemaining"),
  "RateLimit-Reset": ref("headers", "RateLimitReset"),
};

const challenge = (serverUrl: string, error: string, description: string, scope: string) => ({
  schema: { type: "string" },
  example:
    `Bearer error="${error}", error_description="${description}", scope="${scope}", ` +
    `resource_metadata="${serverUrl}/.well-known/oauth-protected-resource/mcp/${INSTANCE_ID}"`,
});

function commonResponses(serverUrl: string): Record<string, TOpenApiObject> {
  return {
    "401": oauthErrorResponse(
      "No credential, or one that is not valid for this instance (expired, revoked, another instance's, " +
        "another user's). A request without any credential gets the bare challenge, with no error code. " +
        "The client discovers Tumiki's authorization server from `resource_metadata` and authorizes.",
      { invalid_token: "The access token has expired." },
      {
        "WWW-Authenticate": challenge(
          serverUrl,
          "invalid_token",
          "The access token has expired.",
          "mcp:access:*",
        ),
      },
    ),
    "403": {
      description:
        "A foreign `Origin` (JSON-RPC -32000; a browser page on another origin, DNS rebinding), or a token " +
        "without the scope of the server a call is for, or of the tool a token holding tool scopes calls " +
        "(OAuth `insufficient_scope`, with the challenge).",
      headers: {
        "WWW-Authenticate": challenge(
          serverUrl,
          "insufficient_scope",
          "This request needs the scope mcp:access:linear.",
          "mcp:access:linear",
        ),
      },
      content: {
        "application/json": {
          schema: { oneOf: [ref("schemas", "JsonRpcErrorBody"), ref("schemas", "OAuthErrorBody")] },
          examples: {
            origin: {
              value: {
                jsonrpc: "2.0",
                id: null,
                error: {
                  code: E.transportError,
                  message: "Forbidden: requests from this Origin are not allowed.",
                },
              },
            },
            insufficient_scope: {
              value: {
                error: "insufficient_scope",
                error_description: "This request needs the scope mcp:access:linear.",
              },
            },
          },
        },
      },
    },
    "429": jsonRpcErrorResponse(
      "The user's request limit (per hour; operators can raise it per user) or the limit of open streams.",
      {
        requests: {
          code: E.transportError,
          message: "Too many requests for this user. Retry after the time in Retry-After.",
        },
        streams: {
          code: E.transportError,
          message:
            "Too many open streams: a user may keep 20 open at once. Close one (or wait a minute for streams that broke) and try again.",
        },
      },
      rateLimitHeaders,
    ),
    "500": jsonRpcErrorResponse("Unexpected error; nothing internal is revealed.", {
      internal: { code: E.internalError, message: "Something went wrong on our side. Try again later." },
    }),
    "503": {
      description:
        "Tumiki's session store (Redis) or another dependency is unavailable. Authentication failures of this " +
        "kind come as OAuth `temporarily_unavailable` with `Retry-After`.",
      content: {
        "application/json": {
          schema: { oneOf: [ref("schemas", "JsonRpcErrorBody"), ref("schemas", "OAuthErrorBody")] },
          example: {
            jsonrpc: "2.0",
            id: null,
            error: {
              code: E.internalError,
              message: "Tumiki's session store is unavailable. Try again shortly.",
            },
          },
        },
      },
    },
  };
}

const notFound = jsonRpcErrorResponse(
  "The session is unknown or expired (start a new one with `initialize`), or, for 2026-07-28, an unknown " +
    "method. A path that is not an instance id answers `{ error: { code: NOT_FOUND } }`.",
  {
    session: { code: E.sessionNotFound, message: "Session not found: start a new one with initialize." },
    method: { code: E.methodNotFound, message: "Method not found: tools/unknown" },
  },
);

const sseStream = {
  schema: {
    type: "string",
    description:
      "Server-Sent Events: each `data:` is one JSON-RPC message (notifications, requests relayed from backends, " +
      "and the final response). Events carry ids; a 2025 client that drops the stream resumes it with GET and " +
      "`Last-Event-ID`.",
  },
  example: 'id: c.4f…:1\nevent: message\ndata: {"jsonrpc":"2.0","id":2,"result":{"content":[]}}\n\n',
};

export function buildMcpPaths({ serverUrl }: { serverUrl: string }): Record<string, TOpenApiObject> {
  const common = commonResponses(serverUrl);
  const methodNotAllowed = (method: string) =>
    jsonRpcErrorResponse(
      `2026-07-28 has no sessions: ${method} without Mcp-Session-Id is not allowed.`,
      {
        noSession: {
          code: E.transportError,
          message: `Method Not Allowed: ${method} ${method === "GET" ? "opens a 2025 session's stream" : "ends a 2025 session"} and needs its Mcp-Session-Id${method === "GET" ? "; use POST" : ""}.`,
        },
      },
      { Allow: { schema: { type: "string" }, example: "POST, GET, DELETE" } },
    );

  return {
    "/mcp/{instanceId}": {
      parameters: [ref("parameters", "InstanceId")],
      post: {
        tags: ["MCP"],
        operationId: "postMcpMessage",
        summary: "Send one JSON-RPC message (both protocol eras)",
        description:
          "One JSON-RPC 2.0 message per request (no batches), at most 1 MiB.\n\n" +
          `**${MODERN_VERSION} (stateless):** every request carries \`params._meta["${META.protocolVersion}"]\` and ` +
          `\`["${META.clientCapabilities}"]\`, and the headers \`MCP-Protocol-Version\`, \`Mcp-Method\` and, for ` +
          "`tools/call`, `prompts/get` and `resources/read`, `Mcp-Name`; they must agree with the body. No session, " +
          "no `initialize` (`server/discover` describes the server).\n\n" +
          `**2025-era (${LATEST_VERSION} and earlier):** \`initialize\` (without Mcp-Session-Id) starts a session ` +
          "and answers its id in `Mcp-Session-Id`; every later message carries it (and `MCP-Protocol-Version`). " +
          "Notifications and the client's answers to relayed requests are accepted with 202.\n\n" +
          "Tumiki answers `initialize` and lists itself, aggregated from the instance's servers and filtered by " +
          "the token's scopes (names are `<server-slug>__<name>` when the instance bundles several servers; servers " +
          'that could not be asked are named in `_meta["tumiki/unavailableServers"]` with the reason), and ' +
          "routes calls to the server that owns the tool, prompt or resource. Refusals of a well-formed 2025 " +
          "request (unknown tool, bad params) come as 200 with a JSON-RPC error; a backend that fails gives a tool " +
          "result with `isError` (tools/call) or -32010; a backend grant that must be renewed by the user gives " +
          "-32042 with the reconnect URL (or a tool result carrying it).\n\n" +
          "**Tool controls** (set by the instance's owner on its page, `/instances/{instanceId}#tools`; shapes in " +
          "`ServerToolSelectionSettings`, `InstanceToolOptions`, `ToolConfirmationSetting` and `ToolChangeApproval`): " +
          "per server, all tools, chosen tools or read-only tools only, and whether tools the server adds later are " +
          "included or held until chosen. A tool the instance leaves out is absent from `tools/list` (and from " +
          "list-changed notifications), and a call of it is answered exactly like a tool that does not exist " +
          "(-32602 `Unknown tool: <name>`, example `hiddenTool`). A tool whose description, schema or annotations " +
          "changed since it was approved (pinned definitions) is left out of lists until the owner approves the " +
          'change; a call of it gets a tool error with `_meta["tumiki/error"].error = "tool_changed"` and the ' +
          "`reviewUrl` (example `toolChanged`). Tools that need the user's confirmation (the instance's destructive " +
          "tools, or tools chosen by hand) are asked about through elicitation (form mode on 2025-11-25 clients that " +
          "declared it; an InputRequiredResult on 2026-07-28); a no, no answer in time, or a client that cannot be " +
          'asked refuses the call with a tool error whose `_meta["tumiki/error"].error` is `confirmation_declined`, ' +
          "`confirmation_timed_out` or `confirmation_unavailable` (example `confirmationDeclined`); nothing reached " +
          "the backend. An answer counts once: a 2026-07-28 retry presenting an answered confirmation again gets " +
          "`confirmation_reused`. A token holding tool scopes (`mcp:access:<server-slug>:<tool>`) sees and calls only those " +
          "tools of the server; the instance's filter applies as well (both must allow a tool).",
        security: [{ mcpBearer: [] }],
        parameters: [
          ref("parameters", "McpSessionId"),
          ref("parameters", "McpProtocolVersion"),
          ref("parameters", "McpMethod"),
          ref("parameters", "McpName"),
          ref("parameters", "Origin"),
          {
            name: "Accept",
            in: "header",
            required: true,
            description: "Must list both `application/json` and `text/event-stream`.",
            schema: { type: "string", example: "application/json, text/event-stream" },
          },
        ],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: ref("schemas", "JsonRpcMessage"),
              examples: {
                initialize2025: {
                  summary: `2025: initialize (starts a session)`,
                  value: {
                    jsonrpc: "2.0",
                    id: 1,
                    method: "initialize",
                    params: {
                      protocolVersion: LATEST_VERSION,
                      capabilities: { elicitation: { url: {} } },
                      clientInfo: { name: "example-client", version: "1.0.0" },
                    },
                  },
                },
                toolsCall2025: {
                  summary: "2025: tools/call in a session (send Mcp-Session-Id)",
                  value: {
                    jsonrpc: "2.0",
                    id: 2,
                    method: "tools/call",
                    params: { name: "linear__create_issue", arguments: { title: "Ship the docs" } },
                  },
                },
                toolsCall2026: {
                  summary: `${MODERN_VERSION}: tools/call (headers MCP-Protocol-Version, Mcp-Method: tools/call, Mcp-Name: linear__create_issue)`,
                  value: {
                    jsonrpc: "2.0",
                    id: 3,
                    method: "tools/call",
                    params: {
                      name: "linear__create_issue",
                      arguments: { title: "Ship the docs" },
                      _meta: {
                        [META.protocolVersion]: MODERN_VERSION,
                        [META.clientCapabilities]: {},
                        [META.clientInfo]: { name: "example-agent", version: "2.0.0" },
                      },
                    },
                  },
                },
                notification: {
                  summary: "2025: a notification (answered 202)",
                  value: { jsonrpc: "2.0", method: "notifications/initialized" },
                },
              },
            },
          },
        },
        responses: {
          "200": {
            description:
              "The JSON-RPC response, as JSON or as an SSE stream (the server chooses per request; tool calls that " +
              "stream progress or relay backend requests use SSE). `initialize` answers `Mcp-Session-Id`.",
            headers: {
              "Mcp-Session-Id": {
                description: "2025 `initialize` only: the new session's id.",
                schema: { type: "string" },
              },
            },
            content: {
              "application/json": {
                schema: ref("schemas", "JsonRpcResponse"),
                examples: {
                  toolResult: {
                    value: {
                      jsonrpc: "2.0",
                      id: 2,
                      result: { content: [{ type: "text", text: "Created ENG-42" }], isError: false },
                    },
                  },
                  unknownTool: {
                    summary: "2025: a refused call, in protocol",
                    value: {
                      jsonrpc: "2.0",
                      id: 2,
                      error: { code: E.invalidParams, message: "Unknown tool: linear__nope" },
                    },
                  },
                  hiddenTool: {
                    summary:
                      "A tool the instance hides (or holds as new): the same answer as an unknown tool",
                    value: {
                      jsonrpc: "2.0",
                      id: 2,
                      error: { code: E.invalidParams, message: "Unknown tool: notes__delete_note" },
                    },
                  },
                  toolChanged: {
                    summary: "A tool whose definition changed since it was approved: held for review",
                    value: {
                      jsonrpc: "2.0",
                      id: 2,
                      result: {
                        isError: true,
                        content: [
                          {
                            type: "text",
                            text:
                              "The tool notes__list_notes of Notes changed since it was approved, so Tumiki holds " +
                              "it back until the instance's owner reviews the change: " +
                              `${serverUrl}/instances/${INSTANCE_ID}#tools`,
                          },
                        ],
                        _meta: {
                          "tumiki/error": {
                            error: "tool_changed",
                            reviewUrl: `${serverUrl}/instances/${INSTANCE_ID}#tools`,
                            server: { id: "cm4notes0000", slug: "notes", name: "Notes" },
                          },
                        },
                      },
                    },
                  },
                  confirmationDeclined: {
                    summary: "The user said no to a call that needs confirmation (nothing was run)",
                    value: {
                      jsonrpc: "2.0",
                      id: 2,
                      result: {
                        isError: true,
                        content: [
                          {
                            type: "text",
                            text:
                              "The user declined the call of notes__delete_note on Notes, so Tumiki did not run " +
                              "it. Do not call it again unless the user asks for it.",
                          },
                        ],
                        _meta: {
                          "tumiki/error": {
                            error: "confirmation_declined",
                            server: { id: "cm4notes0000", slug: "notes", name: "Notes" },
                          },
                        },
                      },
                    },
                  },
                  reAuthRequired: {
                    summary: "The backend grant must be renewed by the user",
                    value: {
                      jsonrpc: "2.0",
                      id: 2,
                      error: {
                        code: E.urlElicitationRequired,
                        message: "Linear needs to be reconnected.",
                        data: {
                          error: "re_auth_required",
                          elicitations: [
                            { mode: "url", url: `${serverUrl}/servers?reconnect=…`, message: "…" },
                          ],
                        },
                      },
                    },
                  },
                },
              },
              "text/event-stream": sseStream,
            },
          },
          "202": {
            description: "2025: a notification or an answer to a relayed request was accepted; no body.",
          },
          "400": jsonRpcErrorResponse("A transport or framing rule was broken.", {
            parseError: { code: E.parseError, message: "Parse error: the body is not valid JSON." },
            batch: {
              code: E.invalidRequest,
              message: "Invalid Request: send one JSON-RPC message per request; batches are not supported.",
            },
            noSession: {
              code: E.transportError,
              message: "Bad Request: the Mcp-Session-Id header is required; start a session with initialize.",
            },
            version: {
              code: E.transportError,
              message: "Unsupported MCP-Protocol-Version. Supported: 2025-11-25, 2025-06-18, 2025-03-26.",
            },
            headerMismatch: {
              code: E.headerMismatch,
              message: "Header mismatch: Mcp-Method does not match the body's method.",
            },
            unsupportedProtocolVersion: {
              code: E.unsupportedProtocolVersion,
              message: "Unsupported protocol version",
              data: { supported: [MODERN_VERSION], requested: "2027-01-01" },
            },
          }),
          "401": common["401"],
          "403": common["403"],
          "404": notFound,
          "406": jsonRpcErrorResponse("Accept does not list both JSON and SSE.", {
            accept: {
              code: E.transportError,
              message: "Not Acceptable: the Accept header must list application/json and text/event-stream.",
            },
          }),
          "413": jsonRpcErrorResponse(
            "The body is over 1 MiB; the connection is closed.",
            { tooLarge: { code: E.invalidRequest, message: "Invalid Request: the body exceeds 1 MiB." } },
            { Connection: { schema: { type: "string", const: "close" } } },
          ),
          "415": jsonRpcErrorResponse("The body is not application/json.", {
            contentType: {
              code: E.transportError,
              message: "Unsupported Media Type: the body must be application/json.",
            },
          }),
          "429": common["429"],
          "500": common["500"],
          "503": common["503"],
        },
      },
      get: {
        tags: ["MCP"],
        operationId: "openMcpStream",
        summary: "2025: open or resume a session's stream",
        description:
          "The session's standing stream of server messages (notifications, list changes, requests relayed from " +
          "backends). With `Last-Event-ID`, resumes a dropped stream (a call's or the session's) after that event.",
        security: [{ mcpBearer: [] }],
        parameters: [
          { ...ref("parameters", "McpSessionId") },
          ref("parameters", "LastEventId"),
          ref("parameters", "Origin"),
        ],
        responses: {
          "200": { description: "The stream.", content: { "text/event-stream": sseStream } },
          "401": common["401"],
          "403": common["403"],
          "404": notFound,
          "405": methodNotAllowed("GET"),
          "406": jsonRpcErrorResponse("Accept does not list text/event-stream.", {
            accept: {
              code: E.transportError,
              message: "Not Acceptable: the Accept header must list text/event-stream.",
            },
          }),
          "429": common["429"],
          "500": common["500"],
          "503": common["503"],
        },
      },
      delete: {
        tags: ["MCP"],
        operationId: "endMcpSession",
        summary: "2025: end a session",
        description:
          "Tumiki forgets the session, ends its stream and ends the backend sessions it opened for it.",
        security: [{ mcpBearer: [] }],
        parameters: [ref("parameters", "McpSessionId"), ref("parameters", "Origin")],
        responses: {
          "204": { description: "Ended." },
          "401": common["401"],
          "403": common["403"],
          "404": notFound,
          "405": methodNotAllowed("DELETE"),
          "429": common["429"],
          "500": common["500"],
          "503": common["503"],
        },
      },
      options: {
        tags: ["MCP"],
        operationId: "preflightMcp",
        summary: "CORS preflight of browser-based clients",
        description:
          "Allowed for APP_URL's origin and those in MCP_ALLOWED_ORIGINS; allows MCP's headers of both eras and the " +
          "`Mcp-Param-*` headers asked for.",
        parameters: [ref("parameters", "Origin")],
        responses: {
          "204": { description: "Allowed." },
          "403": { description: "The origin is not allowed." },
        },
      },
    },
  };
}
