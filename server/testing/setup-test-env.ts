import { randomBytes } from "node:crypto";

// Every test process gets fresh secrets, so no test depends on a developer's .env.
process.env.AUTH_SECRET ??= randomBytes(32).toString("base64");
process.env.ENCRYPTION_KEY ??= `test:${randomBytes(32).toString("base64")}`;
process.env.LOG_LEVEL ??= "silent";
process.env.APP_URL ??= "http://localhost:3000";
