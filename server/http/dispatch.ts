import type { RouteHandler } from "../rest/api-route";
import { matchPath } from "../rest/api-route";

/**
 * The public REST paths the custom server answers itself, before Next's per-request pipeline.
 * Exact paths are one map lookup; templated ones ("/twitter/{id}") are tried in order after.
 */
export class RestDispatcher {
  private exact = new Map<string, Map<string, RouteHandler>>();
  private templated: Array<{ pattern: string; method: string; handler: RouteHandler }> = [];

  constructor(routes: RouteHandler[]) {
    for (const r of routes) {
      if (r.def.path.includes("{")) this.templated.push({ pattern: r.def.path, method: r.def.method, handler: r });
      else {
        const byMethod = this.exact.get(r.def.path) ?? new Map<string, RouteHandler>();
        byMethod.set(r.def.method, r);
        this.exact.set(r.def.path, byMethod);
      }
    }
  }

  /** The handler for this method and path, or undefined to let Next answer. */
  find(method: string, pathname: string): RouteHandler | undefined {
    const m = method === "HEAD" ? "GET" : method;
    const byMethod = this.exact.get(pathname);
    if (byMethod) return byMethod.get(m);
    for (const t of this.templated) if (t.method === m && matchPath(t.pattern, pathname)) return t.handler;
    return undefined;
  }
}

/** GET / is shared: browsers get the dashboard, API clients the phase service JSON. */
export function wantsHtml(accept: string | null | undefined): boolean {
  return !!accept && accept.includes("text/html");
}
