import type { Metadata } from "next";
import { ApiDocs, type OpenApiDoc } from "@/components/docs/api-docs";
import { openApiDocument } from "@/server/page-session";

export const metadata: Metadata = { title: "API" };
// The document lists the routes of the modules this console runs: read from the running server.
export const dynamic = "force-dynamic";

export default async function DocsPage() {
  return <ApiDocs doc={(await openApiDocument()) as OpenApiDoc} />;
}
