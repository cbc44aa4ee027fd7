import type { Metadata } from "next";
import { InventoryView } from "@/components/compute/inventory-view";
import { PageTitle } from "@/components/ui";
import { serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "GPU inventory" };

export default async function InventoryPage() {
  const trpc = await serverCaller("compute");
  const initial = await trpc.compute.inventory();
  return (
    <>
      <PageTitle
        title="GPU inventory"
        subtitle={`Subnet ${initial.netuid}. The machines compute miners report over the Specs synapse: self-reported, not yet verified.`}
      />
      <InventoryView initial={initial} />
    </>
  );
}
