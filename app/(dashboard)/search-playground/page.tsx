import type { Metadata } from "next";
import { SearchPlayground } from "@/components/search/playground";
import { PageTitle } from "@/components/ui";
import { currentUser, serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Search" };

export default async function SearchPlaygroundPage() {
  await serverCaller("search");
  const user = await currentUser();
  return (
    <>
      <PageTitle
        title="Search"
        subtitle="One query, as API clients send it to POST /search: a miner is chosen, and its answer streams in as it comes."
      />
      <SearchPlayground isAdmin={user?.role === "admin"} />
    </>
  );
}
