"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import type { inferRouterOutputs } from "@trpc/server";
import { Badge, Card, Stat, cx } from "@/components/ui";
import { CycleChart } from "@/components/charts/cycle-chart";
import { formatSeconds, refetchMs, useNow } from "./use-live";
import { phaseColor, textOn } from "./phase-colors";

type Timeline = inferRouterOutputs<AppRouter>["phases"]["timeline"];

export function PhaseTimeline({ initial }: { initial: Timeline }) {
  const trpc = useTRPC();
  const { data = initial, isError } = useQuery({
    ...trpc.phases.timeline.queryOptions(),
    initialData: initial,
    refetchInterval: refetchMs(initial.blockTimeMs),
  });
  const now = useNow(500);
  const { current, cycle, next, previousCycle, blockTimeMs, chain } = data;
  const L = current.cycle_length;
  const sinceHead = chain.lastHeadAt && now !== null ? Math.min(Math.max(0, now - chain.lastHeadAt), blockTimeMs) : 0;
  const secondsLeft = ((current.blocks_remaining_in_phase + 1) * blockTimeMs - sinceHead) / 1000;
  const markerPct = ((current.cycle_block_index + sinceHead / blockTimeMs) / L) * 100;

  return (
    <div className="space-y-4">
      <Card
        title={`Cycle ${current.cycle_index.toLocaleString("en-US")}`}
        action={isError ? <Badge tone="red">offline</Badge> : <Badge tone="green">live</Badge>}
      >
        <div className="mb-4 grid grid-cols-2 gap-4 sm:grid-cols-4">
          <Stat label="Block" value={current.block.toLocaleString("en-US")} testId="current-block" />
          <Stat
            label="Phase"
            value={current.phase_name}
            testId="current-phase"
            hint={`${current.blocks_into_phase} blocks in`}
          />
          <Stat
            label="Blocks left"
            value={current.blocks_remaining_in_phase}
            hint="after this one"
            testId="blocks-left"
          />
          <Stat label="Time left" value={formatSeconds(secondsLeft)} hint={`${blockTimeMs / 1000} s blocks`} />
        </div>
        <div
          className="relative"
          data-testid="timeline"
          role="img"
          aria-label={`Cycle timeline, now in ${current.phase_name}`}
        >
          <div className="flex h-10 w-full overflow-hidden rounded-lg">
            {cycle.map((p) => (
              <div
                key={p.name}
                title={`${p.name}: blocks ${p.start}–${p.end}`}
                data-phase={p.name}
                data-current={p.index === current.phase_index || undefined}
                // Labels stay readable (WCAG AA): black or white, whichever contrasts more with the current phase's
                // colour, and dark text on a light tint of the others' (light text on a dark tint in dark mode).
                className={cx(
                  "flex items-center justify-center border-r border-white/40 text-[10px] font-medium last:border-r-0",
                  p.index !== current.phase_index && "text-zinc-900 dark:text-zinc-100",
                )}
                style={{
                  width: `${(p.length / L) * 100}%`,
                  background: p.index === current.phase_index ? phaseColor(p.index) : `${phaseColor(p.index)}40`,
                  color: p.index === current.phase_index ? textOn(phaseColor(p.index)) : undefined,
                }}
              >
                <span className="hidden truncate px-1 md:inline">{p.name}</span>
              </div>
            ))}
          </div>
          <div
            className="pointer-events-none absolute -top-1 h-12 w-0.5 bg-zinc-900 transition-[left] duration-500 ease-linear dark:bg-white"
            style={{ left: `${Math.min(markerPct, 100)}%` }}
            data-testid="timeline-marker"
          />
          <div className="mt-1 flex justify-between text-xs tabular-nums text-zinc-500 dark:text-zinc-400">
            <span>{cycle[0].start.toLocaleString("en-US")}</span>
            <span>{cycle[cycle.length - 1].end.toLocaleString("en-US")}</span>
          </div>
        </div>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Next occurrence of each phase">
          <PhaseTable
            rows={Object.entries(next).map(([name, [start, end, until]], i) => ({
              i,
              name,
              start,
              end,
              extra: until === 0 ? "now" : `in ${until} (${formatSeconds((until * blockTimeMs) / 1000)})`,
            }))}
            extraLabel="Starts"
            current={current.phase_name}
          />
        </Card>
        <Card title="Previous cycle">
          <PhaseTable
            rows={previousCycle.map((p) => ({
              i: p.index,
              name: p.name,
              start: p.start,
              end: p.end,
              extra: `${p.length} blocks`,
            }))}
            extraLabel="Length"
            current={null}
          />
        </Card>
      </div>

      <Card title="Recent cycles: seconds per phase, as observed">
        <CycleChart cycles={data.cycles} phases={cycle.map((p) => p.name)} />
      </Card>
    </div>
  );
}

function PhaseTable({
  rows,
  extraLabel,
  current,
}: {
  rows: Array<{ i: number; name: string; start: number; end: number; extra: string }>;
  extraLabel: string;
  current: string | null;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs uppercase text-zinc-500 dark:text-zinc-400">
            <th className="py-1 pr-2 font-medium">Phase</th>
            <th className="py-1 pr-2 text-right font-medium">Start</th>
            <th className="py-1 pr-2 text-right font-medium">End</th>
            <th className="py-1 text-right font-medium">{extraLabel}</th>
          </tr>
        </thead>
        <tbody className="tabular-nums">
          {rows.map((r) => (
            <tr
              key={r.name}
              className={cx("border-t border-zinc-100 dark:border-zinc-800", r.name === current && "font-semibold")}
            >
              <td className="py-1 pr-2">
                <span className="mr-2 inline-block h-2 w-2 rounded-full" style={{ background: phaseColor(r.i) }} />
                {r.name}
              </td>
              <td className="py-1 pr-2 text-right">{r.start < 0 ? "–" : r.start.toLocaleString("en-US")}</td>
              <td className="py-1 pr-2 text-right">{r.end < 0 ? "–" : r.end.toLocaleString("en-US")}</td>
              <td className="py-1 text-right text-zinc-500 dark:text-zinc-400">{r.extra}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
