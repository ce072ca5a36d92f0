import { initTRPC, type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { isExistingUserAccount } from "../accounts/is-existing-user-account";
import { AppError, type AppErrorCode, toPublicError } from "../errors";
import { getRequestOrigin, type TRequestOrigin } from "../http/get-request-origin";
import { getLogger } from "../logger";
import { auth } from "../next-auth";

// The tRPC edge. Procedures see a context of plain data (session, request origin) and pass what they
// need to domain functions. Errors are mapped here once: AppError → its code and userMessage, invalid
// input → BAD_REQUEST with per-field messages, tRPC's own request errors (unparsable body, unknown
// procedure) → their code, anything else → a logged, generic INTERNAL error.

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
  METHOD_NOT_ALLOWED: "METHOD_NOT_SUPPORTED",
  NOT_ACCEPTABLE: "BAD_REQUEST",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
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
    // Only input validation: tRPC reports it as BAD_REQUEST. A ZodError from a parse deep in domain code
    // arrives as INTERNAL_SERVER_ERROR and is a bug; its field names are internal and must not leak.
    if (cause instanceof ZodError && error.code === "BAD_REQUEST") {
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
    // tRPC's own refusals of a malformed request (unparsable body, unknown procedure, wrong method) are
    // the client's mistake, not an incident. Their cause (a SyntaxError for bad JSON) may quote the
    // body, so a caused one gets a fixed message.
    if (error.code !== "INTERNAL_SERVER_ERROR") {
      getLogger().debug({ code: error.code, path }, "tRPC refused a malformed request");
      return {
        ...shape,
        message: cause ? new AppError("BAD_REQUEST").userMessage : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          appCode: "BAD_REQUEST",
        } satisfies TPublicErrorData,
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

export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const userId = ctx.session?.user?.id;
  if (!userId) throw new AppError("UNAUTHORIZED", { message: "tRPC call without a session" });
  // The JWT stays valid after its account is deleted; the database decides whether it still signs anyone in.
  if (!(await isExistingUserAccount({ userId }))) {
    throw new AppError("UNAUTHORIZED", { message: `tRPC call with the session of deleted user ${userId}` });
  }
  return next({ ctx: { ...ctx, userId } });
});
