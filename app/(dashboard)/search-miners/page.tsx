import type { Metadata } from "next";
import { SearchMinersView } from "@/components/search/miners-view";
import { PageTitle } from "@/components/ui";
import { serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Search miners" };

export default async function SearchMinersPage() {
  const trpc = await serverCaller("search");
  const initial = await trpc.search.miners({});
  return (
    <>
      <PageTitle
        title="Search miners"
        subtitle={`Subnet ${initial.netuid}. Each scoring epoch sends every miner one synthetic query per search type and checks the answers against their sources; quality is an EMA of the windows, capacity ramps while every type passes.`}
      />
      <SearchMinersView initial={initial} />
    </>
  );
}
