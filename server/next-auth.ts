import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { SIGN_IN_RATE_LIMITED_CODE } from "./accounts/account-schemas";
import { createAuthAdapter } from "./accounts/create-auth-adapter";
import { resolveAuthRedirect } from "./accounts/resolve-auth-redirect";
import { signInWithPassword } from "./accounts/sign-in-with-password";
import { writeAuditEvent } from "./audit/write-audit-event";
import { getEnv } from "./env";
import { RateLimitError } from "./errors";
import { getRequestOrigin } from "./http/get-request-origin";
import { getLogger } from "./logger";

// Dashboard sign-in (Auth.js v5). Sessions are JWTs in a cookie: the Credentials provider cannot use
// database sessions, and stateless sessions suit serverless. The Prisma adapter only stores users and
// linked accounts for the optional OIDC provider. The config is built lazily, per request, so that
// `next build` never reads the environment or opens the database.

class RateLimitedSignIn extends CredentialsSignin {
  code = SIGN_IN_RATE_LIMITED_CODE;
}

function createConfig(): NextAuthConfig {
  const env = getEnv();
  const providers: NextAuthConfig["providers"] = [
    Credentials({
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, request) {
        try {
          const user = await signInWithPassword({ credentials, origin: getRequestOrigin(request.headers) });
          return user && { id: user.id, email: user.email, name: user.name };
        } catch (error) {
          // A rate limit becomes a code the form can explain; any other error becomes Auth.js's
          // generic "Configuration" failure, so nothing internal reaches the browser.
          if (error instanceof RateLimitError) throw new RateLimitedSignIn();
          throw error;
        }
      },
    }),
  ];
  if (env.AUTH_OIDC_ISSUER && env.AUTH_OIDC_CLIENT_ID && env.AUTH_OIDC_CLIENT_SECRET) {
    providers.push({
      id: "oidc",
      name: env.AUTH_OIDC_NAME,
      type: "oidc",
      issuer: env.AUTH_OIDC_ISSUER,
      clientId: env.AUTH_OIDC_CLIENT_ID,
      clientSecret: env.AUTH_OIDC_CLIENT_SECRET,
    });
  }

  return {
    secret: env.AUTH_SECRET,
    // Tumiki runs on Vercel or behind `next start`, where the platform or the operator's proxy sets the
    // Host header, so Auth.js may build its URLs from it. Redirects do not rely on that host: the
    // `redirect` callback below only allows APP_URL's origin.
    trustHost: true,
    adapter: createAuthAdapter(),
    // JWT because the Credentials provider cannot use database sessions. A week bounds how long a stolen
    // cookie works (Auth.js's default is 30 days); a deleted account is refused before that by the
    // existence check in protectedProcedure and the dashboard layout.
    session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
    providers,
    pages: { signIn: "/sign-in", error: "/sign-in" },
    // Auth.js prints to the console by default, with a stack for every wrong password; its messages go
    // through the app's redacting logger instead.
    logger: {
      error(error) {
        // An expected failure, already audited with its reason.
        if (error instanceof CredentialsSignin) return;
        getLogger().error({ err: error }, "Auth.js error");
      },
      warn(code) {
        getLogger().warn({ code }, "Auth.js warning");
      },
      debug(message, metadata) {
        getLogger().debug({ metadata }, `Auth.js: ${message}`);
      },
    },
    callbacks: {
      redirect({ url }) {
        return resolveAuthRedirect({ url, appUrl: env.APP_URL });
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
    events: {
      signIn({ user, account }) {
        // Password sign-ins are audited where they are decided, with the request's IP and reason.
        if (account?.provider === "credentials") return;
        writeAuditEvent({
          eventType: "auth.sign_in",
          outcome: "SUCCESS",
          actorUserId: user.id,
          detail: { method: account?.provider ?? "unknown" },
        });
      },
      signOut(message) {
        const userId = "token" in message ? message.token?.sub : message.session?.userId;
        writeAuditEvent({ eventType: "auth.sign_out", outcome: "SUCCESS", actorUserId: userId ?? undefined });
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => createConfig());

/** Whether the sign-in page offers the operator's single sign-on, and under which name. */
export function getSingleSignOnProvider(): { id: string; name: string } | null {
  const env = getEnv();
  return env.AUTH_OIDC_ISSUER ? { id: "oidc", name: env.AUTH_OIDC_NAME } : null;
}
