import { initTRPC, type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { AppError, type AppErrorCode, toPublicError } from "../errors";
import { getRequestOrigin, type TRequestOrigin } from "../http/get-request-origin";
import { getLogger } from "../logger";
import { auth } from "../next-auth";

// The tRPC edge. Procedures see a context of plain data (session, request origin) and pass what they
// need to domain functions. Errors are mapped here once: AppError → its code and userMessage, zod →
// BAD_REQUEST with per-field messages, anything else → a logged, generic INTERNAL error.

export type TRPCContext = {
  session: Session | null;
  headers: Headers;
  origin: TRequestOrigin;
};

export async function createTRPCContext({ headers }: { headers: Headers }): Promise<TRPCContext> {
  return { session: await auth(), headers, origin: getRequestOrigin(headers) };
}

const TRPC_CODE: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

export type TPublicErrorData = {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  appCode: AppErrorCode;
  fieldErrors?: Record<string, string[]>;
  retryAfterSeconds?: number;
};

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error, path }) {
    const { cause } = error;
    if (cause instanceof ZodError) {
      return {
        ...shape,
        message: "Check the highlighted fields.",
        data: {
          code: "BAD_REQUEST",
          httpStatus: 400,
          appCode: "BAD_REQUEST",
          fieldErrors: z.flattenError(cause).fieldErrors as Record<string, string[]>,
        } satisfies TPublicErrorData,
      };
    }
    if (cause instanceof AppError) {
      const publicError = toPublicError(cause);
      return {
        ...shape,
        message: publicError.message,
        data: {
          code: TRPC_CODE[cause.code],
          httpStatus: publicError.status,
          appCode: publicError.code,
          ...("retryAfterSeconds" in cause ? { retryAfterSeconds: Number(cause.retryAfterSeconds) } : {}),
        } satisfies TPublicErrorData,
      };
    }
    // tRPC's own errors with no cause (unknown procedure, bad method, unparsable body) are safe to show.
    if (!cause && error.code !== "INTERNAL_SERVER_ERROR") {
      return {
        ...shape,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, appCode: "BAD_REQUEST" },
      };
    }
    getLogger().error({ err: cause ?? error, path }, "unhandled error in a tRPC procedure");
    const publicError = toPublicError(cause);
    return {
      ...shape,
      message: publicError.message,
      data: {
        code: "INTERNAL_SERVER_ERROR",
        httpStatus: 500,
        appCode: "INTERNAL",
      } satisfies TPublicErrorData,
    };
  },
});

// The HTTP status follows the TRPCError's code, which the formatter cannot change: this middleware
// gives an AppError thrown anywhere below it the matching code, keeping the AppError as the cause.
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapAppErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  const userId = ctx.session?.user?.id;
  if (!userId) throw new AppError("UNAUTHORIZED", { message: "tRPC call without a session" });
  return next({ ctx: { ...ctx, userId } });
});
