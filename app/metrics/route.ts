export { metricsRoute as GET } from "@/server/rest/system-routes";
export const dynamic = "force-dynamic";
