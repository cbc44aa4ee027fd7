"use client";
import { useId, type ReactNode } from "react";

/**
 * A chart with a caption, an accessible name, and its numbers as a table behind a disclosure: screen
 * readers and anyone who wants exact values read the table, everyone else the chart.
 */
export function ChartFigure({
  title,
  summary,
  head,
  rows,
  children,
  testId,
}: {
  title: string;
  /** One sentence on what the chart shows (its accessible description). */
  summary: string;
  head: string[];
  rows: Array<Array<ReactNode>>;
  children: ReactNode;
  testId?: string;
}) {
  const id = useId();
  return (
    <figure aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`} data-testid={testId}>
      <figcaption className="mb-2">
        <span id={`${id}-title`} className="text-xs font-medium text-zinc-700 dark:text-zinc-300">
          {title}
        </span>
        <span id={`${id}-summary`} className="block text-xs text-zinc-500 dark:text-zinc-400">
          {summary}
        </span>
      </figcaption>
      <div role="img" aria-label={`${title}. ${summary} The values are in the table below.`}>
        {children}
      </div>
      <details className="mt-2 text-xs">
        <summary className="cursor-pointer text-indigo-700 dark:text-indigo-300">Show as a table</summary>
        <div className="mt-2 max-h-72 overflow-auto">
          <table className="w-full text-left tabular-nums">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr className="text-zinc-500 dark:text-zinc-400">
                {head.map((h) => (
                  <th key={h} scope="col" className="whitespace-nowrap py-1 pr-3 font-medium">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} className="border-t border-zinc-100 dark:border-zinc-800">
                  {r.map((c, j) => (
                    <td key={j} className="whitespace-nowrap py-1 pr-3">
                      {c}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
