import { getSignedInUserId } from "@/server/auth/authorize/get-signed-in-user-id";
import { BackendAuthorizationError } from "@/server/backends/backend-authorization-error";
import { completeBackendAuthorization } from "@/server/backends/complete-backend-authorization";
import { renderCallbackPage, type TCallbackPageOptions } from "@/server/backends/render-callback-page";
import { toPublicError } from "@/server/errors";
import { getRequestOrigin } from "@/server/http/get-request-origin";
import { getLogger } from "@/server/logger";

// GET /oauth/callback and /oauth/callback/<issuerKey>: where a backend's authorization server sends the
// user back (Tumiki's tier-2 redirect URIs: the shared one of CIMD clients, and one per issuer for the
// others, see getBackendRedirectUri). It finishes the flow for the signed-in user and answers with the
// popup's result page. A signed-out user is told to sign in and start again rather than redirected to
// sign-in: the state would have expired or been consumed by the time they return, and a redirect would
// carry the code.

function pageResponse(page: TCallbackPageOptions): Response {
  // Only these two headers: next.config.mjs sets Content-Security-Policy, X-Frame-Options and (for these
  // paths) Referrer-Policy: no-referrer, and Next.js keeps those over a route handler's. The page's own
  // script policy is in its <meta> tag (render-callback-page.ts).
  return new Response(renderCallbackPage(page), {
    status: page.ok ? 200 : 400,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export async function handleBackendCallback({
  request,
  callbackIssuerKey,
}: {
  request: Request;
  /** The path's `<issuerKey>`, null on the bare /oauth/callback. */
  callbackIssuerKey: string | null;
}): Promise<Response> {
  const userId = await getSignedInUserId();
  if (!userId) {
    return pageResponse({
      ok: false,
      message: "You are not signed in to Tumiki. Sign in, then connect the server again.",
    });
  }
  const query = new URL(request.url).searchParams;
  try {
    const { mcpServerId, serverName } = await completeBackendAuthorization({
      userId,
      query,
      callbackIssuerKey,
      origin: getRequestOrigin(request.headers),
    });
    return pageResponse({
      ok: true,
      serverId: mcpServerId,
      message: `Connected to ${serverName}. You can close this window.`,
    });
  } catch (error) {
    if (!(error instanceof BackendAuthorizationError)) {
      getLogger().error({ err: error, path: "/oauth/callback" }, "backend authorization callback failed");
    }
    return pageResponse({
      ok: false,
      serverId: error instanceof BackendAuthorizationError ? error.mcpServerId : undefined,
      message: toPublicError(error).message,
    });
  }
}
