import {
  JSON_RPC_ERROR,
  MCP_PROTOCOL_VERSION_HEADER,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "../protocol/mcp-protocol";
import { McpRequestError } from "./mcp-request-error";

// The Streamable HTTP rules of a POST (both eras): the client accepts both JSON and an SSE stream (the
// server chooses per request) and sends JSON. A 2025 client names, after initialization, a protocol
// version this server speaks (an absent header means 2025-03-26, which is supported); a 2026-07-28
// request's version header is checked against its body instead (read-modern-envelope.ts).

const mediaTypes = (header: string | null) =>
  (header ?? "")
    .split(",")
    .map((entry) => entry.split(";")[0]?.trim().toLowerCase() ?? "")
    .filter(Boolean);

const accepts = (accepted: string[], type: string) => {
  const [major] = type.split("/");
  return accepted.some((entry) => entry === type || entry === `${major}/*` || entry === "*/*");
};

export function assertMcpPostHeaders(headers: Headers, era: "legacy" | "modern"): void {
  const accepted = mediaTypes(headers.get("accept"));
  if (!accepts(accepted, "application/json") || !accepts(accepted, "text/event-stream")) {
    throw new McpRequestError("NOT_ACCEPTABLE", {
      rpcCode: JSON_RPC_ERROR.transportError,
      message: "Not Acceptable: the Accept header must list application/json and text/event-stream.",
    });
  }
  if (mediaTypes(headers.get("content-type"))[0] !== "application/json") {
    throw new McpRequestError("UNSUPPORTED_MEDIA_TYPE", {
      rpcCode: JSON_RPC_ERROR.transportError,
      message: "Unsupported Media Type: the body must be application/json.",
    });
  }
  const version = headers.get(MCP_PROTOCOL_VERSION_HEADER);
  if (
    era === "legacy" &&
    version !== null &&
    !(SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(version)
  ) {
    throw new McpRequestError("BAD_REQUEST", {
      rpcCode: JSON_RPC_ERROR.transportError,
      message: `Unsupported MCP-Protocol-Version. Supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}.`,
    });
  }
}
