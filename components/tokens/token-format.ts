// Words for what the Tokens page shows. Pure, so the client bundle stays small and the rules are tested.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "in 4m 12s" until `expiresAt`, "expired" once past, "no expiry" for a token without one. */
export function formatCountdown(expiresAt: Date | null, now: Date): string {
  if (!expiresAt) return "no expiry";
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return "expired";
  // Whole seconds rounded up, so the countdown reads "in 1s" until the very moment it expires.
  const total = Math.ceil(left / SECOND) * SECOND;
  const [major, majorUnit, minor, minorUnit] =
    total >= DAY
      ? [Math.floor(total / DAY), "d", Math.floor((total % DAY) / HOUR), "h"]
      : total >= HOUR
        ? [Math.floor(total / HOUR), "h", Math.floor((total % HOUR) / MINUTE), "m"]
        : total >= MINUTE
          ? [Math.floor(total / MINUTE), "m", Math.floor((total % MINUTE) / SECOND), "s"]
          : [total / SECOND, "s", 0, ""];
  return minorUnit ? `in ${major}${majorUnit} ${minor}${minorUnit}` : `in ${major}${majorUnit}`;
}

const LAST_ERROR_TEXT: Record<string, string> = {
  invalid_grant: "The backend no longer accepts this grant. Reconnect to sign in again.",
  invalid_client:
    "The backend no longer recognizes Tumiki as a client. Reconnect registers Tumiki again (a client you registered yourself must be fixed at the provider).",
  unauthorized_client: "The backend does not let Tumiki refresh this token. Reconnect to sign in again.",
  invalid_scope: "The backend refused the requested scopes. Reconnect to grant them again.",
  temporarily_unavailable: "The backend's authorization server was temporarily unavailable.",
  server_error: "The backend's authorization server failed.",
  server_unavailable: "The backend's authorization server did not answer.",
  unexpected_status: "The backend's authorization server gave an unexpected answer.",
  invalid_token_response: "The backend's authorization server sent a token Tumiki cannot use.",
  no_refresh_token: "The backend gave no refresh token, so the expired token cannot be renewed.",
  timeout: "The backend's authorization server did not answer in time.",
  network_error: "The backend's authorization server could not be reached.",
  dns_failure: "The backend's authorization server could not be found.",
};

/** The last refresh failure in words; an unknown code is quoted so it can still be looked up. */
export function describeLastError(code: string): string {
  return LAST_ERROR_TEXT[code] ?? `The last refresh failed (${code}).`;
}
