"use client";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Label,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { phaseColor } from "@/components/phases/phase-colors";
import { ChartFigure } from "@/components/ui/chart-figure";

interface CycleRow {
  cycle: number;
  expectedSeconds: number;
  phases: Record<string, number | null>;
}

/** Stacked seconds per phase for recent cycles; phases not fully observed are left out. */
export function CycleChart({ cycles, phases }: { cycles: CycleRow[]; phases: string[] }) {
  const seen = cycles.filter((c) => Object.values(c.phases).some((v) => v !== null));
  const data = seen.map((c) => ({
    cycle: String(c.cycle),
    ...Object.fromEntries(phases.map((p) => [p, c.phases[p] ?? 0])),
  }));
  const expected = cycles[0]?.expectedSeconds;
  if (seen.length === 0) {
    return (
      <p className="text-sm text-zinc-500 dark:text-zinc-400">
        No complete phase observed yet: the chart fills in as blocks arrive.
      </p>
    );
  }
  return (
    <ChartFigure
      title="Seconds per phase, recent cycles"
      summary={`How long each phase of cycles ${seen[0].cycle}–${seen.at(-1)!.cycle} took in wall-clock seconds, stacked per cycle; the dashed line is the scheduled cycle length.`}
      head={["Cycle", ...phases]}
      rows={seen.map((c) => [
        c.cycle,
        ...phases.map((p) => (c.phases[p] === null ? "–" : `${c.phases[p]!.toFixed(1)} s`)),
      ])}
    >
      <div className="h-72 w-full" data-testid="cycle-chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 16 }}>
            <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
            <XAxis dataKey="cycle" tick={{ fontSize: 11 }}>
              <Label value="Cycle" position="insideBottom" offset={-10} fontSize={11} />
            </XAxis>
            <YAxis unit="s" tick={{ fontSize: 11 }} width={56}>
              <Label value="Seconds" angle={-90} position="insideLeft" fontSize={11} />
            </YAxis>
            <Tooltip formatter={(v) => `${Number(v).toFixed(1)} s`} />
            <Legend wrapperStyle={{ fontSize: 11, paddingTop: 12 }} />
            {expected !== undefined && (
              <ReferenceLine
                y={expected}
                stroke="#71717a"
                strokeDasharray="4 4"
                label={{ value: "scheduled", fontSize: 10, position: "insideTopRight" }}
              />
            )}
            {phases.map((p, i) => (
              <Bar key={p} dataKey={p} stackId="cycle" fill={phaseColor(i)} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </ChartFigure>
  );
}
