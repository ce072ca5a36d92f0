import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { TDemoOidcStore } from "./create-demo-oidc-store";
import type { TDemoToolDescriptions } from "./demo-tool-descriptions";
import { sendJson } from "./send-json";

// Development endpoints of the demo server (it is a demo, never a real backend): they let tests and e2e
// specs, which run the demo backend in another process, end an account's grants or expire its access
// tokens at the AS, as a provider would when a user disconnects an app or a token's lifetime ends.
//   POST /__demo/revoke-grants          {"account": "alice"} → grants, access and refresh tokens gone
//   POST /__demo/expire-access-tokens   {"account": "alice"} → access tokens gone, refresh tokens valid
//   POST /__demo/set-tool-description   {"tool": "search_notes", "description": "…" | null} → every
//        session serves the new description (null: its own) and tells its client the list changed

const MAX_BODY_BYTES = 4096;

const ZAccountBody = z.object({ account: z.string().min(1).max(200) });
const ZToolDescriptionBody = z.object({
  tool: z.string().min(1).max(128),
  description: z.string().max(2000).nullable(),
});

export const DEMO_CONTROL_PATHS = [
  "/__demo/revoke-grants",
  "/__demo/expire-access-tokens",
  "/__demo/set-tool-description",
] as const;

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function handleDemoControl(options: {
  path: (typeof DEMO_CONTROL_PATHS)[number];
  store: TDemoOidcStore;
  descriptions: TDemoToolDescriptions;
  req: IncomingMessage;
  res: ServerResponse;
}): Promise<void> {
  const { req, res } = options;
  if (req.method !== "POST") {
    sendJson(res, 405, { error: "method_not_allowed" }, { allow: "POST" });
    return;
  }
  const text = await readBody(req);
  if (options.path === "/__demo/set-tool-description") {
    let body: z.ZodSafeParseResult<z.infer<typeof ZToolDescriptionBody>> | undefined;
    try {
      body = text === null ? undefined : ZToolDescriptionBody.safeParse(JSON.parse(text));
    } catch {
      body = undefined;
    }
    if (!body?.success) {
      sendJson(res, 400, {
        error: "invalid_request",
        error_description: 'expected JSON {"tool": "<name>", "description": "<text>" | null}',
      });
      return;
    }
    options.descriptions.set(body.data.tool, body.data.description);
    sendJson(res, 200, body.data);
    return;
  }
  let parsed: z.ZodSafeParseResult<z.infer<typeof ZAccountBody>> | undefined;
  try {
    parsed = text === null ? undefined : ZAccountBody.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    sendJson(res, 400, {
      error: "invalid_request",
      error_description: 'expected JSON {"account": "<name>"}',
    });
    return;
  }
  const { account } = parsed.data;
  if (options.path === "/__demo/revoke-grants") {
    sendJson(res, 200, { account, revokedGrants: options.store.revokeGrantsOf(account) });
  } else {
    sendJson(res, 200, { account, expiredAccessTokens: options.store.destroyAccessTokensOf(account) });
  }
}
