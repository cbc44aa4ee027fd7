// GET / for API clients: proxy.ts rewrites non-HTML requests for "/" here (the Next mount of "/").
import { runtime } from "@/server/runtime";

export const dynamic = "force-dynamic";
export const GET = (req: Request) => runtime().serveRest(req, "/");
