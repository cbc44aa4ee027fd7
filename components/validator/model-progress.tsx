"use client";
import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Line } from "recharts";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Button, Card } from "@/components/ui";
import { RoundsChart } from "@/components/charts/rounds-chart";
import { ChartFigure } from "@/components/ui/chart-figure";
import { Cell, Row, Table } from "@/components/ui/table";
import { Empty } from "@/components/ui/states";
import { formatBytes, formatNumber, shortKey } from "@/components/ui/format";

type Models = inferRouterOutputs<AppRouter>["validator"]["models"];

/** Published versions with their baseline loss and where merged ones came from; admins can serve any. */
export function VersionsCard({ data, isAdmin }: { data: Models; isAdmin: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const serve = useMutation(
    trpc.validator.serve.mutationOptions({
      onSuccess: (d) => {
        setMessage({ ok: true, text: `Serving ${d.name} to miners from now on.` });
        void qc.invalidateQueries({ queryKey: trpc.validator.models.queryKey() });
      },
      onError: (e) => setMessage({ ok: false, text: e.message }),
    }),
  );
  return (
    <Card title="Model versions">
      {data.lastMerge && (
        <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-300" data-testid="last-merge">
          Round {data.lastMerge.round}&apos;s merge:{" "}
          {"version" in data.lastMerge
            ? `published ${data.lastMerge.version}.`
            : `nothing published (${data.lastMerge.skipped}).`}
        </p>
      )}
      {data.versions.length === 0 ? (
        <Empty>No model published yet: publish a directory below, or let the devnet train one.</Empty>
      ) : (
        <Table
          head={["Version", "Served", "Baseline loss", "Merged from", "Submissions", "Block", "Size", "Downloads"]}
          testId="versions-table"
          label="Model versions"
        >
          {data.versions.map((v) => (
            <Row key={v.id}>
              <Cell className="font-medium">
                <span title={v.artifacts.find((a) => a.selector === "full")?.sha256}>{v.name}</span>
              </Cell>
              <Cell>
                {v.current ? (
                  <span className="inline-flex gap-1">
                    <Badge tone="green">served</Badge>
                    {v.pinned && (
                      <span title="An admin chose this version (a rollback); newer versions are published but not served">
                        <Badge tone="amber">pinned</Badge>
                      </span>
                    )}
                  </span>
                ) : isAdmin ? (
                  <Button
                    variant="secondary"
                    className="py-0.5 text-xs"
                    disabled={serve.isPending}
                    onClick={() =>
                      window.confirm(`Serve ${v.name} to miners instead of the current version?`) &&
                      serve.mutate({ id: v.id })
                    }
                  >
                    Serve this version
                  </Button>
                ) : (
                  "–"
                )}
              </Cell>
              <Cell>{formatNumber(v.baselineLoss)}</Cell>
              <Cell className="whitespace-normal text-xs">
                {v.lineage ? (
                  <details>
                    <summary className="cursor-pointer">
                      {v.lineage.from}, round {v.lineage.round}: {v.lineage.groups.length} group
                      {v.lineage.groups.length === 1 ? "" : "s"}
                    </summary>
                    <ul className="mt-1 space-y-0.5" data-testid={`lineage-${v.name}`}>
                      {v.lineage.groups.map((g) => (
                        <li key={g.group}>
                          group {g.group} ←{" "}
                          <Link
                            href={`/submissions?id=${g.submissionId}`}
                            className="text-indigo-700 hover:underline dark:text-indigo-300"
                          >
                            {shortKey(g.hotkey)}
                          </Link>{" "}
                          (loss {formatNumber(g.loss)})
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : (
                  "published"
                )}
              </Cell>
              <Cell>{v.submissions}</Cell>
              <Cell>{v.blockNumber.toLocaleString("en-US")}</Cell>
              <Cell>{formatBytes(v.totalBytes)}</Cell>
              <Cell>{v.artifacts.reduce((n, a) => n + a.downloads, 0)}</Cell>
            </Row>
          ))}
        </Table>
      )}
      {message && (
        <p
          role={message.ok ? "status" : "alert"}
          className={
            message.ok
              ? "mt-2 text-xs text-emerald-700 dark:text-emerald-400"
              : "mt-2 text-xs text-rose-600 dark:text-rose-400"
          }
        >
          {message.text}
        </p>
      )}
    </Card>
  );
}

/** Best loss of each round against the baseline of the model it was trained on. */
export function LossChart({ rounds }: { rounds: Models["rounds"] }) {
  return (
    <Card title="Loss over rounds">
      {rounds.length === 0 ? (
        <Empty>No scored round yet: the chart fills in after each Validate phase.</Empty>
      ) : (
        <ChartFigure
          title="Best loss and baseline per round"
          summary={`The lowest evaluation loss of the round's scored submissions and the served model's baseline, rounds ${rounds[0].round}–${rounds.at(-1)!.round}.`}
          head={["Round", "Best loss", "Baseline loss", "Scored submissions"]}
          rows={rounds.map((r) => [r.round, formatNumber(r.bestLoss), formatNumber(r.baselineLoss), r.scored])}
          testId="loss-chart"
        >
          <RoundsChart data={rounds} yLabel="Loss" className="h-64">
            <Line
              dataKey="bestLoss"
              name="best loss"
              stroke="#4f46e5"
              dot={{ r: 3, fill: "#4f46e5" }}
              isAnimationActive={false}
            />
            <Line
              dataKey="baselineLoss"
              name="baseline"
              stroke="#71717a"
              strokeDasharray="4 4"
              dot={{ r: 3, fill: "#71717a" }}
              isAnimationActive={false}
            />
          </RoundsChart>
        </ChartFigure>
      )}
    </Card>
  );
}
