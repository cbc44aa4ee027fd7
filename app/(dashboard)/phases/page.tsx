import type { Metadata } from "next";
import { PhaseTimeline } from "@/components/phases/phase-timeline";
import { Card, PageTitle } from "@/components/ui";
import { serverCaller } from "@/server/auth/session";
import { isAppError } from "@/server/errors";

export const metadata: Metadata = { title: "Phases" };

export default async function PhasesPage() {
  const trpc = await serverCaller();
  let initial;
  try {
    initial = await trpc.phases.timeline();
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    return (
      <>
        <PageTitle title="Phases" />
        <Card title="Waiting for the chain">
          <p className="text-sm text-zinc-500">{isAppError(cause) ? cause.message : "The chain head is not known yet."} This page shows the cycle once a head arrives.</p>
        </Card>
      </>
    );
  }
  return (
    <>
      <PageTitle title="Phases" subtitle={`The training cycle: ${initial.current.cycle_length} blocks in ${initial.cycle.length} phases, from the chain head.`} />
      <PhaseTimeline initial={initial} />
    </>
  );
}
