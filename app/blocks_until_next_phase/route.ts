export { blocksUntilNextPhaseRoute as GET } from "@/server/phases/api";
export const dynamic = "force-dynamic";
