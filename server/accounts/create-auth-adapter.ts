import { PrismaAdapter } from "@auth/prisma-adapter";
import type { Adapter, AdapterAccount, AdapterUser } from "next-auth/adapters";
import { getDb } from "../db";

// The Auth.js adapter: it stores users and linked accounts for the optional OIDC provider (sessions
// are JWTs and never reach it).

// The same normalization as ZEmail for password accounts: the unique index on User.email is
// case-sensitive, and an IdP may send "Ada@Example.com" for the person who signed up as
// "ada@example.com". Both must meet the same row.
const normalizeEmail = (email: string) => email.trim().toLowerCase();

export function createAuthAdapter(): Adapter {
  // The app's client is extended (field encryption) and generated outside @prisma/client, so its type
  // is not the one the adapter names; at run time it has every delegate the adapter uses.
  const adapter = PrismaAdapter(getDb() as unknown as Parameters<typeof PrismaAdapter>[0]);
  const { createUser, getUserByEmail } = adapter as Required<Pick<Adapter, "createUser" | "getUserByEmail">>;
  return {
    ...adapter,
    createUser(user: AdapterUser) {
      return createUser({ ...user, email: normalizeEmail(user.email) });
    },
    getUserByEmail(email: string) {
      return getUserByEmail(normalizeEmail(email));
    },
    // Some IdPs (Keycloak, Entra) return extra token fields such as `refresh_expires_in`; passing them
    // through would make Prisma reject the insert, so only the columns the Account model has are kept.
    async linkAccount(account: AdapterAccount): Promise<void> {
      await getDb().account.create({
        data: {
          userId: account.userId,
          type: account.type,
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          refresh_token: account.refresh_token ?? null,
          access_token: account.access_token ?? null,
          expires_at: account.expires_at ?? null,
          token_type: account.token_type ?? null,
          scope: account.scope ?? null,
          id_token: account.id_token ?? null,
          session_state: typeof account.session_state === "string" ? account.session_state : null,
        },
      });
    },
  };
}
