export { getCheckpointRoute as GET, postCheckpointRoute as POST } from "@/server/validator/api";
export const dynamic = "force-dynamic";
