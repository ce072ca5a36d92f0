import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { RateLimitError } from "@/server/errors";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    responseMeta({ errors }) {
      const limited = errors.find((error) => error.cause instanceof RateLimitError)?.cause;
      return limited instanceof RateLimitError
        ? { headers: new Headers({ "Retry-After": String(limited.retryAfterSeconds) }) }
        : {};
    },
  });
}

export { handler as GET, handler as POST };
