"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { Badge, Card, FilterInput, Select } from "@/components/ui";
import { Cell, Row, Table, useSortedRows } from "@/components/ui/table";
import { Empty } from "@/components/ui/states";
import { shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import type { Inventory } from "./allocation-types";

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

type Status = (typeof STATUSES)[number];

/** The filters over the machines: GPU model, minimums, status, hotkey. */
function useMachineFilters(miners: Miner[]) {
  const [model, setModel] = useState("");
  const [hotkey, setHotkey] = useState("");
  const [minimum, setMinimum] = useState(NO_MINIMUMS);
  const [status, setStatus] = useState<Status>("");
  const filtered = useMemo(
    () =>
      miners.filter(
        (m) =>
          (!model.trim() || (m.gpuName ?? "").includes(model.trim().toLowerCase())) &&
          (!hotkey.trim() || m.hotkey.toLowerCase().includes(hotkey.trim().toLowerCase())) &&
          MINIMUMS.every((f) => {
            const min = Number(minimum[f.key]);
            return !minimum[f.key] || !Number.isFinite(min) || f.value(m) >= min;
          }) &&
          (!status || m.status === status),
      ),
    [miners, model, hotkey, minimum, status],
  );
  return {
    model,
    setModel,
    hotkey,
    setHotkey,
    minimum,
    setMinimum,
    status,
    setStatus,
    filtered,
    filtering: !!(model || hotkey || status || Object.values(minimum).some(Boolean)),
    clear: () => (setModel(""), setHotkey(""), setMinimum(NO_MINIMUMS), setStatus("")),
  };
}

/** Every compute miner asked, filterable and sortable; admins rent a free one from its row. */
export function MachinesCard({ miners, isAdmin }: { miners: Miner[]; isAdmin: boolean }) {
  const f = useMachineFilters(miners);
  const { rows, head } = useSortedRows(f.filtered, columns, { key: "count", dir: "descending" });
  return (
    <Card title="Machines" action={<MachineFilters f={f} />}>
      {miners.length === 0 ? (
        <Empty>No compute miner on the metagraph yet.</Empty>
      ) : rows.length === 0 ? (
        <Empty onClear={f.filtering ? f.clear : undefined}>No machine matches these filters.</Empty>
      ) : (
        <>
          <p className="mb-2 text-xs text-zinc-500 dark:text-zinc-400">
            Sizes in GiB: VRAM summed over the GPUs, RAM available, disk free.
          </p>
          <Table head={head} testId="inventory-table" label="Machines">
            {rows.map((m) => (
              <MachineRow key={m.hotkey} m={m} isAdmin={isAdmin} />
            ))}
          </Table>
        </>
      )}
    </Card>
  );
}

function MachineFilters({ f }: { f: ReturnType<typeof useMachineFilters> }) {
  return (
    <div className="flex flex-wrap gap-2">
      <FilterInput
        id="inventory-model"
        label="GPU model"
        placeholder="GPU model"
        value={f.model}
        onChange={(e) => f.setModel(e.target.value)}
      />
      {MINIMUMS.map((m) => (
        <FilterInput
          key={m.key}
          id={`inventory-${m.key}`}
          label={m.label.replace("min", "Minimum")}
          placeholder={m.label}
          inputMode="decimal"
          value={f.minimum[m.key]}
          onChange={(e) => f.setMinimum({ ...f.minimum, [m.key]: e.target.value })}
          className="w-24"
        />
      ))}
      <label className="sr-only" htmlFor="inventory-status">
        Status
      </label>
      <Select id="inventory-status" compact value={f.status} onChange={(e) => f.setStatus(e.target.value as Status)}>
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
        value={f.hotkey}
        onChange={(e) => f.setHotkey(e.target.value)}
      />
    </div>
  );
}

function MachineRow({ m, isAdmin }: { m: Miner; isAdmin: boolean }) {
  const reported = m.state === "reported";
  return (
    <Row>
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
        {m.reason && <div className="max-w-56 truncate text-xs text-zinc-500 dark:text-zinc-400">{m.reason}</div>}
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
