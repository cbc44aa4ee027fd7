import type { RouteHandler } from "../rest/api-route";
import { pathMatches } from "../rest/api-route";

/**
 * The public REST paths the custom server answers itself, before Next's per-request pipeline.
 * Exact paths are one map lookup; templated ones ("/twitter/{id}") are tried in order after.
 */
export class RestDispatcher {
  private exact = new Map<string, Map<string, RouteHandler[]>>();
  private templated: Array<{ pattern: string; method: string; handler: RouteHandler }> = [];

  constructor(routes: RouteHandler[]) {
    for (const r of routes) {
      if (r.def.path.includes("{")) this.templated.push({ pattern: r.def.path, method: r.def.method, handler: r });
      else {
        const byMethod = this.exact.get(r.def.path) ?? new Map<string, RouteHandler[]>();
        // Routes that need a header are tried first; the plain one answers the rest.
        const list = [...(byMethod.get(r.def.method) ?? []), r].sort(
          (a, b) => Number(!a.def.onlyWithHeader) - Number(!b.def.onlyWithHeader),
        );
        byMethod.set(r.def.method, list);
        this.exact.set(r.def.path, byMethod);
      }
    }
  }

  /** The handler for this method and path, or undefined to let Next answer. `has`: whether a header is sent. */
  find(method: string, pathname: string, has: (header: string) => boolean = () => false): RouteHandler | undefined {
    const m = method === "HEAD" ? "GET" : method;
    const byMethod = this.exact.get(pathname);
    if (byMethod) return byMethod.get(m)?.find((r) => !r.def.onlyWithHeader || has(r.def.onlyWithHeader));
    for (const t of this.templated) if (t.method === m && pathMatches(t.pattern, pathname)) return t.handler;
    return undefined;
  }

  /** The routes at this exact path, whatever their method (empty when the path is not a REST path). */
  routesAt(pathname: string): RouteHandler[] {
    const byMethod = this.exact.get(pathname);
    if (byMethod) return [...byMethod.values()].flat();
    return this.templated.filter((t) => pathMatches(t.pattern, pathname)).map((t) => t.handler);
  }

  /**
   * What to answer for a request: the route; "method not allowed" at a REST path; "not found" for a
   * near miss of a REST path (another case, a trailing slash or `;params`), so API clients get the
   * module's JSON error instead of the dashboard's HTML page; or null to let Next answer.
   */
  resolve(
    method: string,
    pathname: string,
    has?: (header: string) => boolean,
  ):
    | { kind: "route"; route: RouteHandler }
    | { kind: "method"; allow: string[]; route: RouteHandler }
    | { kind: "missing"; route: RouteHandler }
    | null {
    const route = this.find(method, pathname, has);
    if (route) return { kind: "route", route };
    const here = this.routesAt(pathname);
    if (here.length) {
      const allow = [...new Set(here.flatMap((r) => (r.def.method === "GET" ? ["GET", "HEAD"] : [r.def.method])))];
      return { kind: "method", allow, route: here[0] };
    }
    const near = this.routesAt(normalizePath(pathname));
    if (near.length && normalizePath(pathname) !== pathname) return { kind: "missing", route: near[0] };
    return null;
  }
}

/** A path as a lenient client might have meant it: lower case, no `;params`, no doubled or trailing slash. */
export function normalizePath(pathname: string): string {
  const p = pathname
    .toLowerCase()
    .replace(/;[^/]*/g, "")
    .replace(/\/{2,}/g, "/");
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/** GET / is shared: browsers get the dashboard, API clients the phase service JSON. */
export function wantsHtml(accept: string | null | undefined): boolean {
  return !!accept && accept.includes("text/html");
}
