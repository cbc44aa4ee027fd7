// "/" for API clients, on Next's mount: proxy.ts rewrites non-HTML requests for "/" here. Every method is
// answered by the runtime's dispatch (405 in the module's format for all but GET).
import { runtime } from "@/server/runtime";

export const dynamic = "force-dynamic";
const serveRoot = (req: Request) => runtime().serveRest(req, "/");
export {
  serveRoot as GET,
  serveRoot as POST,
  serveRoot as PUT,
  serveRoot as PATCH,
  serveRoot as DELETE,
  serveRoot as OPTIONS,
};
