import { NextResponse, type NextRequest } from "next/server";

/** GET / is shared: browsers get the dashboard, API clients the phase service JSON (seed 002). */
export function proxy(req: NextRequest) {
  if (!(req.headers.get("accept") ?? "").includes("text/html")) {
    return NextResponse.rewrite(new URL("/api/phase-service", req.url));
  }
  return NextResponse.next();
}

// Only "/": a proxy buffers the bodies of the routes it matches.
export const config = { matcher: "/" };
