// Served by the runtime's REST dispatch (server/main.ts answers this path before Next; this is the Next mount).
export { restHandler as POST } from "@/server/runtime";
export const dynamic = "force-dynamic";
