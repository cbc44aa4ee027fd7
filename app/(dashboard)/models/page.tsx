import type { Metadata } from "next";
import { ModelsView } from "@/components/validator/models-view";
import { PageTitle } from "@/components/ui";
import { currentUser, serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  const trpc = await serverCaller("validator");
  const { netuids } = await trpc.system.settings();
  const user = await currentUser();
  const [models, assignments] = await Promise.all([trpc.validator.models(), trpc.validator.assignments()]);
  return (
    <>
      <PageTitle
        title="Models"
        subtitle={`Subnet ${netuids.validator}. Published versions, their expert groups and downloads. The newest version is served unless an admin serves another (a rollback).`}
      />
      <ModelsView isAdmin={user?.role === "admin"} initial={{ models, assignments }} />
    </>
  );
}
