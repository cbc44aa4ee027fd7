export { partialRoute as GET } from "@/server/validator/api";
export const dynamic = "force-dynamic";
