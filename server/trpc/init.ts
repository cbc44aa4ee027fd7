import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { SessionUser } from "../auth/options";
import { config } from "../env";
import { isAppError } from "../errors";

export interface Context {
  user: SessionUser | null;
  /** The caller's address ("" for in-process calls by pages): rate limits key on it. */
  clientIp: string;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // A service's reason in words (an AppError's string detail, e.g. why an allocation failed) reaches the page.
  errorFormatter: ({ shape, error }) => {
    const detail = isAppError(error.cause) && typeof error.cause.detail === "string" ? error.cause.detail : null;
    return { ...shape, data: { ...shape.data, detail } };
  },
});

const STATUS_TO_CODE: Record<number, TRPCError["code"]> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  422: "UNPROCESSABLE_CONTENT",
  423: "PRECONDITION_FAILED",
  429: "TOO_MANY_REQUESTS",
  503: "SERVICE_UNAVAILABLE",
};

/** Services throw AppErrors; the UI gets the same message with the matching tRPC code. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) {
    const e = result.error.cause;
    throw new TRPCError({ code: STATUS_TO_CODE[e.status] ?? "INTERNAL_SERVER_ERROR", message: e.message, cause: e });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(appErrors);

/** Read-only dashboard data: public with PUBLIC_DASHBOARD=1, otherwise any signed-in user. */
export const viewerProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user && !config().PUBLIC_DASHBOARD)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to see the dashboard" });
  return next({ ctx });
});

export const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in as an admin" });
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
