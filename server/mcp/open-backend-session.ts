import { randomUUID } from "node:crypto";
import packageJson from "@/package.json";
import { LATEST_VERSION, MCP_PROTOCOL_VERSION_HEADER, MCP_SESSION_HEADER } from "../protocol/mcp-protocol";
import { saveBackendSession } from "./backend-session-store";
import type { TBackendTarget } from "./backend-target";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { isModernRefusal } from "./is-modern-refusal";
import type { TBackendSession } from "./mcp-session-schemas";
import { postToBackend } from "./post-to-backend";
import { readBackendResponse } from "./read-backend-response";

// Opens a legacy (2025) MCP session with a backend: initialize, then notifications/initialized, then the
// session is stored so any app process can continue it. Tumiki declares the client's own elicitation,
// sampling and roots capabilities (target.capabilities): the backend's requests for them reach the
// client through Tumiki (relay-backend-request.ts). A backend that refuses `initialize` the way a
// 2026-07-28-only server does is reported as such (`era_mismatch`), so the caller can speak 2026 to it.

export async function openBackendSession({
  target,
  signal,
}: {
  target: TBackendTarget;
  signal?: AbortSignal;
}): Promise<TBackendSession> {
  const serverName = target.backend.name;
  const id = `tumiki-initialize-${randomUUID()}`;
  const reply = await postToBackend({
    target,
    mcpHeaders: {},
    message: {
      jsonrpc: "2.0",
      id,
      method: "initialize",
      params: {
        protocolVersion: LATEST_VERSION,
        capabilities: target.capabilities,
        clientInfo: { name: "tumiki", version: packageJson.version },
      },
    },
    signal,
  });
  if (reply.status < 200 || reply.status >= 300) {
    const refusedAsModern = await isModernRefusal(reply);
    throw new BackendUnavailableError({
      reason: refusedAsModern ? "era_mismatch" : "http_error",
      status: reply.status,
      serverName,
    });
  }
  const sessionId = reply.headers.get(MCP_SESSION_HEADER);
  // MCP: visible ASCII only. A longer or stranger id could not be stored and sent back as a header.
  if (sessionId !== null && !/^[\x21-\x7e]{1,1024}$/.test(sessionId)) {
    await reply.body.cancel().catch(() => undefined);
    throw new BackendUnavailableError({ reason: "invalid_response", serverName });
  }
  const pending: TBackendSession = { sessionId, protocolVersion: LATEST_VERSION, capabilities: {} };
  const response = await readBackendResponse({
    channel: { era: "legacy", target, session: pending },
    reply,
    requestId: id,
    signal,
  });
  const result = "result" in response ? response.result : null;
  if (!result || typeof result.protocolVersion !== "string") {
    throw new BackendUnavailableError({ reason: "invalid_response", serverName });
  }
  const backendSession: TBackendSession = {
    ...pending,
    protocolVersion: result.protocolVersion,
    capabilities:
      typeof result.capabilities === "object" && result.capabilities !== null
        ? (result.capabilities as Record<string, unknown>)
        : {},
  };
  const initialized = await postToBackend({
    target,
    mcpHeaders: {
      [MCP_PROTOCOL_VERSION_HEADER]: backendSession.protocolVersion,
      ...(sessionId ? { [MCP_SESSION_HEADER]: sessionId } : {}),
    },
    message: { jsonrpc: "2.0", method: "notifications/initialized" },
    signal,
  });
  await initialized.body.cancel().catch(() => undefined);
  await saveBackendSession({
    sessionKey: target.sessionKey,
    mcpServerId: target.backend.mcpServerId,
    backendSession,
  });
  return backendSession;
}
