"use client";
import { useQuery } from "@tanstack/react-query";
import { LocalTime } from "@/components/ui/local-time";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/lib/trpc";
import type { AppRouter } from "@/server/trpc/root";
import { Card, FilterInput, Select } from "@/components/ui";
import { Cell, Row, Table } from "@/components/ui/table";
import { formatNumber, shortKey } from "@/components/ui/format";
import { Empty, ErrorState, Loading } from "@/components/ui/states";
import { StateBadge } from "./state-badge";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATES = ["", "queued", "fetching", "validating", "evaluating", "scored", "rejected"] as const;

type Submissions = inferRouterOutputs<AppRouter>["validator"]["submissions"];

/** `initial`: the first page as the server rendered it (no filter, newest 200). */
export function SubmissionsView({ initial }: { initial?: Submissions }) {
  const trpc = useTRPC();
  const [state, setState] = useState<(typeof STATES)[number]>("");
  const [hotkey, setHotkey] = useState("");
  // The open submission lives in the URL (?id=...): rows are links, and a detail can be shared.
  const params = useSearchParams();
  const router = useRouter();
  const asked = params.get("id");
  const selected = asked && UUID.test(asked) ? asked : null;
  const select = (id: string) => router.replace(`/submissions?id=${id}`, { scroll: false });
  const detailCard = useRef<HTMLElement>(null);
  const list = useQuery({
    ...trpc.validator.submissions.queryOptions({
      state: state || undefined,
      hotkey: hotkey.trim() || undefined,
      limit: 200,
    }),
    initialData: state === "" && hotkey.trim() === "" ? initial : undefined,
    refetchInterval: 2000,
  });
  const detail = useQuery({
    ...trpc.validator.submission.queryOptions({ id: selected ?? "00000000-0000-0000-0000-000000000000" }),
    enabled: !!selected,
    refetchInterval: 2000,
  });
  // On a phone the detail sits below the list: bring it into view once the picked submission has loaded.
  const shown = detail.data?.id === selected ? selected : null;
  useEffect(() => {
    if (shown) detailCard.current?.scrollIntoView({ block: "nearest" });
  }, [shown]);

  return (
    <div className="grid gap-4 lg:grid-cols-[2fr_1fr]">
      <Card
        title="Submissions"
        action={
          <div className="flex flex-wrap gap-2">
            <label className="sr-only" htmlFor="state-filter">
              State
            </label>
            <Select id="state-filter" value={state} onChange={(e) => setState(e.target.value as typeof state)} compact>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s || "all states"}
                </option>
              ))}
            </Select>
            <FilterInput
              id="hotkey-filter"
              label="Hotkey"
              placeholder="hotkey"
              value={hotkey}
              onChange={(e) => setHotkey(e.target.value)}
              className="w-32"
            />
          </div>
        }
      >
        {list.data === undefined &&
          (list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : <Loading />)}
        {list.data !== undefined && list.isError && (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        )}
        {list.data?.length === 0 &&
          (state || hotkey.trim() ? (
            <Empty onClear={() => (setState(""), setHotkey(""))}>No submission matches these filters.</Empty>
          ) : (
            <Empty>No submissions yet. Miners submit in the Submission phase.</Empty>
          ))}
        {!!list.data?.length && (
          <Table
            head={["Hotkey", "State", "Score", "UID", "Group", "Block", "Round", "Loss", "Points"]}
            testId="submissions-table"
            label="Submissions"
          >
            {list.data.map((s) => (
              <Row key={s.id} onClick={() => select(s.id)} active={s.id === selected}>
                <Cell className="font-mono text-xs" title={s.hotkey}>
                  <Link
                    href={`/submissions?id=${s.id}`}
                    scroll={false}
                    replace
                    onClick={(e) => e.stopPropagation()}
                    className="rounded text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600 dark:text-indigo-300"
                  >
                    {shortKey(s.hotkey)}
                    <span className="sr-only">, submission {s.id}</span>
                  </Link>
                </Cell>
                {/* State and score first: what a phone shows without scrolling. */}
                <Cell>
                  <StateBadge state={s.state} />
                </Cell>
                {/* A rejected submission has no score: "–", not 0. */}
                <Cell>{s.state === "rejected" ? "–" : formatNumber(s.score)}</Cell>
                <Cell>{s.uid ?? "–"}</Cell>
                <Cell>{s.expertGroup}</Cell>
                <Cell>{s.blockNumber.toLocaleString("en-US")}</Cell>
                <Cell>{s.round}</Cell>
                <Cell>{formatNumber(s.loss)}</Cell>
                <Cell>{s.points ?? "–"}</Cell>
              </Row>
            ))}
          </Table>
        )}
      </Card>
      {/* On a phone the picked submission's detail comes first, above the live list that grows as rows arrive. */}
      <Card title="Detail" ref={detailCard} className={selected ? "order-first lg:order-none" : undefined}>
        {!selected && <Empty>Select a submission to see its steps.</Empty>}
        {selected && detail.isPending && <Loading />}
        {selected && detail.isError && !detail.data && (
          <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
        )}
        {detail.data && (
          <div className="space-y-3 text-sm" data-testid="submission-detail">
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
              <dt className="text-zinc-500 dark:text-zinc-400">ID</dt>
              <dd className="break-all font-mono text-xs">{detail.data.id}</dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Hotkey</dt>
              <dd className="break-all font-mono text-xs">{detail.data.hotkey}</dd>
              <dt className="text-zinc-500 dark:text-zinc-400">URL</dt>
              <dd className="break-all font-mono text-xs">{detail.data.checkpointUrl}</dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Model</dt>
              <dd>{detail.data.version}</dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Baseline</dt>
              <dd>{formatNumber(detail.data.baselineLoss)}</dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Loss</dt>
              <dd>{formatNumber(detail.data.loss)}</dd>
            </dl>
            {detail.data.reason && (
              <p className="rounded-lg bg-rose-50 p-2 text-rose-700 dark:bg-rose-950/40 dark:text-rose-300">
                {detail.data.reason}
              </p>
            )}
            <ol className="space-y-1 border-l border-zinc-200 pl-3 dark:border-zinc-700">
              {detail.data.steps.map(([at, st, note], i) => (
                <li key={i}>
                  <span className="text-xs text-zinc-500 dark:text-zinc-400">
                    <LocalTime at={at} timeOnly />
                  </span>{" "}
                  <StateBadge state={st} />
                  {note && <div className="break-all text-xs text-zinc-500 dark:text-zinc-400">{note}</div>}
                </li>
              ))}
            </ol>
          </div>
        )}
      </Card>
    </div>
  );
}
