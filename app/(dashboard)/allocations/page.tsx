import type { Metadata } from "next";
import { AllocationsView } from "@/components/compute/allocations-view";
import { PageTitle } from "@/components/ui";
import { currentUser, serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Allocations" };

export default async function AllocationsPage({ searchParams }: { searchParams: Promise<{ hotkey?: string }> }) {
  // From the inventory's Rent link: the Allocate form opens on that machine.
  const { hotkey } = await searchParams;
  const trpc = await serverCaller("compute");
  const user = await currentUser();
  const [allocations, inventory] = await Promise.all([trpc.compute.allocations(), trpc.compute.inventory()]);
  return (
    <>
      <PageTitle
        title="Allocations"
        subtitle={`Subnet ${inventory.netuid}. Rented machines, checked every few minutes: a strike per failed check, released at the limit.`}
      />
      <AllocationsView
        isAdmin={user?.role === "admin"}
        initial={allocations}
        inventory={inventory}
        rentHotkey={typeof hotkey === "string" ? hotkey.slice(0, 64) : undefined}
      />
    </>
  );
}
