import { z } from "zod";
import { roleEnabled, type Role } from "../env";
import { AppError, BadRequestError, isAppError } from "../errors";
import { webBodyReader, type BodyReader } from "../http/body";
import type { RequestHead } from "../http/request-head";
import { DEVNET_USER_AGENT, log } from "../log";
import type { AuthScheme } from "./auth";
import { formatError, type ErrorFormat } from "./error-format";
import { metrics } from "./metrics";
import { isReply, json, type Reply } from "./reply";

export { Reply, isReply, json, streamReply, textReply } from "./reply";
export type { RequestHead };

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteDef<Q, H, B, A, R> {
  /** The module whose role switches the route on; "system" routes are always on. */
  module: Role | "system";
  method: Method;
  /** OpenAPI path, e.g. "/twitter/{id}". */
  path: string;
  /**
   * A path shared with another module's route: this one answers only requests that carry this header
   * (GET / is the phase service's, and the search API's health check for callers sending `access-key`).
   */
  onlyWithHeader?: string;
  summary: string;
  description?: string;
  tags?: readonly string[];
  /** The module's wire format for errors. */
  format: ErrorFormat;
  /** Status for input that fails its schema (FastAPI says 422; some seeds say 400). */
  invalidStatus?: 400 | 422;
  auth?: AuthScheme<A>;
  query?: z.ZodType<Q>;
  headers?: z.ZodType<H>;
  body?: z.ZodType<B>;
  /** Largest body accepted, in bytes (413 past it, before any parsing); default 64 KiB. */
  bodyLimit?: number;
  response: {
    status?: number;
    description: string;
    schema?: z.ZodType<R>;
    contentType?: string;
    /** Response headers clients rely on, documented in OpenAPI (name -> description). */
    headers?: Record<string, string>;
  };
  /** Error statuses this route can answer, documented in OpenAPI. */
  errors?: Record<number, string>;
  /**
   * Real examples for the docs: the request (body, query, headers) and the answer. A function is called
   * once, when the document is first built (e.g. to sign an example with a throwaway key).
   */
  examples?: RouteExamples | (() => RouteExamples);
  handler(ctx: {
    req: RequestHead;
    query: Q;
    headers: H;
    body: B;
    auth: A;
    params: Record<string, string>;
  }): Promise<R | Reply | Response> | R | Reply | Response;
}

export interface RouteExamples {
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  response?: unknown;
  /** A shell command that performs the request (shown in the operation's description). */
  curl?: string;
}

export type RouteHandler = ((req: Request, ctx?: { params?: Promise<Record<string, string>> }) => Promise<Response>) & {
  def: RouteDef<any, any, any, any, any>;
  /**
   * The same route answering a Reply (small bodies) or a Response (streams), for the custom server, which
   * passes a Request without a body and a reader of the socket: the body is read after authentication.
   */
  serve(req: RequestHead, body: BodyReader): Promise<Reply | Response>;
};

export const DEFAULT_BODY_LIMIT = 64 * 1024;

function issuesOf(error: z.ZodError, where: string) {
  return error.issues.map((i) => ({ field: [where, ...i.path.map(String)].join("."), message: i.message }));
}

/** Parses a body by its declared type: JSON, a form (multipart or urlencoded: string fields only), or text. */
async function parseBody(type: string, raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const mime = type.split(";")[0].trim().toLowerCase();
  if (mime === "application/json" || mime.endsWith("+json")) {
    try {
      return JSON.parse(raw.toString("utf8"));
    } catch {
      throw new AppError(400, "bad_json", "Request body is not valid JSON");
    }
  }
  if (mime === "multipart/form-data" || mime === "application/x-www-form-urlencoded") {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw.buffer, raw.byteOffset, raw.length) as Uint8Array<ArrayBuffer>, {
        headers: { "content-type": type },
      }).formData();
    } catch {
      throw new BadRequestError(`Request body is not a valid ${mime} form`);
    }
    return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string"));
  }
  return raw.toString("utf8");
}

const compiledPatterns = new Map<string, { re: RegExp; names: string[] }>();

function compiled(pattern: string): { re: RegExp; names: string[] } {
  let c = compiledPatterns.get(pattern);
  if (!c) {
    const names: string[] = [];
    const re = new RegExp(`^${pattern.replace(/\{(\w+)\}/g, (_, n) => (names.push(n), "([^/]+)"))}/?$`);
    compiledPatterns.set(pattern, (c = { re, names }));
  }
  return c;
}

/** Whether `pathname` has the shape of `pattern` ("/twitter/{id}"); nothing is decoded. */
export function pathMatches(pattern: string, pathname: string): boolean {
  return compiled(pattern).re.test(pathname);
}

/**
 * Path parameters of `pattern` in `pathname`, %-decoded, or null when it does not match. A malformed escape
 * ("%E0%A4%A") is the client's error: BadRequestError, answered in the route's format.
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const { re, names } = compiled(pattern);
  const m = re.exec(pathname);
  if (!m) return null;
  return Object.fromEntries(
    names.map((n, i) => {
      try {
        return [n, decodeURIComponent(m[i + 1])];
      } catch {
        throw new BadRequestError(`Path parameter ${n} has a malformed %-escape`);
      }
    }),
  );
}

/**
 * Declares a REST route once. The result is a Web handler (Request -> Response) that Next mounts from
 * app/**\/route.ts and the custom server calls directly; `def` feeds the OpenAPI document.
 */
export function apiRoute<Q = undefined, H = undefined, B = undefined, A = undefined, R = unknown>(
  def: RouteDef<Q, H, B, A, R>,
): RouteHandler {
  const okStatus = def.response.status ?? 200;
  const invalid = def.invalidStatus ?? 422;
  const bodyLimit = def.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const serve = async (
    req: RequestHead,
    readBody: BodyReader,
    nextCtx?: { params?: Promise<Record<string, string>> },
  ): Promise<Reply | Response> => {
    const started = performance.now();
    let res: Reply | Response;
    let pathname = def.path;
    try {
      if (def.module !== "system" && !roleEnabled(def.module)) throw new AppError(404, "not_found", "Not Found");
      const url = new URL(req.url);
      pathname = url.pathname;
      // The URL parser resolves dot segments ("/public/miners/.." is "/public/"): no longer this route's path.
      const params = nextCtx?.params ? await nextCtx.params : matchPath(def.path, url.pathname);
      if (!params) throw new AppError(404, "not_found", "Not Found");
      const auth = (def.auth ? await def.auth.authenticate(req) : undefined) as A;
      const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T => {
        if (!schema) return undefined as T;
        const r = schema.safeParse(value);
        if (!r.success) {
          const issues = issuesOf(r.error, where);
          throw new AppError(
            invalid,
            "validation_error",
            issues.map((i) => `${i.field}: ${i.message}`).join("; "),
            issues,
          );
        }
        return r.data;
      };
      const query = parse(def.query, def.query ? Object.fromEntries(url.searchParams) : undefined, "query");
      const headers = parse(def.headers, def.headers ? Object.fromEntries(req.headers) : undefined, "header");
      // Authenticated above; only now is the body read, within its limit, then parsed.
      const raw = def.body ? await readBody(bodyLimit) : undefined;
      const body = parse(
        def.body,
        raw ? await parseBody(req.headers.get("content-type") ?? "", raw) : undefined,
        "body",
      );
      const out = await def.handler({ req, query, headers, body, auth, params });
      res = out instanceof Response || isReply(out) ? out : json(out, okStatus);
    } catch (e) {
      if (!isAppError(e))
        log.error(
          { err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e), route: def.path },
          "unhandled error",
        );
      res = formatError(def.format, e);
    }
    const seconds = (performance.now() - started) / 1000;
    metrics.requests.inc({ route: def.path, method: def.method, status: res.status });
    metrics.latency.observe({ route: def.path }, seconds);
    const level =
      res.status >= 500
        ? "warn"
        : !log.isLevelEnabled("info")
          ? null
          : req.headers.get("user-agent") === DEVNET_USER_AGENT
            ? "debug"
            : "info";
    if (level && log.isLevelEnabled(level))
      log[level](
        { method: def.method, path: pathname, route: def.path, status: res.status, ms: +(seconds * 1000).toFixed(2) },
        "request",
      );
    return res;
  };
  const handler = async (req: Request, nextCtx?: { params?: Promise<Record<string, string>> }) => {
    const res = await serve(req, webBodyReader(req), nextCtx);
    return isReply(res) ? res.toResponse() : res;
  };
  return Object.assign(handler, {
    def,
    serve: (req: RequestHead, body: BodyReader) => serve(req, body),
  }) as RouteHandler;
}
