"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { WeightsCycles } from "@/components/weights/weights-cycles";
import { Badge, Card, FilterInput, Select } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { Empty, QueryPanel } from "@/components/ui/states";
import { shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";

type Data = inferRouterOutputs<AppRouter>["search"]["miners"];
const COLORS = ["#2563eb", "#059669", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#4b5563", "#db2777"];

function QualityChart({ data, type }: { data: Data; type: string }) {
  const series = data.miners.map((m) => ({ hotkey: m.hotkey, w: m.types.find((t) => t.type === type)?.windows ?? [] }));
  const times = [...new Set(series.flatMap((s) => s.w.map((x) => new Date(x.at).getTime())))].sort((a, b) => a - b);
  const rows = times.map((at) => ({
    at,
    ...Object.fromEntries(series.map((s) => [s.hotkey, s.w.find((x) => new Date(x.at).getTime() === at)?.quality])),
  }));
  if (!rows.length) return <Empty>No scoring window yet.</Empty>;
  return (
    <div className="h-56 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 8, left: 0, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis
            dataKey="at"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tick={{ fontSize: 11 }}
            tickFormatter={(v: number) => new Date(v).toLocaleTimeString()}
          />
          <YAxis domain={[0, 1]} tick={{ fontSize: 11 }} width={36} />
          <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleString()} />
          <Legend wrapperStyle={{ fontSize: 11 }} formatter={(v: string) => shortKey(v)} />
          {series.map((s, i) => (
            <Line
              key={s.hotkey}
              dataKey={s.hotkey}
              name={s.hotkey}
              stroke={COLORS[i % COLORS.length]}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function SearchMinersView({ initial }: { initial: Data }) {
  const trpc = useTRPC();
  const [kind, setKind] = useState("");
  const [outcome, setOutcome] = useState("");
  const [hotkey, setHotkey] = useState("");
  const input = {
    ...(kind ? { kind: kind as "organic" | "synthetic" } : {}),
    ...(outcome ? { outcome: outcome as "ok" } : {}),
    ...(hotkey ? { hotkey } : {}),
  };
  const q = useQuery({
    ...trpc.search.miners.queryOptions(input),
    initialData: kind || outcome || hotkey ? undefined : initial,
    refetchInterval: 5000,
  });
  return (
    <QueryPanel query={q}>
      {(data) => (
        <div className="space-y-4">
          <Card title="Miners by search type">
            {data.miners.length === 0 ? (
              <Empty>No search miner scored yet: the first scoring epoch runs shortly after the start.</Empty>
            ) : (
              <Table
                head={[
                  "Miner",
                  "Type",
                  "Verified",
                  "Declared",
                  "Quality (EMA)",
                  "Gate",
                  "Failures",
                  "Unreachable since",
                ]}
                testId="search-miners-table"
                label="Miners by search type"
              >
                {data.miners.flatMap((m) =>
                  m.types.map((t) => (
                    <Row key={`${m.hotkey}-${t.type}`}>
                      <Cell>
                        <span title={m.hotkey} className="font-mono">
                          {m.uid} · {shortKey(m.hotkey)}
                        </span>
                      </Cell>
                      <Cell>{t.type}</Cell>
                      <Cell>{t.verified}</Cell>
                      <Cell>{t.declared}</Cell>
                      <Cell>{t.qualityAvg.toFixed(2)}</Cell>
                      <Cell>
                        <Badge tone={t.passed ? "green" : "red"}>{t.passed ? "pass" : "fail"}</Badge>
                      </Cell>
                      <Cell>{t.failures}</Cell>
                      <Cell>{t.unreachableSince ? <LocalTime at={t.unreachableSince} /> : "—"}</Cell>
                    </Row>
                  )),
                )}
              </Table>
            )}
          </Card>
          <div className="grid gap-4 lg:grid-cols-3">
            {(["ai_search", "x_search", "web_search"] as const).map((type) => (
              <Card key={type} title={`Quality per window: ${type} (gate ${data.thresholds[type]})`}>
                <QualityChart data={data} type={type} />
              </Card>
            ))}
          </div>
          <WeightsCycles cycles={data.weights} enabled={data.setWeights} />
          <Card
            title="Queries"
            action={
              <div className="flex flex-wrap gap-2">
                <Select compact aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value)}>
                  <option value="">all kinds</option>
                  <option value="organic">organic</option>
                  <option value="synthetic">synthetic</option>
                </Select>
                <Select compact aria-label="Outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
                  <option value="">all outcomes</option>
                  {["ok", "error", "timeout", "cancelled", "no_miner"].map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </Select>
                <FilterInput
                  id="search-query-hotkey"
                  label="Miner hotkey"
                  placeholder="hotkey"
                  value={hotkey}
                  onChange={(e) => setHotkey(e.target.value)}
                />
              </div>
            }
          >
            {data.queries.length === 0 ? (
              <Empty>No query matches.</Empty>
            ) : (
              <Table
                head={["Time", "Kind", "Route", "Prompt", "Miner", "Latency", "Outcome", "Score", "Why"]}
                testId="search-queries-table"
                label="Queries"
              >
                {data.queries.map((x) => (
                  <Row key={x.id}>
                    <Cell>
                      <LocalTime at={x.at} />
                    </Cell>
                    <Cell>{x.kind}</Cell>
                    <Cell>{x.route}</Cell>
                    <Cell>
                      <span className="line-clamp-1 max-w-48">{x.prompt}</span>
                    </Cell>
                    <Cell>{x.hotkey ? shortKey(x.hotkey) : "—"}</Cell>
                    <Cell>{Math.round(x.latencyMs)} ms</Cell>
                    <Cell>
                      <Badge tone={x.outcome === "ok" ? "green" : x.outcome === "cancelled" ? "gray" : "red"}>
                        {x.outcome}
                      </Badge>
                    </Cell>
                    <Cell>{x.score === null ? "—" : x.score.toFixed(2)}</Cell>
                    <Cell>
                      <span className="line-clamp-2 max-w-64 text-xs">{x.reason}</span>
                    </Cell>
                  </Row>
                ))}
              </Table>
            )}
          </Card>
        </div>
      )}
    </QueryPanel>
  );
}
