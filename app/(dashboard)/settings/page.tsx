import type { Metadata } from "next";
import { ApiKeys } from "@/components/settings/api-keys";
import { PeersEditor } from "@/components/settings/peers-editor";
import { Card, PageTitle } from "@/components/ui";
import { MinerToken } from "@/components/validator/miner-token";
import { currentUser, serverCaller } from "@/server/page-session";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const trpc = await serverCaller();
  const user = await currentUser();
  const s = await trpc.system.settings();
  return (
    <>
      <PageTitle
        title="Settings"
        subtitle="What this console runs with. Environment variables are read at start (see .env.example)."
      />
      <div className="grid gap-4 lg:grid-cols-2">
        {s.roles.includes("owner") && <PeersEditor isAdmin={user?.role === "admin"} />}
        {user?.role === "admin" && (s.roles.includes("compute") || s.roles.includes("search")) && <ApiKeys />}
        <Card title="Configuration">
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-zinc-500 dark:text-zinc-400">Roles</dt>
            <dd>{s.roles.join(", ")}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Chain</dt>
            <dd className="break-all">{s.chain}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Subnets</dt>
            <dd data-testid="settings-netuids">{s.roles.map((r) => `${r} ${s.netuids[r]}`).join(" · ")}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Schedule</dt>
            <dd className="break-all font-mono text-xs">{s.schedule}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Database</dt>
            <dd>{s.database}</dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Public dashboard</dt>
            <dd>{s.publicDashboard ? "yes" : "no"}</dd>
            {s.minerToken !== null && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Miner token</dt>
                <dd>
                  <MinerToken initial={s.minerToken} fromEnvironment={s.minerTokenFromEnvironment} />
                </dd>
              </>
            )}
            <dt className="text-zinc-500 dark:text-zinc-400">Admin hotkeys</dt>
            <dd className="break-all font-mono text-xs">{s.adminHotkeys.join(", ") || "none"}</dd>
          </dl>
        </Card>
      </div>
    </>
  );
}
