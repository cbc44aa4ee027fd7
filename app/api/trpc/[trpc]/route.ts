import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sessionFromCookies } from "@/server/auth/options";
import { appRouter } from "@/server/trpc/root";

export const dynamic = "force-dynamic";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ user: await sessionFromCookies(req.headers.get("cookie")) }),
  });

export { handler as GET, handler as POST };
