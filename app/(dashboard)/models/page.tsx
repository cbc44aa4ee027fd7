import type { Metadata } from "next";
import { ModelsView } from "@/components/validator/models-view";
import { PageTitle } from "@/components/ui";
import { requireViewer } from "@/server/page-session";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  const user = await requireViewer("validator");
  return (
    <>
      <PageTitle
        title="Models"
        subtitle="Published versions, their expert groups and downloads. The newest version is served."
      />
      <ModelsView isAdmin={user?.role === "admin"} />
    </>
  );
}
