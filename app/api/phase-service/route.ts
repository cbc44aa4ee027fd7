// GET / for API clients: proxy.ts rewrites non-HTML requests for "/" here.
export { serviceInfoRoute as GET } from "@/server/phases/api";
export const dynamic = "force-dynamic";
