// Lifetimes of what the authorization server issues, in seconds. Access tokens are short because a
// stolen one cannot be recalled from a client's memory (revocation is checked, but only here);
// refresh tokens rotate on every use, so their lifetime bounds an abandoned grant, not a stolen one.

export const AUTHORIZATION_CODE_TTL_SECONDS = 10 * 60;
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** A pending consent (the signed authorization request behind the consent page). */
export const CONSENT_REQUEST_TTL_SECONDS = 10 * 60;
/** How often a new ES256 signing key replaces the active one. */
export const SIGNING_KEY_ROTATION_SECONDS = 30 * 24 * 3600;
/** Clock skew tolerated when verifying `exp`, `nbf` and `iat`. */
export const CLOCK_SKEW_SECONDS = 30;
