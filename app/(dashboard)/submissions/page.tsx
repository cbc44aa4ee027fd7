import type { Metadata } from "next";
import { SubmissionsView } from "@/components/validator/submissions-view";
import { PageTitle } from "@/components/ui";
import { serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Submissions" };

export default async function SubmissionsPage() {
  const trpc = await serverCaller("validator");
  const { netuids } = await trpc.system.settings();
  const initial = await trpc.validator.submissions({ limit: 200 });
  return (
    <>
      <PageTitle
        title="Submissions"
        subtitle={`Subnet ${netuids.validator}. Signed checkpoints as they are fetched, validated, evaluated and scored.`}
      />
      <SubmissionsView initial={initial} />
    </>
  );
}
