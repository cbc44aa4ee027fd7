import type { Metadata } from "next";
import { SubmissionsView } from "@/components/validator/submissions-view";
import { PageTitle } from "@/components/ui";
import { requireViewer } from "@/server/page-session";

export const metadata: Metadata = { title: "Submissions" };

export default async function SubmissionsPage() {
  await requireViewer("validator");
  return (
    <>
      <PageTitle
        title="Submissions"
        subtitle="Signed checkpoints as they are fetched, validated, evaluated and scored."
      />
      <SubmissionsView />
    </>
  );
}
