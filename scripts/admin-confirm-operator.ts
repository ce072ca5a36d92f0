import { confirmOperator } from "../server/admin/confirm-operator";
import { getDb } from "../server/db";
import { AppError } from "../server/errors";
import { prepareLocalEnv } from "./local-env";

// The environment `npm start` runs with: .env, then on a developer's machine the local secrets and the
// embedded database it made (a deployment sets every variable itself).
Object.assign(process.env, prepareLocalEnv({ quiet: true }));

// `npm run admin:confirm-operator -- <email>`: makes the account with a listed ADMIN_EMAILS address an
// operator. Tumiki does not verify addresses at sign-up, so a listed address alone is not enough (anyone
// could sign up with it first): whoever runs this has database access, and checks that the account it
// names (created when, signing in how) is really theirs.

async function main(): Promise<number> {
  const email = process.argv[2];
  if (!email) {
    console.error("usage: npm run admin:confirm-operator -- <email>");
    return 2;
  }
  try {
    const confirmed = await confirmOperator({ email });
    console.log(
      `${confirmed.email} is now an operator (account created ${confirmed.createdAt.toISOString()}, ` +
        `signs in with: ${confirmed.signInMethods.join(", ") || "nothing yet"}). ` +
        "If you did not create this account, delete it instead.",
    );
    return 0;
  } catch (error) {
    console.error(error instanceof AppError ? error.userMessage : error);
    return 1;
  } finally {
    await getDb().$disconnect();
  }
}

main().then((code) => process.exit(code));
