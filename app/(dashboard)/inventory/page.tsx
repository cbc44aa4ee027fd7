import type { Metadata } from "next";
import { InventoryView } from "@/components/compute/inventory-view";
import { PageTitle } from "@/components/ui";
import { currentUser, serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "GPU inventory" };

export default async function InventoryPage() {
  const trpc = await serverCaller("compute");
  const [initial, user] = await Promise.all([trpc.compute.inventory(), currentUser()]);
  return (
    <>
      <PageTitle
        title="GPU inventory"
        subtitle={`Subnet ${initial.netuid}. The machines compute miners report over the Specs synapse (self-reported), and what Proof of GPU found when it rented them.`}
      />
      <InventoryView initial={initial} isAdmin={user?.role === "admin"} />
    </>
  );
}
