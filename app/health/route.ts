export { healthRoute as GET } from "@/server/validator/api";
export const dynamic = "force-dynamic";
