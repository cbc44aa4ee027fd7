"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Card, Stat } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { Empty, QueryPanel } from "@/components/ui/states";
import { formatNumber } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import { formatAlpha, PingBadge } from "./miners-view";
import { StateBadge } from "./state-badge";

type Miner = inferRouterOutputs<AppRouter>["validator"]["miner"];

/** One miner: registration, assignment, last seen, what it downloaded, why it was refused, its submissions. */
export function MinerDetail({ initial }: { initial: Miner }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.validator.miner.queryOptions({ hotkey: initial.hotkey }),
    initialData: initial,
    refetchInterval: 3000,
  });
  return <QueryPanel query={query}>{(m) => <Content m={m} />}</QueryPanel>;
}

function Content({ m }: { m: Miner }) {
  const served = m.activity.filter((a) => a.outcome === "served");
  const refused = m.activity.filter((a) => a.outcome === "refused");
  return (
    <div className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
        <Card>
          <Stat
            label="Registration"
            value={m.registered ? (m.validatorPermit ? "validator" : "registered") : "not registered"}
            hint={m.uid === null ? "not on the metagraph" : `uid ${m.uid}`}
          />
        </Card>
        <Card>
          <div className="text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Axon</div>
          <div className="mt-1" data-testid="miner-axon">
            <PingBadge miner={m} />
          </div>
          {m.ping && (
            <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
              {m.ping.status === 200 ? "answered" : m.ping.message} · <LocalTime at={m.ping.at} timeOnly />
            </div>
          )}
        </Card>
        <Card>
          <Stat label="Assigned group" value={m.assignedGroup ?? "any"} hint="set on Models" />
        </Card>
        <Card>
          <Stat
            label="Last seen"
            value={m.lastSeen ? <LocalTime at={m.lastSeen} timeOnly /> : "–"}
            testId="miner-last-seen"
          />
        </Card>
        <Card>
          <Stat
            label="Last rejection"
            value={m.lastRejection ? "see below" : "none"}
            hint={m.lastRejection ? <LocalTime at={m.lastRejection.at} /> : undefined}
          />
        </Card>
      </div>
      {m.onChain && (
        <Card title="On chain">
          <div className="grid gap-4 sm:grid-cols-3 lg:grid-cols-6" data-testid="miner-on-chain">
            <Stat label="Incentive" value={`${(m.onChain.incentive * 100).toFixed(2)}%`} />
            <Stat label="Consensus" value={`${(m.onChain.consensus * 100).toFixed(2)}%`} />
            <Stat label="Trust" value={`${(m.onChain.trust * 100).toFixed(2)}%`} />
            <Stat label="Dividends" value={`${(m.onChain.dividends * 100).toFixed(2)}%`} />
            <Stat label="Emission" value={formatAlpha(m.onChain.emissionAlphaRao)} hint="per epoch" />
            <Stat label="Stake" value={formatAlpha(m.onChain.stakeAlphaRao)} hint="own alpha on this subnet" />
          </div>
        </Card>
      )}
      {m.lastRejection && (
        <p
          className="rounded-lg bg-rose-50 p-2 text-sm text-rose-700 dark:bg-rose-950/40 dark:text-rose-300"
          data-testid="miner-last-rejection"
        >
          Last rejected submission:{" "}
          <Link href={`/submissions?id=${m.lastRejection.id}`} className="underline">
            {m.lastRejection.id.slice(0, 8)}
          </Link>
          : {m.lastRejection.reason ?? "no reason recorded"}
        </p>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Refused requests (last 7 days)">
          {refused.length === 0 ? (
            <Empty>No request of this miner was refused.</Empty>
          ) : (
            <Table head={["Route", "Count", "Last status", "Reason", "Last"]} testId="miner-refusals" label="Refusals">
              {refused.map((a) => (
                <Row key={a.route}>
                  <Cell className="font-mono text-xs">{a.route}</Cell>
                  <Cell>{a.count}</Cell>
                  <Cell>
                    <Badge tone="red">{a.lastStatus}</Badge>
                  </Cell>
                  <Cell className="whitespace-normal text-xs">{a.lastReason ?? "–"}</Cell>
                  <Cell className="text-xs">
                    <LocalTime at={a.lastAt} timeOnly />
                  </Cell>
                </Row>
              ))}
            </Table>
          )}
        </Card>
        <Card title="Downloads and accepted requests (last 7 days)">
          {served.length === 0 ? (
            <Empty>This miner has not downloaded or submitted anything.</Empty>
          ) : (
            <Table head={["Route", "Count", "First", "Last"]} testId="miner-downloads" label="Downloads">
              {served.map((a) => (
                <Row key={a.route}>
                  <Cell className="font-mono text-xs">{a.route}</Cell>
                  <Cell>{a.count}</Cell>
                  <Cell className="text-xs">
                    <LocalTime at={a.firstAt} />
                  </Cell>
                  <Cell className="text-xs">
                    <LocalTime at={a.lastAt} timeOnly />
                  </Cell>
                </Row>
              ))}
            </Table>
          )}
        </Card>
      </div>
      <Card title="Submissions">
        {m.submissions.length === 0 ? (
          <Empty>No submissions from this miner.</Empty>
        ) : (
          <Table
            head={["Round", "Group", "State", "Loss", "Baseline", "Score", "Points", "Submitted"]}
            testId="miner-history"
            label="Submission history"
          >
            {m.submissions.map((s) => (
              <Row key={s.id}>
                <Cell>
                  <Link
                    href={`/submissions?id=${s.id}`}
                    className="text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {s.round}
                  </Link>
                </Cell>
                <Cell>{s.expertGroup}</Cell>
                <Cell>
                  <StateBadge state={s.state} />
                </Cell>
                <Cell>{formatNumber(s.loss)}</Cell>
                <Cell>{formatNumber(s.baselineLoss)}</Cell>
                <Cell>{s.state === "rejected" ? "–" : formatNumber(s.score)}</Cell>
                <Cell>{s.points ?? "–"}</Cell>
                <Cell className="text-xs">
                  <LocalTime at={s.createdAt} />
                </Cell>
              </Row>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
