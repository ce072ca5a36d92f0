import type { Metadata } from "next";
import { AuthShell } from "@/components/auth/auth-shell";
import { AuthorizationErrorCard } from "@/components/oauth/authorization-error-card";
import { ConsentCard } from "@/components/oauth/consent-card";
import {
  AUTHORIZATION_ERROR_MESSAGES,
  type TAuthorizationErrorReason,
} from "@/server/auth/authorize/authorization-error-messages";
import { getConsentDetails } from "@/server/auth/authorize/get-consent-details";
import { getSignedInUserId } from "@/server/auth/authorize/get-signed-in-user-id";
import { verifyConsentRequest } from "@/server/auth/authorize/verify-consent-request";

// The consent page, reached only through /oauth/authorize, which validated the request and signed it.
// It trusts the signed request alone (never other query parameters) and shows it only to the user it
// was signed for. Framing is refused for every path (next.config.mjs), which stops clickjacking here.

export const dynamic = "force-dynamic";

// The page's URL carries the signed request: no Referer may take it to another origin. Not
// "no-referrer": under that policy browsers send `Origin: null` with the form post, which the decision
// endpoint rightly refuses.
export const metadata: Metadata = { title: "Authorize an AI client", referrer: "same-origin" };

type ConsentPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function ErrorPage({ reason }: { reason: TAuthorizationErrorReason }) {
  return (
    <AuthShell title={AUTHORIZATION_ERROR_MESSAGES[reason].title}>
      <AuthorizationErrorCard reason={reason} />
    </AuthShell>
  );
}

export default async function ConsentPage({ searchParams }: ConsentPageProps) {
  const { request } = await searchParams;
  const token = typeof request === "string" ? request : undefined;
  const userId = await getSignedInUserId();
  if (!userId) return <ErrorPage reason="signed_out" />;
  const claims = token ? await verifyConsentRequest({ token }) : null;
  if (!token || !claims) return <ErrorPage reason="expired_request" />;
  if (claims.userId !== userId) return <ErrorPage reason="not_your_request" />;
  const details = await getConsentDetails({ claims });
  if (!details) return <ErrorPage reason="client_gone" />;

  return (
    <AuthShell title={`Authorize ${details.clientName}`}>
      <ConsentCard details={details} signedRequest={token} csrfToken={claims.csrf} />
    </AuthShell>
  );
}
