import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getRateLimitResponseMeta } from "@/server/api/get-rate-limit-response-meta";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    responseMeta: ({ errors, info }) =>
      getRateLimitResponseMeta({ errors, callCount: info?.calls.length ?? 1 }),
  });
}

const measured = withRouteMetrics("trpc", handler);

export { measured as GET, measured as POST };
