/**
 * How long a client has to answer what a backend asked of it (an elicitation a person fills in, a
 * sampling call, roots) and come back: the lifetime of a relayed request's id and of a `requestState`.
 * Long enough for a person, short enough that a leaked value is soon worthless (mrtr.mdx: bound the
 * replay window). A 2026-07-28 backend keeps nothing between rounds, so its rounds may be this far
 * apart; a 2025 backend's call suspended for a 2026-07-28 client runs only as long as the request
 * that started it may (290 s, below the route's maxDuration), so its state is useful for that long.
 */
export const INPUT_LIFETIME_MS = 10 * 60 * 1000;
