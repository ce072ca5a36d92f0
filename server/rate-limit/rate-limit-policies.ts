// Rate limits are data (DESIGN.md convention 8): every limit the product enforces is a row here,
// enforced only through assertRateLimit(). Each row records what it protects and what happens when
// Redis cannot be reached: "closed" refuses the request (503) because an unlimited endpoint would be
// worse than a briefly unavailable one; "open" lets it through because the endpoint is protected
// otherwise and refusing would turn a Redis outage into a product outage.
//
// Windows are fixed (see assert-rate-limit.ts); a client can burst up to twice `attempts` across a
// window boundary, which every limit below tolerates.
//
// These are the defaults: an operator overrides a row's `attempts` and `window` with
// RATE_LIMIT_<NAME IN UPPER SNAKE CASE>="<attempts>/<window>" (rate-limit-env.ts), and the /mcp limit of
// one user on the admin page (User.mcpRequestLimit). getRateLimitPolicy() gives the row in force.

type WindowUnit = "s" | "m" | "h";

export type RateLimitWindow = `${number} ${WindowUnit}`;

export type RateLimitPolicy = {
  /** Requests allowed per window and identifier. */
  attempts: number;
  window: RateLimitWindow;
  /** Namespaces the Redis keys; never reuse one across policies. */
  keyPrefix: string;
  onRedisFailure: "open" | "closed";
  why: string;
};

export const RATE_LIMIT_POLICIES = {
  signIn: {
    attempts: 10,
    window: "15 m",
    keyPrefix: "sign-in",
    onRedisFailure: "closed",
    why:
      "Identifier: client IP + normalized email. Slows password guessing against one account to 40 an " +
      "hour per address. Keyed by IP as well as email so nobody can lock a victim out by failing their " +
      "sign-ins from elsewhere. Counts failures only: a successful sign-in resets the count " +
      "(sign-in-with-password.ts). Fails closed: an outage must not reopen unlimited guessing; signed-in " +
      "users keep their sessions meanwhile.",
  },
  signInAccount: {
    attempts: 30,
    window: "1 h",
    keyPrefix: "sign-in-account",
    onRedisFailure: "closed",
    why:
      "Identifier: normalized email alone. Caps guessing against one account however many addresses " +
      "an attacker rotates through (X-Forwarded-For can be forged where no proxy overwrites it). Three " +
      "times the per-IP budget, so the owner's own retries stay well inside it; the price is that " +
      "someone who knows an email can delay its password sign-ins by at most an hour. Counts failures " +
      "only: a successful sign-in resets the count, so an owner who signs in often is never locked out.",
  },
  signUp: {
    attempts: 5,
    window: "1 h",
    keyPrefix: "sign-up",
    onRedisFailure: "closed",
    why:
      "Identifier: client IP. Stops scripted account creation, and each sign-up costs an argon2 hash " +
      "(CPU) and database rows. Fails closed: nobody needs to create an account during a Redis outage.",
  },
  oauthRegister: {
    attempts: 10,
    window: "1 h",
    keyPrefix: "oauth-register",
    onRedisFailure: "closed",
    why:
      "Plan task 5.2. Identifier: client IP. Dynamic Client Registration is unauthenticated and every " +
      "call writes a client row; a real MCP client registers once per install. Fails closed: unlimited " +
      "anonymous writes are worse than a registration failing for a few minutes.",
  },
  oauthToken: {
    attempts: 100,
    window: "1 h",
    keyPrefix: "oauth-token",
    onRedisFailure: "closed",
    why:
      "Identifier: client_id. Bounds guessing of codes, refresh tokens and client secrets at the token " +
      "endpoint; a well-behaved client exchanges a code once and refreshes once per access-token " +
      "lifetime, far below 100 an hour. Fails closed: credential guessing must stay bounded.",
  },
  mcpRequest: {
    attempts: 1000,
    window: "1 h",
    keyPrefix: "mcp-request",
    onRedisFailure: "open",
    why:
      "Plan task 5.2. Identifier: user id. Protects backends and Tumiki from a runaway agent loop. " +
      "Fails open: the request is already authenticated and scope-checked, so a Redis outage costs only " +
      "the limit, whereas failing closed would take every AI client down with Redis.",
  },
  oauthClientAuthFailure: {
    attempts: 30,
    window: "15 m",
    keyPrefix: "oauth-client-auth-failure",
    onRedisFailure: "closed",
    why:
      "Identifier: client IP. Counts failed client authentications, unknown clients and malformed " +
      "requests at the token and revocation endpoints; a failure over the budget is answered 429, so " +
      "guessing is bounded per address without letting anyone who knows a client_id (which is no " +
      "secret) spend that client's own budget. Only failures are refused: a request that authenticates " +
      "never is, so one address (a NAT, or 'unknown' without trusted proxy hops) cannot lock others " +
      "out. Fails closed: guessing must stay bounded.",
  },
  cimdFetch: {
    attempts: 20,
    window: "1 h",
    keyPrefix: "cimd-fetch",
    onRedisFailure: "closed",
    why:
      "Identifier: user:<id> of the signed-in user. Each unknown https client_id makes Tumiki fetch a " +
      "Client ID Metadata Document and store a client, without registration; a real client's document " +
      "is fetched once and cached. Only signed-in users cause such fetches (a signed-out visitor is sent " +
      "to sign in first), so counting per user bounds fetches and rows without letting strangers behind " +
      "one address (or 'unknown' without trusted proxy hops) block new clients for everyone. " +
      "Fails closed: unbounded outbound fetches are worse than a brief refusal.",
  },
  backendOutbound: {
    attempts: 60,
    window: "1 h",
    keyPrefix: "backend-outbound",
    onRedisFailure: "closed",
    why:
      "Identifier: user:<id>. Each server check, add, connect and authorization start makes Tumiki " +
      "contact a URL the user chose (metadata, registration, authorization servers): without a bound, " +
      "a signed-in user could make Tumiki a scanner or fill tables with registrations. A person adds " +
      "a few servers in a sitting, far below 60 an hour. Fails closed: unbounded outbound requests are " +
      "worse than a brief refusal.",
  },
  backendTokenRefreshNow: {
    attempts: 30,
    window: "1 h",
    keyPrefix: "backend-refresh-now",
    onRedisFailure: "open",
    why:
      'Identifier: user:<id>. "Refresh now" on the Tokens page spends a backend\'s refresh token and ' +
      "its token-endpoint budget; the automatic refresh does not pass here. Fails open: a refresh is " +
      "single-flight and authenticated, so a Redis outage costs only the limit.",
  },
} as const satisfies Record<string, RateLimitPolicy>;

export type RateLimitPolicyName = keyof typeof RATE_LIMIT_POLICIES;
