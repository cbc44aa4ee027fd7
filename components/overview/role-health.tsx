"use client";
import Link from "next/link";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Card, Stat } from "@/components/ui";
import { QueryPanel, type QueryLike } from "@/components/ui/states";

const linkClass = "rounded-lg focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600";

/** One figure of a role's card: it links to the page that explains it. */
function Figure({ href, ...stat }: { href: string; label: string; value: ReactNode; hint: ReactNode; testId: string }) {
  return (
    <Link href={href} className={linkClass}>
      <Stat {...stat} />
    </Link>
  );
}

/** A role's card: its title, whose it is, and its figures once loaded. */
function RoleCard<T>({
  title,
  role,
  query,
  children,
}: {
  title: string;
  role: string;
  query: QueryLike<T>;
  children: (data: T) => ReactNode;
}) {
  return (
    <Card title={title} action={<span className="text-xs text-zinc-500 dark:text-zinc-400">{role}</span>}>
      <QueryPanel query={query} loading={`Loading ${title.toLowerCase()}…`}>
        {children}
      </QueryPanel>
    </Card>
  );
}

/** "Are my GPUs working?": the compute marketplace at a glance. */
export function ComputeHealth({ refetchMs }: { refetchMs: number }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.compute.health.queryOptions(), refetchInterval: refetchMs });
  return (
    <RoleCard title="GPUs" role="compute" query={query}>
      {(h) => (
        <div className="grid grid-cols-2 gap-4 lg:grid-cols-4" data-testid="compute-health">
          <Figure
            href="/inventory"
            label="Machines reporting"
            value={`${h.reporting} / ${h.machines}`}
            hint={h.machines === h.reporting ? "all answer →" : `${h.machines - h.reporting} do not →`}
            testId="health-machines"
          />
          <Figure
            href="/inventory"
            label="GPUs free"
            value={h.gpusFree}
            hint={`${h.gpusRented} rented →`}
            testId="health-gpus-free"
          />
          <Figure
            href="/allocations"
            label="Rentals"
            value={h.rentals}
            hint="open Allocations →"
            testId="health-rentals"
          />
          <Figure
            href="/inventory"
            label="Proof of GPU"
            value={`${h.pogPassed} passed`}
            hint={`${h.pogFailed} failed · ${h.verifying} being checked →`}
            testId="health-pog"
          />
        </div>
      )}
    </RoleCard>
  );
}

/** "Is my search API serving?": miners passing their gates, organic queries and their errors. */
export function SearchHealth({ refetchMs }: { refetchMs: number }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.search.health.queryOptions(), refetchInterval: refetchMs });
  return (
    <RoleCard title="Search" role="search" query={query}>
      {(h) => (
        <div className="grid grid-cols-2 gap-4 lg:grid-cols-4" data-testid="search-health">
          <Figure
            href="/search-miners"
            label="Miners passing"
            value={`${h.passing} / ${h.miners}`}
            hint={`${h.failing} below their gate · ${h.unreachable} unreachable →`}
            testId="health-search-passing"
          />
          <Figure
            href="/search-miners"
            label="Organic queries"
            value={h.organicPerMinute.toFixed(1)}
            hint={`per minute, last hour (${h.organicLastHour}) →`}
            testId="health-search-qpm"
          />
          <Figure
            href="/search-miners"
            label="Organic errors"
            value={h.organicErrors}
            hint="last hour →"
            testId="health-search-errors"
          />
          <Figure
            href="/search-miners"
            label="Scoring queries"
            value={h.syntheticLastHour}
            hint="synthetic, last hour →"
            testId="health-search-synthetic"
          />
        </div>
      )}
    </RoleCard>
  );
}
