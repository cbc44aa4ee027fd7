import type { Metadata } from "next";
import { MinersView } from "@/components/validator/miners-view";
import { PageTitle } from "@/components/ui";
import { serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Miners" };

export default async function MinersPage() {
  const trpc = await serverCaller("validator");
  const { netuids } = await trpc.system.settings();
  const initial = await trpc.validator.miners();
  return (
    <>
      <PageTitle
        title="Miners"
        subtitle={`Subnet ${netuids.validator}. Proof-of-Loss scores per round, the 8-round moving average of round points, and the resulting weights.`}
      />
      <MinersView initial={initial} />
    </>
  );
}
