// Next's mount of this REST path (the custom server answers it first): the runtime's dispatch, every method.
export { GET, POST, PUT, PATCH, DELETE, OPTIONS } from "@/server/rest-mount";
export const dynamic = "force-dynamic";
