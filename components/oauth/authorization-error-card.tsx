import {
  AUTHORIZATION_ERROR_MESSAGES,
  type TAuthorizationErrorReason,
} from "@/server/auth/authorize/authorization-error-messages";

/** Why an authorization cannot go on, stated plainly; nothing is sent back to the client. */
export function AuthorizationErrorCard({ reason }: { reason: TAuthorizationErrorReason }) {
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {AUTHORIZATION_ERROR_MESSAGES[reason].message}
    </p>
  );
}
