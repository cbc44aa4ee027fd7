"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Card, Stat } from "@/components/ui";
import { refetchMs, useNow } from "@/components/phases/use-live";
import { Cell, Row, Table } from "@/components/ui/table";
import { Empty } from "@/components/ui/states";
import { RoundHealth } from "./round-health";
import { ComputeHealth, SearchHealth } from "./role-health";

const linkClass = "text-xs text-indigo-700 hover:underline dark:text-indigo-300";

type Overview = inferRouterOutputs<AppRouter>["system"]["overview"];

export function LiveOverview({ initial }: { initial: Overview }) {
  const trpc = useTRPC();
  const { data = initial, isError } = useQuery({
    ...trpc.system.overview.queryOptions(),
    initialData: initial,
    refetchInterval: refetchMs(initial.chain.blockTimeMs),
  });
  const now = useNow(1000);
  const { chain, phase, jobs, modules, requests } = data;
  const on = (role: string) => modules.some((m) => m.role === role && m.enabled);
  const troubled = requests.filter((r) => r.refused + r.failed > 0);
  const headAge = chain.lastHeadAt && now !== null ? Math.max(0, Math.round((now - chain.lastHeadAt) / 1000)) : null;

  return (
    <div className="space-y-4">
      {on("validator") && <RoundHealth refetchMs={refetchMs(initial.chain.blockTimeMs)} />}
      {on("compute") && <ComputeHealth refetchMs={refetchMs(initial.chain.blockTimeMs)} />}
      {on("search") && <SearchHealth refetchMs={refetchMs(initial.chain.blockTimeMs)} />}
      <div className="grid gap-4 md:grid-cols-3">
        <Card
          title="Chain"
          action={
            // Last known values are kept, but a console that stopped answering is not called connected.
            isError ? (
              <Badge tone="red">console unreachable</Badge>
            ) : (
              <Badge tone={chain.connected ? "green" : "red"}>{chain.connected ? "connected" : "disconnected"}</Badge>
            )
          }
        >
          {isError && (
            <p role="alert" className="mb-2 text-xs text-rose-600 dark:text-rose-400">
              This console&apos;s API is not answering: the figures below are the last ones received.
            </p>
          )}
          <div className="space-y-3">
            <Stat
              label="Head"
              value={chain.head?.toLocaleString("en-US") ?? "–"}
              testId="overview-head"
              hint={!chain.lastHeadAt ? "no head yet" : headAge === null ? "seen just now" : `seen ${headAge}s ago`}
            />
            <dl className="grid grid-cols-2 gap-x-2 gap-y-1 text-xs text-zinc-500 dark:text-zinc-400">
              <dt>Source</dt>
              <dd className="truncate text-right text-zinc-700 dark:text-zinc-300" title={chain.endpoint}>
                {chain.kind === "devnet" ? `devnet · ${chain.endpoint}` : chain.endpoint}
              </dd>
              <dt>Netuid</dt>
              <dd className="text-right text-zinc-700 dark:text-zinc-300">{chain.netuid}</dd>
              <dt>Reconnects</dt>
              <dd className="text-right text-zinc-700 dark:text-zinc-300">{chain.reconnects}</dd>
              <dt>Neurons</dt>
              <dd className="text-right text-zinc-700 dark:text-zinc-300">{data.neurons}</dd>
            </dl>
            {chain.lastError && <p className="text-xs text-rose-600">{chain.lastError}</p>}
          </div>
        </Card>
        <Card
          title="Phase"
          action={
            <Link href="/phases" className="text-xs text-indigo-600 hover:underline dark:text-indigo-400">
              Timeline →
            </Link>
          }
        >
          {phase ? (
            <div className="space-y-3">
              <Stat
                label="Current"
                value={phase.phase_name}
                testId="overview-phase"
                hint={`cycle ${phase.cycle_index.toLocaleString("en-US")}, block ${phase.cycle_block_index + 1} of ${phase.cycle_length}`}
              />
              <div className="h-2 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
                <div
                  className="h-full bg-indigo-600 transition-all"
                  style={{ width: `${((phase.cycle_block_index + 1) / phase.cycle_length) * 100}%` }}
                />
              </div>
              <p className="text-xs text-zinc-500 dark:text-zinc-400">
                {phase.blocks_remaining_in_phase} blocks left in this phase
              </p>
            </div>
          ) : (
            <p className="text-sm text-zinc-500 dark:text-zinc-400">Waiting for the chain head.</p>
          )}
        </Card>
        <Card title="Background jobs">
          <div className="grid grid-cols-3 gap-2">
            <Stat label="Queued" value={jobs.queued} />
            <Stat label="Running" value={jobs.running} />
            <Stat label="Dead" value={jobs.dead} />
          </div>
          <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
            Database: {data.database === "sqlite" ? "SQLite" : "PostgreSQL"}
          </p>
        </Card>
      </div>
      <Card
        title="Requests since start"
        action={
          <a className={linkClass} href="/metrics">
            /metrics →
          </a>
        }
      >
        {requests.length === 0 ? (
          <Empty>No API request answered since this console started.</Empty>
        ) : (
          <>
            <p className="mb-2 text-xs text-zinc-500 dark:text-zinc-400" data-testid="requests-summary">
              {troubled.length === 0
                ? "Every request was answered with success."
                : `${troubled.length} route${troubled.length > 1 ? "s" : ""} refused or failed requests.`}
            </p>
            <Table
              head={["Route", "Requests", "Refused (4xx)", "Failed (5xx)"]}
              testId="requests-table"
              label="Requests by route"
            >
              {requests.slice(0, 12).map((r) => (
                <Row key={r.route}>
                  <Cell className="font-mono text-xs">{r.route}</Cell>
                  <Cell>{r.requests}</Cell>
                  <Cell>{r.refused > 0 ? <Badge tone="red">{r.refused}</Badge> : 0}</Cell>
                  <Cell>{r.failed > 0 ? <Badge tone="red">{r.failed}</Badge> : 0}</Cell>
                </Row>
              ))}
            </Table>
          </>
        )}
      </Card>
      <Card title="Modules">
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {modules.map((m) => (
            <li key={m.role} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <div className="min-w-0">
                <div className="text-sm font-medium">{m.title}</div>
                <div className="truncate text-xs text-zinc-500 dark:text-zinc-400">{m.paths}</div>
                {m.enabled && m.restKey && !m.restKey.on && (
                  <div className="text-xs text-amber-800 dark:text-amber-300" data-testid={`rest-off-${m.role}`}>
                    REST API off (403) until it has a key:{" "}
                    <Link href="/settings" className="text-indigo-700 underline dark:text-indigo-300">
                      create one on Settings
                    </Link>{" "}
                    or set {m.restKey.env}.
                  </div>
                )}
              </div>
              <Badge tone={m.enabled ? "green" : "gray"}>{m.enabled ? "on" : "off"}</Badge>
            </li>
          ))}
        </ul>
        <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">
          API reference:{" "}
          <a className="text-indigo-600 hover:underline dark:text-indigo-400" href="/docs">
            /docs
          </a>{" "}
          ·{" "}
          <a className="text-indigo-600 hover:underline dark:text-indigo-400" href="/openapi.json">
            /openapi.json
          </a>{" "}
          ·{" "}
          <a className="text-indigo-600 hover:underline dark:text-indigo-400" href="/metrics">
            /metrics
          </a>
        </p>
      </Card>
    </div>
  );
}
