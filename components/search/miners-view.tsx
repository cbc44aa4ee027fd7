"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { WeightsCycles } from "@/components/weights/weights-cycles";
import { Badge, Button, Card, FilterInput, Select } from "@/components/ui";
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
        <LineChart data={rows} margin={{ top: 8, right: 8, left: 0, bottom: 20 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis
            dataKey="at"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tick={{ fontSize: 11 }}
            tickFormatter={(v: number) => new Date(v).toLocaleTimeString()}
            label={{ value: "Window (local time)", position: "insideBottom", offset: -4, fontSize: 11 }}
          />
          <YAxis
            domain={[0, 1]}
            tick={{ fontSize: 11 }}
            width={44}
            label={{ value: "Quality (0–1)", angle: -90, position: "insideLeft", offset: 10, fontSize: 11 }}
          />
          <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleString()} />
          <Legend wrapperStyle={{ fontSize: 11, paddingTop: 14 }} formatter={(v: string) => shortKey(v)} />
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
  const [page, setPage] = useState(1);
  const input = {
    ...(kind ? { kind: kind as "organic" | "synthetic" } : {}),
    ...(outcome ? { outcome: outcome as "ok" } : {}),
    ...(hotkey ? { hotkey } : {}),
    page,
  };
  /** A filter change shows its first page. */
  const filter = (set: (v: string) => void) => (e: { target: { value: string } }) => {
    set(e.target.value);
    setPage(1);
  };
  const q = useQuery({
    ...trpc.search.miners.queryOptions(input),
    initialData: kind || outcome || hotkey || page > 1 ? undefined : initial,
    placeholderData: keepPreviousData,
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
                  "Gate",
                  "Quality (EMA)",
                  "Verified",
                  "Declared",
                  "Failures",
                  "Unreachable since",
                ]}
                testId="search-miners-table"
                label="Miners by search type"
              >
                {data.miners.flatMap((m) =>
                  m.types.map((t, k) => (
                    <Row key={`${m.hotkey}-${t.type}`}>
                      {/* The three types of a miner are one group: its name spans them. */}
                      {k === 0 && (
                        <th
                          scope="rowgroup"
                          rowSpan={m.types.length}
                          className="py-1 pr-3 text-left align-top font-normal"
                        >
                          <span title={m.hotkey} className="font-mono">
                            {m.uid} · {shortKey(m.hotkey)}
                          </span>
                        </th>
                      )}
                      <Cell>{t.type}</Cell>
                      <Cell>
                        <Badge tone={t.passed ? "green" : "red"}>{t.passed ? "pass" : "fail"}</Badge>
                      </Cell>
                      <Cell>{t.qualityAvg.toFixed(2)}</Cell>
                      <Cell>{t.verified}</Cell>
                      <Cell>{t.declared}</Cell>
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
                <Select compact aria-label="Kind" value={kind} onChange={filter(setKind)}>
                  <option value="">all kinds</option>
                  <option value="organic">organic</option>
                  <option value="synthetic">synthetic</option>
                </Select>
                <Select compact aria-label="Outcome" value={outcome} onChange={filter(setOutcome)}>
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
                  onChange={filter(setHotkey)}
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
                      <span title={`${x.outcome} (HTTP ${x.status})`}>
                        <Badge tone={x.verdict === "ok" ? "green" : x.verdict === "cancelled" ? "gray" : "red"}>
                          {x.verdict.replace("_", " ")}
                        </Badge>
                      </span>
                    </Cell>
                    <Cell>{x.score === null ? "—" : x.score.toFixed(2)}</Cell>
                    <Cell>
                      <span className="block min-w-48 max-w-80 whitespace-normal break-words text-xs">{x.reason}</span>
                    </Cell>
                  </Row>
                ))}
              </Table>
            )}
            <Pager page={data.queryPage} onPage={setPage} />
          </Card>
        </div>
      )}
    </QueryPanel>
  );
}

/** Newer and older pages of the query log, with where this page sits. */
function Pager({ page, onPage }: { page: Data["queryPage"]; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  if (pages === 1) return null;
  const first = (page.page - 1) * page.pageSize + 1;
  return (
    <nav aria-label="Query log pages" className="mt-3 flex items-center gap-3 text-sm">
      <Button type="button" variant="secondary" disabled={page.page <= 1} onClick={() => onPage(page.page - 1)}>
        Newer
      </Button>
      <span className="text-zinc-600 dark:text-zinc-300" data-testid="queries-page">
        {first.toLocaleString("en-US")}–{Math.min(first + page.pageSize - 1, page.total).toLocaleString("en-US")} of{" "}
        {page.total.toLocaleString("en-US")}
      </span>
      <Button type="button" variant="secondary" disabled={page.page >= pages} onClick={() => onPage(page.page + 1)}>
        Older
      </Button>
    </nav>
  );
}
