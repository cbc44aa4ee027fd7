import type { Metadata } from "next";
import { PeersEditor } from "@/components/settings/peers-editor";
import { Card, PageTitle } from "@/components/ui";
import { requireViewer } from "@/server/auth/session";
import { config } from "@/server/env";
import { formatSchedule } from "@/server/phases";
import { validatorToken } from "@/server/auth/secrets";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireViewer();
  const c = config();
  return (
    <>
      <PageTitle title="Settings" subtitle="What this console runs with. Environment variables are read at start (see .env.example)." />
      <div className="grid gap-4 lg:grid-cols-2">
        <PeersEditor isAdmin={user?.role === "admin"} />
        <Card title="Configuration">
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-zinc-500">Roles</dt>
            <dd>{c.ROLES.join(", ")}</dd>
            <dt className="text-zinc-500">Chain</dt>
            <dd className="break-all">{c.chainKind === "simulated" ? `simulated, ${c.BLOCK_TIME_MS} ms blocks` : c.SUBTENSOR_URL}</dd>
            <dt className="text-zinc-500">Netuid</dt>
            <dd>{c.NETUID}</dd>
            <dt className="text-zinc-500">Schedule</dt>
            <dd className="break-all font-mono text-xs">{formatSchedule(c.schedule)}</dd>
            <dt className="text-zinc-500">Database</dt>
            <dd>{c.databaseKind === "sqlite" ? "SQLite" : "PostgreSQL"}</dd>
            <dt className="text-zinc-500">Public dashboard</dt>
            <dd>{c.PUBLIC_DASHBOARD ? "yes" : "no"}</dd>
            {user?.role === "admin" && c.ROLES.includes("validator") && (
              <>
                <dt className="text-zinc-500">Miner token</dt>
                <dd className="break-all font-mono text-xs" data-testid="bz-token">{validatorToken() ?? "not set"}</dd>
              </>
            )}
            <dt className="text-zinc-500">Admin hotkeys</dt>
            <dd className="break-all font-mono text-xs">{c.ADMIN_HOTKEYS.join(", ") || "none"}</dd>
          </dl>
        </Card>
      </div>
    </>
  );
}
