"use client";
import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Card } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { formatNumber, shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import { phaseColor } from "@/components/phases/phase-colors";

type Miners = inferRouterOutputs<AppRouter>["validator"]["miners"];

export function MinersView({ initial }: { initial?: Miners }) {
  const trpc = useTRPC();
  const { data } = useQuery({ ...trpc.validator.miners.queryOptions(), initialData: initial, refetchInterval: 3000 });
  if (!data)
    return (
      <Card>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading…</p>
      </Card>
    );
  const rounds = [...new Set(data.miners.flatMap((m) => m.history.map((h) => h.round)))].sort((a, b) => a - b);
  const chart = rounds.map((round) => ({
    round: String(round),
    ...Object.fromEntries(
      data.miners.map((m) => [`uid ${m.uid}`, m.history.find((h) => h.round === round)?.score ?? null]),
    ),
  }));
  const withHistory = data.miners.filter((m) => m.history.length > 0);
  return (
    <div className="space-y-4">
      <Card title={`Miners (round ${data.round})`}>
        <Table
          head={["UID", "Hotkey", "Group", "Submissions", "Last score", "Moving avg (8 rounds)", "Weight"]}
          testId="miners-table"
        >
          {data.miners.map((m) => (
            <Row key={m.hotkey}>
              <Cell>{m.uid}</Cell>
              <Cell className="font-mono text-xs" title={m.hotkey}>
                {shortKey(m.hotkey)}
              </Cell>
              <Cell>{m.lastGroup ?? "–"}</Cell>
              <Cell>{m.submissions}</Cell>
              <Cell>{formatNumber(m.history.at(-1)?.score ?? null)}</Cell>
              <Cell>{formatNumber(m.movingAverage, 3)}</Cell>
              <Cell>
                <div className="flex items-center gap-2">
                  <div className="h-1.5 w-20 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
                    <div className="h-full bg-indigo-600" style={{ width: `${m.weight * 100}%` }} />
                  </div>
                  <span data-testid={`weight-${m.uid}`}>{(m.weight * 100).toFixed(1)}%</span>
                </div>
              </Cell>
            </Row>
          ))}
        </Table>
      </Card>
      <p className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="weights-on-chain">
        {data.onChain ? (
          data.onChain.status === "submitted" ? (
            `Weights set on chain at block ${data.onChain.block ?? "?"} for ${data.onChain.uids.length} uids (extrinsic ${data.onChain.txHash.slice(0, 18)}…).`
          ) : (
            <>
              Weights not set on chain at <LocalTime at={data.onChain.at} />: {data.onChain.reason}.
            </>
          )
        ) : (
          "Weights are not set on chain (SET_WEIGHTS is off)."
        )}
      </p>
      <Card title="Score history">
        {withHistory.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No scores yet.</p>
        ) : (
          <div className="h-72 w-full" data-testid="score-chart">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={chart} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
                <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
                <XAxis dataKey="round" tick={{ fontSize: 11 }} />
                <YAxis tick={{ fontSize: 11 }} width={48} />
                <Tooltip formatter={(v) => Number(v).toFixed(4)} />
                <Legend wrapperStyle={{ fontSize: 11 }} />
                {withHistory.map((m, i) => (
                  <Line
                    key={m.hotkey}
                    type="monotone"
                    dataKey={`uid ${m.uid}`}
                    stroke={phaseColor(i)}
                    dot={false}
                    isAnimationActive={false}
                    connectNulls
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </Card>
    </div>
  );
}
