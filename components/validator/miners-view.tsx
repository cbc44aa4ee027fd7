"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Line } from "recharts";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Card } from "@/components/ui";
import { RoundsChart } from "@/components/charts/rounds-chart";
import { ChartFigure } from "@/components/ui/chart-figure";
import { Cell, Row, Table, useSortedRows } from "@/components/ui/table";
import { Empty, QueryPanel } from "@/components/ui/states";
import { formatNumber, shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import { phaseColor } from "@/components/phases/phase-colors";
import { WeightsCycles } from "@/components/weights/weights-cycles";

type Miners = inferRouterOutputs<AppRouter>["validator"]["miners"];
type Miner = Miners["miners"][number];

const linkClass =
  "rounded text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600 dark:text-indigo-300";

const columns = {
  uid: { label: "UID", value: (m: Miner) => m.uid },
  hotkey: { label: "Hotkey", value: (m: Miner) => m.hotkey },
  weight: { label: "Weight", value: (m: Miner) => m.weight },
  average: { label: "Moving avg (8 rounds)", value: (m: Miner) => m.movingAverage },
  last: { label: "Last score", value: (m: Miner) => m.history.at(-1)?.score ?? null },
  submissions: { label: "Submissions", value: (m: Miner) => m.submissions },
  group: { label: "Group", value: (m: Miner) => m.lastGroup },
  status: { label: "Status", value: (m: Miner) => m.refused?.count ?? 0 },
  chain: { label: "On chain", value: (m: Miner) => m.onChain?.incentive ?? null },
  axon: {
    label: "Axon (ping)",
    value: (m: Miner) => (m.ping ? (m.ping.status === 200 ? m.ping.rttMs : 1e9 + m.ping.status) : null),
  },
};

/** The last /Synapse ping of the miner's axon: its round-trip time, or why it was not reached. */
export function PingBadge({ miner }: { miner: Pick<Miner, "axon" | "ping"> }) {
  if (!miner.axon) return <span className="text-xs text-zinc-500 dark:text-zinc-400">no axon</span>;
  const p = miner.ping;
  return (
    <span className="inline-flex items-center gap-1.5" title={p ? `${p.status} ${p.message}` : "not pinged yet"}>
      <span className="font-mono text-xs">{miner.axon}</span>
      {!p ? (
        <Badge>not pinged yet</Badge>
      ) : p.status === 200 ? (
        <Badge tone="green">{p.rttMs.toFixed(1)} ms</Badge>
      ) : (
        <Badge tone="red">
          {p.status === 503 ? "unreachable" : p.status === 408 ? "timeout" : `error ${p.status}`}
        </Badge>
      )}
    </span>
  );
}

/** alpha-rao (1e-9 alpha) as alpha, three decimals. */
export function formatAlpha(alphaRao: string): string {
  return `${(Number(BigInt(alphaRao)) / 1e9).toLocaleString("en-US", { maximumFractionDigits: 3 })} α`;
}

/** The chain's own figures of a neuron: incentive share, emission per epoch and own stake (alpha on this subnet). */
export function ChainFigures({ figures }: { figures: Miner["onChain"] }) {
  if (!figures)
    return (
      <span className="text-zinc-500 dark:text-zinc-400" title="The simulated chain keeps no such figures">
        –
      </span>
    );
  return (
    <span title={`consensus ${(figures.consensus * 100).toFixed(1)}%, trust ${(figures.trust * 100).toFixed(1)}%`}>
      {(figures.incentive * 100).toFixed(2)}% incentive · {formatAlpha(figures.emissionAlphaRao)}/epoch · stake{" "}
      {formatAlpha(figures.stakeAlphaRao)}
    </span>
  );
}

/** A miner that the API refused in the last hour: the badge says how often, the title and text why. */
export function RefusedBadge({ refused }: { refused: NonNullable<Miner["refused"]> }) {
  return (
    <span title={`${refused.route}: ${refused.status} ${refused.reason ?? ""}`}>
      <Badge tone="red">refused ×{refused.count}</Badge>
    </span>
  );
}

export function MinersView({ initial }: { initial?: Miners }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.validator.miners.queryOptions(), initialData: initial, refetchInterval: 3000 });
  return (
    <QueryPanel query={query} loading="Loading miners…">
      {(data) => <MinersContent data={data} />}
    </QueryPanel>
  );
}

function MinersContent({ data }: { data: Miners }) {
  const { rows, head } = useSortedRows(data.miners, columns, { key: "weight", dir: "descending" });
  const rounds = [...new Set(data.miners.flatMap((m) => m.history.map((h) => h.round)))].sort((a, b) => a - b);
  const withHistory = data.miners.filter((m) => m.history.length > 0);
  const scoreAt = (m: Miner, round: number) => m.history.find((h) => h.round === round)?.score ?? null;
  const chart = rounds.map((round) => ({
    round,
    ...Object.fromEntries(withHistory.map((m) => [`uid ${m.uid}`, scoreAt(m, round)])),
  }));
  const refused = data.miners.filter((m) => m.refused);
  return (
    <div className="space-y-4">
      {refused.length > 0 && (
        <div
          role="alert"
          className="rounded-xl border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-200"
          data-testid="refused-miners"
        >
          <p className="font-medium">
            {refused.length} miner{refused.length > 1 ? "s are" : " is"} being refused by this validator:
          </p>
          <ul className="mt-1 list-disc pl-5">
            {refused.map((m) => (
              <li key={m.hotkey}>
                <Link href={`/miners/${m.hotkey}`} className="font-mono text-xs underline">
                  uid {m.uid} {shortKey(m.hotkey)}
                </Link>{" "}
                — {m.refused!.count} refused on {m.refused!.route}: {m.refused!.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <Card title={`Miners (round ${data.round})`}>
        {data.miners.length === 0 ? (
          <Empty>No miners on the metagraph yet.</Empty>
        ) : (
          <Table head={head} testId="miners-table" label="Miners">
            {rows.map((m) => (
              <Row key={m.hotkey}>
                <Cell>{m.uid}</Cell>
                <Cell className="font-mono text-xs" title={m.hotkey}>
                  <Link href={`/miners/${m.hotkey}`} className={linkClass}>
                    {shortKey(m.hotkey)}
                    <span className="sr-only">, miner uid {m.uid}</span>
                  </Link>
                </Cell>
                <Cell>
                  <div className="flex items-center gap-2">
                    <div className="h-1.5 w-16 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
                      <div className="h-full bg-indigo-600" style={{ width: `${m.weight * 100}%` }} />
                    </div>
                    <span data-testid={`weight-${m.uid}`}>{(m.weight * 100).toFixed(1)}%</span>
                  </div>
                </Cell>
                <Cell>{formatNumber(m.movingAverage, 3)}</Cell>
                <Cell>{formatNumber(m.history.at(-1)?.score ?? null)}</Cell>
                <Cell>{m.submissions}</Cell>
                <Cell>{m.lastGroup ?? "–"}</Cell>
                <Cell>{m.refused ? <RefusedBadge refused={m.refused} /> : <Badge tone="green">ok</Badge>}</Cell>
                <Cell className="text-xs">
                  <ChainFigures figures={m.onChain} />
                </Cell>
                <Cell>
                  <PingBadge miner={m} />
                  {m.ping && (
                    <div className="text-xs text-zinc-500 dark:text-zinc-400">
                      {m.ping.lastOkAt ? (
                        <>
                          seen <LocalTime at={m.ping.lastOkAt} timeOnly />
                        </>
                      ) : (
                        "never answered"
                      )}
                    </div>
                  )}
                </Cell>
              </Row>
            ))}
          </Table>
        )}
      </Card>
      <WeightsCycles cycles={data.weights} enabled={data.setWeights} />
      <Card title="Score history">
        {withHistory.length === 0 ? (
          <Empty>No scores yet: miners are scored after the Validate phase.</Empty>
        ) : (
          <ChartFigure
            title="Score per round and miner"
            summary={`Proof-of-Loss score of ${withHistory.length} miners over rounds ${rounds[0]}–${rounds.at(-1)}; a round with one submission shows as a dot.`}
            head={["Round", ...withHistory.map((m) => `uid ${m.uid}`)]}
            rows={rounds.map((r) => [r, ...withHistory.map((m) => formatNumber(scoreAt(m, r)))])}
            testId="score-chart"
          >
            <RoundsChart data={chart} yLabel="Score">
              {withHistory.map((m, i) => (
                <Line
                  key={m.hotkey}
                  type="monotone"
                  dataKey={`uid ${m.uid}`}
                  stroke={phaseColor(i)}
                  fill={phaseColor(i)}
                  dot={{ r: 3 }}
                  isAnimationActive={false}
                  connectNulls
                />
              ))}
            </RoundsChart>
          </ChartFigure>
        )}
      </Card>
    </div>
  );
}
