export { submitRoute as POST } from "@/server/validator/api";
export const dynamic = "force-dynamic";
