import type { Metadata } from "next";
import { PhaseTimeline } from "@/components/phases/phase-timeline";
import { Card, PageTitle } from "@/components/ui";
import { serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Phases" };

export default async function PhasesPage() {
  const trpc = await serverCaller("owner");
  let initial;
  try {
    initial = await trpc.phases.timeline();
  } catch (e) {
    // The oracle's "Invalid block input" while no chain head is known, as tRPC reports it.
    const message =
      e instanceof Error && /Invalid block input/.test(e.message) ? e.message : "The chain head is not known yet.";
    return (
      <>
        <PageTitle title="Phases" />
        <Card title="Waiting for the chain">
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            {message} This page shows the cycle once a head arrives.
          </p>
        </Card>
      </>
    );
  }
  return (
    <>
      <PageTitle
        title="Phases"
        subtitle={`The training cycle: ${initial.current.cycle_length} blocks in ${initial.cycle.length} phases, from the chain head.`}
      />
      <PhaseTimeline initial={initial} />
    </>
  );
}
