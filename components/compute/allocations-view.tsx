"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Badge, Card, Stat } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { Empty, QueryPanel } from "@/components/ui/states";
import { shortKey } from "@/components/ui/format";
import { LocalTime } from "@/components/ui/local-time";
import { AllocateCard } from "./allocate-card";
import { LiveRow, MinerCells } from "./allocation-row";
import { stateTone, type Allocations, type Inventory } from "./allocation-types";

export function AllocationsView({
  isAdmin,
  initial,
  inventory,
  rentHotkey,
}: {
  isAdmin: boolean;
  initial: Allocations;
  inventory: Inventory;
  /** Open the form on this machine (the inventory's Rent link). */
  rentHotkey?: string;
}) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.compute.allocations.queryOptions(), initialData: initial, refetchInterval: 2000 });
  return (
    <QueryPanel query={query}>
      {(data) => (
        <div className="space-y-4">
          <Summary live={data.live} />
          {isAdmin && <AllocateCard inventory={inventory} rentHotkey={rentHotkey} />}
          <LiveCard live={data.live} isAdmin={isAdmin} />
          <WebhooksCard webhooks={data.webhooks} />
          <EndedCard ended={data.ended} />
        </div>
      )}
    </QueryPanel>
  );
}

function Summary({ live }: { live: Allocations["live"] }) {
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
      <Card>
        <Stat label="Live allocations" value={live.length} testId="allocations-live" />
      </Card>
      <Card>
        <Stat label="Online" value={live.filter((a) => a.status === "ONLINE").length} />
      </Card>
      <Card>
        <Stat label="Offline" value={live.filter((a) => a.status === "OFFLINE").length} />
      </Card>
      <Card>
        <Stat label="Releasing" value={live.filter((a) => a.state === "releasing").length} />
      </Card>
    </div>
  );
}

function LiveCard({ live, isAdmin }: { live: Allocations["live"]; isAdmin: boolean }) {
  return (
    <Card title="Live">
      {live.length === 0 ? (
        <Empty>No machine is rented. {isAdmin ? "Allocate one above." : "Admins allocate from this page."}</Empty>
      ) : (
        <Table
          head={[
            "Miner",
            "GPU",
            "Since",
            "Time left",
            "Status",
            "Strikes",
            "Last check",
            ...(isAdmin ? ["Actions"] : []),
          ]}
          testId="allocations-table"
          label="Live rentals"
        >
          {live.map((a) => (
            <LiveRow key={a.uuid_key} a={a} isAdmin={isAdmin} />
          ))}
        </Table>
      )}
    </Card>
  );
}

function WebhooksCard({ webhooks }: { webhooks: Allocations["webhooks"] }) {
  return (
    <Card title="Webhook deliveries">
      {webhooks.length === 0 ? (
        <Empty>
          No webhook sent yet. Set DEALLOCATION_NOTIFY_URL and STATUS_NOTIFY_URL (with WEBHOOKS_SECRET) to be told of
          ONLINE, OFFLINE and DEALLOCATION events.
        </Empty>
      ) : (
        <Table
          head={["Sent", "Event", "Miner", "Delivery", "Attempts", "Last answer"]}
          testId="webhook-deliveries"
          label="Webhook deliveries"
        >
          {webhooks.map((w) => (
            <Row key={w.id}>
              <Cell className="text-xs">
                <LocalTime at={w.createdAt} />
              </Cell>
              <Cell>{w.event}</Cell>
              <Cell className="font-mono text-xs" title={`${w.hotkey} ${w.uuid}`}>
                {shortKey(w.hotkey)}
              </Cell>
              <Cell>
                <Badge tone={w.status === "delivered" ? "green" : w.status === "failed" ? "red" : "amber"}>
                  {w.status}
                </Badge>
              </Cell>
              <Cell>{w.attempts}</Cell>
              <Cell className="max-w-64 truncate text-xs" title={w.lastError ?? undefined}>
                {w.lastError ?? (w.lastStatus ? `HTTP ${w.lastStatus}` : "–")}
              </Cell>
            </Row>
          ))}
        </Table>
      )}
    </Card>
  );
}

function EndedCard({ ended }: { ended: Allocations["ended"] }) {
  return (
    <Card title="Ended recently">
      {ended.length === 0 ? (
        <Empty>Nothing has ended yet.</Empty>
      ) : (
        <Table
          head={["Miner", "GPU", "From", "Ended", "State", "Why"]}
          testId="allocations-ended"
          label="Rentals ended recently"
        >
          {ended.map((a) => (
            <Row key={a.uuid_key}>
              <MinerCells a={a} until={a.releasedAt} />
              <Cell>
                <Badge tone={stateTone[a.state]}>{a.state}</Badge>
              </Cell>
              <Cell className="max-w-80 text-xs text-zinc-600 dark:text-zinc-300">{a.reason ?? ""}</Cell>
            </Row>
          ))}
        </Table>
      )}
    </Card>
  );
}
