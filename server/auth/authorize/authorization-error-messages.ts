// What the user reads when Tumiki refuses an authorization without sending them back to the client
// (the client or its redirect URI is not trusted, or the consent form did not come from Tumiki's own
// page). Fixed texts only: nothing from the request is reflected into the page.

export type TAuthorizationErrorReason =
  | "missing_client"
  | "unknown_client"
  | "unusable_client_metadata"
  | "unsupported_client"
  | "invalid_redirect_uri"
  | "rate_limited"
  | "refused_request"
  | "invalid_form"
  | "csrf"
  | "signed_out"
  | "expired_request"
  | "not_your_request"
  | "client_gone"
  | "already_decided";

const START_AGAIN = "Start the connection again from your AI client.";

export const AUTHORIZATION_ERROR_MESSAGES: Record<
  TAuthorizationErrorReason,
  { title: string; message: string }
> = {
  missing_client: {
    title: "This authorization request is incomplete",
    message: "The request does not name the AI client asking for access. Contact the client's developer.",
  },
  unknown_client: {
    title: "Unknown AI client",
    message:
      "Tumiki does not know the AI client that sent you here, or could not verify it. Nothing was shared. " +
      START_AGAIN,
  },
  unusable_client_metadata: {
    title: "This AI client could not be verified",
    message:
      "Tumiki fetched the client's metadata document to check who it is and could not use it. Nothing " +
      "was shared. Tell the client's developer what went wrong:",
  },
  unsupported_client: {
    title: "This client cannot ask for access here",
    message: "This AI client is registered for machine-to-machine use and cannot ask you for consent.",
  },
  invalid_redirect_uri: {
    title: "Unregistered redirect address",
    message:
      "The AI client asked Tumiki to send you back to an address it did not register. For your safety " +
      "Tumiki does not follow it, and nothing was shared.",
  },
  rate_limited: {
    title: "Too many new AI clients",
    message:
      "Tumiki checked many new AI clients for your account recently and is pausing for a while. " +
      "Nothing was shared. Try again later.",
  },
  refused_request: {
    title: "Tumiki refused this request",
    message:
      "The AI client's authorization request has a problem, so nothing was shared. You have not approved " +
      "this client before, so Tumiki does not send you back to it on its own: return to it only if you " +
      "started this connection yourself.",
  },
  invalid_form: { title: "Something is missing", message: `The consent form was incomplete. ${START_AGAIN}` },
  csrf: {
    title: "This consent could not be verified",
    message: `The form did not come from this Tumiki page, or your browser dropped its security cookie. ${START_AGAIN}`,
  },
  signed_out: {
    title: "You are signed out",
    message: `Sign in to Tumiki, then ${START_AGAIN.toLowerCase()}`,
  },
  expired_request: {
    title: "This consent request has expired",
    message: `Consent requests are valid for a few minutes. ${START_AGAIN}`,
  },
  not_your_request: {
    title: "This consent request belongs to another account",
    message: `You are signed in as someone else than the account this request was made for. ${START_AGAIN}`,
  },
  client_gone: {
    title: "The AI client is no longer available",
    message: `The client was removed or changed its redirect addresses. ${START_AGAIN}`,
  },
  already_decided: {
    title: "Already answered",
    message: "This consent request was already approved or denied. Return to your AI client.",
  },
};
