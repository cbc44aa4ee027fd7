"use client";
import type { WeightsCycle } from "@/server/chain/weights";
import { Badge, Card } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { Empty } from "@/components/ui/states";
import { LocalTime } from "@/components/ui/local-time";

const TONE = {
  set: "green",
  revealed: "green",
  committed: "amber",
  not_revealed: "red",
  failed: "red",
  skipped: "gray",
} as const;

export const WEIGHTS_STATUS_LABEL = {
  set: "set",
  revealed: "revealed",
  committed: "waiting for reveal",
  not_revealed: "not revealed",
  failed: "failed",
  skipped: "skipped",
} as const;

/** What happened to one cycle's weights, step by step. */
export function cyclePath(c: WeightsCycle): string {
  const steps: string[] = [];
  if (c.status === "set") steps.push(`set_weights in block ${c.inBlock}`);
  if (c.revealRound !== null) {
    steps.push(`committed in block ${c.inBlock ?? "?"} to drand round ${c.revealRound}`);
    if (c.status === "committed") steps.push(`reveals from block ${c.revealBlock}`);
    if (c.status === "revealed") steps.push(`revealed at block ${c.revealedAt}`);
  }
  if (c.reason) steps.push(c.reason);
  return steps.join(" → ");
}

/** Each weights cycle of a role: computed -> set, or committed (round R) -> revealed at block B, or why not. */
export function WeightsCycles({ cycles, enabled }: { cycles: WeightsCycle[]; enabled: boolean }) {
  return (
    <Card title="Weights on chain">
      {cycles.length === 0 ? (
        <Empty>
          {enabled
            ? "No weights cycle yet: the first runs WEIGHTS_INTERVAL_BLOCKS blocks after start."
            : "Weights are not set on chain (SET_WEIGHTS is off)."}
        </Empty>
      ) : (
        <Table head={["Computed", "Uids", "Status", "Path"]} testId="weights-cycles" label="Weights cycles">
          {cycles.map((c) => (
            <Row key={c.id}>
              <Cell>
                <LocalTime at={c.at} timeOnly />{" "}
                {c.block !== null ? <span className="text-zinc-500 dark:text-zinc-400">#{c.block}</span> : null}
              </Cell>
              <Cell className="tabular-nums">{c.uids.length}</Cell>
              <Cell>
                <Badge tone={TONE[c.status]}>{WEIGHTS_STATUS_LABEL[c.status]}</Badge>
              </Cell>
              <Cell className="whitespace-normal text-xs" title={c.txHash ?? undefined}>
                {cyclePath(c)}
              </Cell>
            </Row>
          ))}
        </Table>
      )}
    </Card>
  );
}
