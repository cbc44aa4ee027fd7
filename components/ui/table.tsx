"use client";
import { useMemo, useState, type ReactNode } from "react";
import { cx } from "./index";

type SortDir = "ascending" | "descending";
/** A column header: plain, or a button that sorts by it (with aria-sort on the header cell). */
export type HeadCell = ReactNode | { label: ReactNode; sort?: SortDir | "none"; onSort?: () => void };

function isSortable(h: HeadCell): h is { label: ReactNode; sort?: SortDir | "none"; onSort?: () => void } {
  return typeof h === "object" && h !== null && "label" in (h as object);
}

/**
 * `label` names the table: its scroll container is a labelled region that takes keyboard focus, so a table
 * wider than a phone's screen can be scrolled sideways from the keyboard.
 */
export function Table({
  head,
  children,
  testId,
  label,
}: {
  head: HeadCell[];
  children: ReactNode;
  testId?: string;
  label: string;
}) {
  return (
    <div
      className="overflow-x-auto focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600"
      tabIndex={0}
      role="region"
      aria-label={label}
    >
      <table className="w-full text-sm" data-testid={testId}>
        <thead>
          <tr className="text-left text-xs uppercase text-zinc-500 dark:text-zinc-400">
            {head.map((h, i) =>
              isSortable(h) ? (
                <th
                  key={i}
                  scope="col"
                  aria-sort={h.sort ?? "none"}
                  className="whitespace-nowrap py-1 pr-3 font-medium"
                >
                  <button
                    type="button"
                    onClick={h.onSort}
                    className="inline-flex items-center gap-1 uppercase hover:text-zinc-800 dark:hover:text-zinc-100"
                  >
                    {h.label}
                    <span aria-hidden="true">{h.sort === "ascending" ? "▲" : h.sort === "descending" ? "▼" : "↕"}</span>
                  </button>
                </th>
              ) : (
                <th key={i} scope="col" className="whitespace-nowrap py-1 pr-3 font-medium">
                  {h}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody className="tabular-nums">{children}</tbody>
      </table>
    </div>
  );
}

/**
 * Client-side sorting for a table: `columns` maps a key to the value rows sort by (null last).
 * Returns the sorted rows and the header cells for `Table`.
 */
export function useSortedRows<T, K extends string>(
  rows: T[],
  columns: Record<K, { label: ReactNode; value?: (row: T) => number | string | null }>,
  initial: { key: K; dir: SortDir },
) {
  const [sort, setSort] = useState(initial);
  const sorted = useMemo(() => {
    const value = columns[sort.key].value;
    if (!value) return rows;
    const sign = sort.dir === "ascending" ? 1 : -1;
    return [...rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
  }, [rows, columns, sort]);
  const head: HeadCell[] = (Object.keys(columns) as K[]).map((key) =>
    columns[key].value
      ? {
          label: columns[key].label,
          sort: sort.key === key ? sort.dir : "none",
          onSort: () =>
            setSort((s) =>
              s.key === key
                ? { key, dir: s.dir === "ascending" ? "descending" : "ascending" }
                : { key, dir: "descending" },
            ),
        }
      : columns[key].label,
  );
  return { rows: sorted, head };
}

export function Row({ children, onClick, active }: { children: ReactNode; onClick?: () => void; active?: boolean }) {
  return (
    <tr
      onClick={onClick}
      className={cx(
        "border-t border-zinc-100 dark:border-zinc-800",
        onClick && "cursor-pointer hover:bg-zinc-50 dark:hover:bg-zinc-800/50",
        active && "bg-indigo-50 dark:bg-indigo-950/40",
      )}
    >
      {children}
    </tr>
  );
}

export function Cell({ children, className, title }: { children: ReactNode; className?: string; title?: string }) {
  return (
    <td className={cx("whitespace-nowrap py-1.5 pr-3", className)} title={title}>
      {children}
    </td>
  );
}
