/**
 * How long a client has to answer what a backend asked of it (an elicitation a person fills in, a
 * sampling call, roots) and come back: the lifetime of a relayed request's id and of a `requestState`.
 * Long enough for a person, short enough that a leaked value is soon worthless (mrtr.mdx: bound the
 * replay window), and below the 15 minutes a backend call is kept waiting for the answer at most.
 */
export const INPUT_LIFETIME_MS = 10 * 60 * 1000;
