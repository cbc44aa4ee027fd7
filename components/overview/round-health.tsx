"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Card, cx, Stat } from "@/components/ui";
import { QueryPanel } from "@/components/ui/states";
import { formatNumber, shortKey } from "@/components/ui/format";
import { WEIGHTS_STATUS_LABEL } from "@/components/weights/weights-cycles";

type Health = inferRouterOutputs<AppRouter>["validator"]["health"];

const more = "text-xs text-indigo-700 hover:underline dark:text-indigo-300";

/** "Is my subnet healthy this round?": the validator's round at a glance, each figure linking to its page. */
export function RoundHealth({ refetchMs }: { refetchMs: number }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.validator.health.queryOptions(), refetchInterval: refetchMs });
  return (
    <Card title="This round" action={<span className="text-xs text-zinc-500 dark:text-zinc-400">validator</span>}>
      <QueryPanel query={query} loading="Loading the round…">
        {(h) => <Content h={h} />}
      </QueryPanel>
    </Card>
  );
}

function Content({ h }: { h: Health }) {
  const { weights } = h;
  const late = weights.blocksSince !== null && weights.blocksSince > weights.threshold;
  const improvement = h.best?.baselineLoss != null && h.best.loss != null ? h.best.baselineLoss - h.best.loss : null;
  return (
    <div className="space-y-4" data-testid="round-health">
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Link
          href="/models"
          className="rounded-lg focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <Stat
            label="Served model"
            value={h.version?.name ?? "none"}
            hint={
              h.version?.pinned
                ? "pinned by an admin: a newer version is not served →"
                : h.version
                  ? "open Models →"
                  : "publish one on Models →"
            }
            testId="health-version"
          />
        </Link>
        <Link
          href="/submissions"
          className="rounded-lg focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <Stat
            label={`Submissions, round ${h.round}`}
            value={h.submissions.total}
            hint={`${h.submissions.accepted} accepted · ${h.submissions.scored} scored · ${h.submissions.rejected} rejected`}
            testId="health-submissions"
          />
        </Link>
        <Link
          href="/models"
          className="rounded-lg focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <Stat
            label={
              h.best ? (h.best.thisRound ? "Best loss this round" : `Best loss, round ${h.best.round}`) : "Best loss"
            }
            value={formatNumber(h.best?.loss ?? null)}
            hint={
              h.best
                ? `baseline ${formatNumber(h.best.baselineLoss)}${improvement !== null ? ` (${improvement >= 0 ? "−" : "+"}${Math.abs(improvement).toFixed(4)})` : ""}`
                : "no scored submission yet"
            }
            testId="health-best-loss"
          />
        </Link>
        <Link
          href="/miners"
          className="rounded-lg focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <div className="min-w-0">
            <div className="text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">Blocks since weights</div>
            <div
              data-testid="health-weights"
              className={cx(
                "truncate text-2xl font-semibold tabular-nums",
                late ? "text-rose-700 dark:text-rose-400" : "text-zinc-900 dark:text-zinc-50",
              )}
            >
              {weights.blocksSince ?? (weights.enabled ? "never" : "off")}
            </div>
            <div className="text-xs text-zinc-500 dark:text-zinc-400">
              {!weights.enabled
                ? "SET_WEIGHTS is off"
                : late || weights.blocksSince === null
                  ? `over ${weights.threshold} blocks${weights.lastReason ? `: ${weights.lastReason}` : ""}`
                  : `${weights.lastStatus ? `last ${WEIGHTS_STATUS_LABEL[weights.lastStatus]} · ` : ""}red past ${weights.threshold}`}
            </div>
          </div>
        </Link>
      </div>
      {h.refusedMiners.length > 0 ? (
        <div data-testid="health-refused">
          <p className="mb-1 flex items-center gap-2 text-sm font-medium">
            <Badge tone="red">{h.refusedMiners.length}</Badge> miners refused in the last hour
          </p>
          <ul className="space-y-1 text-xs">
            {h.refusedMiners.map((m) => (
              <li key={m.hotkey} className="min-w-0 truncate">
                <Link href={`/miners/${m.hotkey}`} className={cx(more, "font-mono")}>
                  {shortKey(m.hotkey)}
                </Link>{" "}
                <span className="text-zinc-600 dark:text-zinc-400">
                  ×{m.count} on {m.route}: {m.reason}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="text-xs text-zinc-500 dark:text-zinc-400">No miner was refused in the last hour.</p>
      )}
    </div>
  );
}
