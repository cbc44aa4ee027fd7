"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Button, Card, Stat } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { Empty, QueryPanel } from "@/components/ui/states";
import { ChartFigure } from "@/components/ui/chart-figure";
import { GpuAvailabilityChart } from "@/components/charts/gpu-availability-chart";
import { MachinesCard } from "./machines-card";

type Inventory = inferRouterOutputs<AppRouter>["compute"]["inventory"];

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
  const gpus = data.byModel.reduce((n, r) => n + r.gpus, 0);
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
      <MachinesCard miners={data.miners} isAdmin={isAdmin} />
    </div>
  );
}
