"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Card, Input, Select, Stat } from "@/components/ui";
import { Cell, Row, Table, useSortedRows } from "@/components/ui/table";
import { Empty, QueryPanel } from "@/components/ui/states";
import { shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";

type Inventory = inferRouterOutputs<AppRouter>["compute"]["inventory"];
type Miner = Inventory["miners"][number];

const STATES = ["", "reported", "invalid", "unknown", "unreachable"] as const;
const tone = { reported: "green", invalid: "red", unknown: "gray", unreachable: "red" } as const;

const columns = {
  hotkey: { label: "Hotkey", value: (m: Miner) => m.hotkey },
  gpu: { label: "GPU", value: (m: Miner) => m.gpuName },
  count: { label: "GPUs", value: (m: Miner) => m.gpuCount },
  vram: { label: "VRAM (GiB)", value: (m: Miner) => m.gpuCapacityGib },
  cpu: { label: "CPUs", value: (m: Miner) => m.cpuCount },
  ram: { label: "RAM free (GiB)", value: (m: Miner) => m.ramGib },
  disk: { label: "Disk free (GiB)", value: (m: Miner) => m.diskGib },
  state: { label: "State", value: (m: Miner) => m.state },
  seen: { label: "Last seen", value: (m: Miner) => (m.lastSeenAt ? new Date(m.lastSeenAt).getTime() : null) },
};

export function InventoryView({ initial }: { initial: Inventory }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.compute.inventory.queryOptions(), initialData: initial, refetchInterval: 2000 });
  return <QueryPanel query={query}>{(data) => <Content data={data} />}</QueryPanel>;
}

function Content({ data }: { data: Inventory }) {
  const [model, setModel] = useState("");
  const [minVram, setMinVram] = useState("");
  const [state, setState] = useState<(typeof STATES)[number]>("");
  const filtered = useMemo(() => {
    const min = Number(minVram);
    return data.miners.filter(
      (m) =>
        (!model.trim() || (m.gpuName ?? "").includes(model.trim().toLowerCase())) &&
        (!minVram || !Number.isFinite(min) || m.gpuCapacityGib >= min) &&
        (!state || m.state === state),
    );
  }, [data.miners, model, minVram, state]);
  const { rows, head } = useSortedRows(filtered, columns, { key: "count", dir: "descending" });
  const gpus = data.byModel.reduce((n, r) => n + r.gpus, 0);
  const filtering = !!(model || minVram || state);
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
      <Card title="GPUs by model">
        {data.byModel.length === 0 ? (
          <Empty>No miner has reported a GPU yet: miners are asked for their Specs every few minutes.</Empty>
        ) : (
          <Table head={["Model", "GPUs", "Machines"]} testId="gpus-by-model">
            {data.byModel.map((r) => (
              <Row key={r.model}>
                <Cell>{r.model}</Cell>
                <Cell>{r.gpus}</Cell>
                <Cell>{r.machines}</Cell>
              </Row>
            ))}
          </Table>
        )}
      </Card>
      <Card
        title="Machines"
        action={
          <div className="flex flex-wrap gap-2">
            <label className="sr-only" htmlFor="inventory-model">
              GPU model
            </label>
            <Input
              id="inventory-model"
              placeholder="GPU model"
              value={model}
              onChange={(e) => setModel(e.target.value)}
              className="w-32 py-1 text-xs"
            />
            <label className="sr-only" htmlFor="inventory-vram">
              Minimum VRAM (GiB)
            </label>
            <Input
              id="inventory-vram"
              placeholder="min VRAM GiB"
              inputMode="decimal"
              value={minVram}
              onChange={(e) => setMinVram(e.target.value)}
              className="w-28 py-1 text-xs"
            />
            <label className="sr-only" htmlFor="inventory-state">
              State
            </label>
            <Select
              id="inventory-state"
              value={state}
              onChange={(e) => setState(e.target.value as typeof state)}
              compact
            >
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s || "all states"}
                </option>
              ))}
            </Select>
          </div>
        }
      >
        {data.miners.length === 0 ? (
          <Empty>No compute miner on the metagraph yet.</Empty>
        ) : rows.length === 0 ? (
          <Empty onClear={filtering ? () => (setModel(""), setMinVram(""), setState("")) : undefined}>
            No machine matches these filters.
          </Empty>
        ) : (
          <Table head={head} testId="inventory-table">
            {rows.map((m) => (
              <Row key={m.hotkey}>
                <Cell className="font-mono text-xs" title={m.hotkey}>
                  {shortKey(m.hotkey)}
                </Cell>
                <Cell>{m.gpuName ?? "–"}</Cell>
                <Cell>{m.state === "reported" ? m.gpuCount : "–"}</Cell>
                <Cell>{m.state === "reported" ? m.gpuCapacityGib : "–"}</Cell>
                <Cell>{m.cpuCount ?? "–"}</Cell>
                <Cell>{m.state === "reported" ? m.ramGib : "–"}</Cell>
                <Cell>{m.state === "reported" ? m.diskGib : "–"}</Cell>
                <Cell>
                  <span title={m.reason ?? undefined}>
                    <Badge tone={tone[m.state as keyof typeof tone] ?? "gray"}>
                      {m.state === "reported" ? "self-reported" : m.state}
                    </Badge>
                  </span>
                  {m.reserved && (
                    <span className="ml-1">
                      <Badge tone="amber">reserved</Badge>
                    </span>
                  )}
                  {m.reason && (
                    <div className="max-w-64 truncate text-xs text-zinc-500 dark:text-zinc-400">{m.reason}</div>
                  )}
                </Cell>
                <Cell className="text-xs">{m.lastSeenAt ? <LocalTime at={m.lastSeenAt} timeOnly /> : "never"}</Cell>
              </Row>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
