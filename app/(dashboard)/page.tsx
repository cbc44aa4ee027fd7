import { LiveOverview } from "@/components/overview/live-overview";
import { PageTitle } from "@/components/ui";
import { serverCaller } from "@/server/page-session";

export default async function OverviewPage() {
  const trpc = await serverCaller();
  const initial = await trpc.system.overview();
  return (
    <>
      <PageTitle title="Overview" subtitle="Chain, phase and module health of this console." />
      <LiveOverview initial={initial} />
    </>
  );
}
