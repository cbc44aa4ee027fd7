"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Button, Card, FilterInput, Select, Stat } from "@/components/ui";
import { Cell, Row, Table, useSortedRows } from "@/components/ui/table";
import { Empty, QueryPanel } from "@/components/ui/states";
import { ChartFigure } from "@/components/ui/chart-figure";
import { GpuAvailabilityChart } from "@/components/charts/gpu-availability-chart";
import { shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";

type Inventory = inferRouterOutputs<AppRouter>["compute"]["inventory"];
type Miner = Inventory["miners"][number];

const STATUSES = [
  "",
  "available",
  "rented",
  "being verified",
  "not offered",
  "offline",
  "invalid",
  "no specs",
] as const;
const tone = {
  available: "green",
  rented: "amber",
  "being verified": "amber",
  "not offered": "gray",
  offline: "red",
  invalid: "red",
  "no specs": "gray",
} as const;
/** What each marketplace status means, on hover. */
const STATUS_TITLE: Record<string, string> = {
  available: "Free, and offered to renters (Proof of GPU holds)",
  rented: "Held by a customer's rental",
  "being verified": "Rented by Proof of GPU for its check right now; free again when the check ends",
  "not offered": "Not rented out until Proof of GPU verifies it (ALLOCATE_UNVERIFIED=1 rents it anyway)",
};

const columns = {
  hotkey: { label: "Hotkey", value: (m: Miner) => m.hotkey },
  status: { label: "Status", value: (m: Miner) => m.status },
  proof: {
    label: "Proof (score)",
    value: (m: Miner) => (m.proof ? (m.proof.verified ? 1 + m.proof.score : 0.5) : 0),
  },
  gpu: { label: "GPU", value: (m: Miner) => m.gpuName },
  count: { label: "GPUs", value: (m: Miner) => m.gpuCount },
  vram: { label: "VRAM", value: (m: Miner) => m.gpuCapacityGib },
  cpu: { label: "CPUs", value: (m: Miner) => m.cpuCount },
  ram: { label: "RAM", value: (m: Miner) => m.ramGib },
  disk: { label: "Disk", value: (m: Miner) => m.diskGib },
};

const MINIMUMS = [
  { key: "vram", label: "min VRAM GiB", value: (m: Miner) => m.gpuCapacityGib },
  { key: "cpu", label: "min CPUs", value: (m: Miner) => m.cpuCount ?? 0 },
  { key: "ram", label: "min RAM GiB", value: (m: Miner) => m.ramGib },
  { key: "disk", label: "min disk GiB", value: (m: Miner) => m.diskGib },
] as const;
type MinimumKey = (typeof MINIMUMS)[number]["key"];
const NO_MINIMUMS: Record<MinimumKey, string> = { vram: "", cpu: "", ram: "", disk: "" };

export function InventoryView({ initial, isAdmin }: { initial: Inventory; isAdmin: boolean }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.compute.inventory.queryOptions(), initialData: initial, refetchInterval: 2000 });
  return (
    <>
      {isAdmin && <RunProof />}
      <QueryPanel query={query}>{(data) => <Content data={data} isAdmin={isAdmin} />}</QueryPanel>
    </>
  );
}

/** Admins start a Proof of GPU round now rather than at the next interval. */
function RunProof() {
  const trpc = useTRPC();
  const [message, setMessage] = useState<string | null>(null);
  const run = useMutation(
    trpc.compute.runProof.mutationOptions({
      onSuccess: (r) => setMessage(r.message),
      onError: (e) => setMessage(e.message),
    }),
  );
  return (
    <div className="mb-4 flex flex-wrap items-center gap-3">
      <Button type="button" variant="secondary" disabled={run.isPending} onClick={() => run.mutate()}>
        Run Proof of GPU now
      </Button>
      {message && (
        <span role="status" className="text-sm text-zinc-600 dark:text-zinc-300">
          {message}
        </span>
      )}
    </div>
  );
}

function Content({ data, isAdmin }: { data: Inventory; isAdmin: boolean }) {
  const [model, setModel] = useState("");
  const [hotkey, setHotkey] = useState("");
  const [minimum, setMinimum] = useState(NO_MINIMUMS);
  const [status, setStatus] = useState<(typeof STATUSES)[number]>("");
  const filtered = useMemo(
    () =>
      data.miners.filter(
        (m) =>
          (!model.trim() || (m.gpuName ?? "").includes(model.trim().toLowerCase())) &&
          (!hotkey.trim() || m.hotkey.toLowerCase().includes(hotkey.trim().toLowerCase())) &&
          MINIMUMS.every((f) => {
            const min = Number(minimum[f.key]);
            return !minimum[f.key] || !Number.isFinite(min) || f.value(m) >= min;
          }) &&
          (!status || m.status === status),
      ),
    [data.miners, model, hotkey, minimum, status],
  );
  const { rows, head } = useSortedRows(filtered, columns, { key: "count", dir: "descending" });
  const gpus = data.byModel.reduce((n, r) => n + r.gpus, 0);
  const filtering = !!(model || hotkey || status || Object.values(minimum).some(Boolean));
  const clear = () => (setModel(""), setHotkey(""), setMinimum(NO_MINIMUMS), setStatus(""));
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Card>
          <Stat label="GPUs reported" value={gpus} testId="inventory-gpus" />
        </Card>
        <Card>
          <Stat
            label="Machines"
            value={data.miners.filter((m) => m.state === "reported").length}
            hint={`${data.miners.length} miners asked`}
          />
        </Card>
        <Card>
          <Stat label="Invalid reports" value={data.miners.filter((m) => m.state === "invalid").length} />
        </Card>
        <Card>
          <Stat
            label="Unreachable or no Specs"
            value={data.miners.filter((m) => m.state === "unreachable" || m.state === "unknown").length}
          />
        </Card>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="GPUs by model">
          {data.byModel.length === 0 ? (
            <Empty>No miner has reported a GPU yet: miners are asked for their Specs every few minutes.</Empty>
          ) : (
            <Table head={["Model", "GPUs", "Reserved", "Machines"]} testId="gpus-by-model" label="GPUs by model">
              {data.byModel.map((r) => (
                <Row key={r.model}>
                  <Cell>{r.model}</Cell>
                  <Cell>{r.gpus}</Cell>
                  <Cell>{r.reserved}</Cell>
                  <Cell>{r.machines}</Cell>
                </Row>
              ))}
            </Table>
          )}
        </Card>
        <Card title="Availability">
          {data.samples.length < 2 ? (
            <Empty>The chart fills in as the inventory and the allocations are checked.</Empty>
          ) : (
            <ChartFigure
              title="GPUs available and reserved, last 24 hours"
              summary="Stacked: GPUs free to rent and GPUs rented, at each inventory run and allocation check."
              head={["Time", "Available", "Reserved"]}
              rows={data.samples.map((x) => [new Date(x.at).toLocaleString(), x.available, x.reserved])}
              testId="gpu-availability"
            >
              <GpuAvailabilityChart data={data.samples} />
            </ChartFigure>
          )}
        </Card>
      </div>
      <Card
        title="Machines"
        action={
          <div className="flex flex-wrap gap-2">
            <FilterInput
              id="inventory-model"
              label="GPU model"
              placeholder="GPU model"
              value={model}
              onChange={(e) => setModel(e.target.value)}
            />
            {MINIMUMS.map((f) => (
              <FilterInput
                key={f.key}
                id={`inventory-${f.key}`}
                label={f.label.replace("min", "Minimum")}
                placeholder={f.label}
                inputMode="decimal"
                value={minimum[f.key]}
                onChange={(e) => setMinimum({ ...minimum, [f.key]: e.target.value })}
                className="w-24"
              />
            ))}
            <label className="sr-only" htmlFor="inventory-status">
              Status
            </label>
            <Select
              id="inventory-status"
              compact
              value={status}
              onChange={(e) => setStatus(e.target.value as typeof status)}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s || "all statuses"}
                </option>
              ))}
            </Select>
            <FilterInput
              id="inventory-hotkey"
              label="Hotkey"
              placeholder="hotkey"
              value={hotkey}
              onChange={(e) => setHotkey(e.target.value)}
            />
          </div>
        }
      >
        {data.miners.length === 0 ? (
          <Empty>No compute miner on the metagraph yet.</Empty>
        ) : rows.length === 0 ? (
          <Empty onClear={filtering ? clear : undefined}>No machine matches these filters.</Empty>
        ) : (
          <>
            <p className="mb-2 text-xs text-zinc-500 dark:text-zinc-400">
              Sizes in GiB: VRAM summed over the GPUs, RAM available, disk free.
            </p>
            <Table head={head} testId="inventory-table" label="Machines">
              {rows.map((m) => {
                const reported = m.state === "reported";
                return (
                  <Row key={m.hotkey}>
                    <Cell className="font-mono text-xs" title={m.hotkey}>
                      {shortKey(m.hotkey)}
                    </Cell>
                    {/* Status and proof first: what a phone shows without scrolling. */}
                    <Cell>
                      <span title={reported ? STATUS_TITLE[m.status] : (m.reason ?? undefined)}>
                        <Badge tone={tone[m.status as keyof typeof tone] ?? "gray"}>{m.status}</Badge>
                      </span>
                      {isAdmin && m.status === "available" && (
                        <Link
                          href={`/allocations?hotkey=${encodeURIComponent(m.hotkey)}`}
                          className="ml-2 text-xs text-sky-700 underline dark:text-sky-400"
                          aria-label={`Rent ${m.gpuName ?? "machine"} ${shortKey(m.hotkey)}`}
                        >
                          Rent
                        </Link>
                      )}
                      {m.reason && (
                        <div className="max-w-56 truncate text-xs text-zinc-500 dark:text-zinc-400">{m.reason}</div>
                      )}
                      <div className="text-xs text-zinc-500 dark:text-zinc-400">
                        {m.lastSeenAt ? (
                          <>
                            seen <LocalTime at={m.lastSeenAt} timeOnly />
                          </>
                        ) : (
                          "never seen"
                        )}
                      </div>
                    </Cell>
                    <Cell>
                      <ProofCell proof={m.proof} />
                    </Cell>
                    <Cell>{m.gpuName ?? "–"}</Cell>
                    <Cell>{reported ? m.gpuCount : "–"}</Cell>
                    <Cell>{reported ? m.gpuCapacityGib : "–"}</Cell>
                    <Cell>{m.cpuCount ?? "–"}</Cell>
                    <Cell>{reported ? m.ramGib : "–"}</Cell>
                    <Cell>{reported ? m.diskGib : "–"}</Cell>
                  </Row>
                );
              })}
            </Table>
          </>
        )}
      </Card>
    </div>
  );
}

function ProofCell({ proof }: { proof: Miner["proof"] }) {
  if (!proof) return <span className="text-xs text-zinc-500 dark:text-zinc-400">not yet</span>;
  return (
    <div className="space-y-0.5">
      <Badge tone={proof.verified ? "green" : "red"}>
        {proof.verified ? `verified (${proof.score.toFixed(2)})` : proof.failures >= 3 ? "unverified" : "failed"}
      </Badge>
      {proof.identified && (
        <div
          className={`text-xs ${proof.mismatch ? "text-rose-700 dark:text-rose-400" : "text-zinc-600 dark:text-zinc-300"}`}
        >
          {proof.mismatch ? `measures as ${proof.identified}` : proof.identified}
        </div>
      )}
      {!proof.verified && proof.reason && (
        <div className="max-w-56 truncate text-xs text-zinc-500 dark:text-zinc-400" title={proof.reason}>
          {proof.reason}
        </div>
      )}
    </div>
  );
}
