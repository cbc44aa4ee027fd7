// The Next mount of this REST path: the runtime's dispatch answers every method (405 in the module's format
// for those the route does not have). The custom server answers the same path before Next.
export {
  restHandler as GET,
  restHandler as POST,
  restHandler as PUT,
  restHandler as PATCH,
  restHandler as DELETE,
  restHandler as OPTIONS,
} from "@/server/runtime";
export const dynamic = "force-dynamic";
